"""Processed tables to scenario results: parameters, baseline, levers, Monte Carlo engine."""
