"""Kaltim–Kaltara export scenario workbook."""
__version__ = "0.1.0"
