"""What the provinces can do: the Export Center, the KIHI industrial zone and port connectivity.

Answers *how much does each lever add, and where is it counted?* :mod:`.export_center`
simulates UMKM exporter cohorts, :mod:`.kihi` the smelter and other projects capped by power,
:mod:`.connectivity` the loading port of Kaltara goods.

May import: ``models.scenario`` and ``errors``; never ``baseline``, ``budget`` or ``engine``
(the engine composes the levers with the baseline).
"""
