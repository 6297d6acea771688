"""What happens anyway: the commodity-driven baseline of each province's exports.

Answers *how much would each province export with no intervention?* :mod:`.price_model` fits
each monthly series on commodity prices (with gaps kept), :mod:`.blocks` splits a series into
commodity blocks, :mod:`.volume` draws coal export volume from policy and demand,
:mod:`.nowcast` estimates the 2025 starting level where no figure is printed,
:mod:`.calibration` measures forecast errors out of sample, :mod:`.measurement` (with
:mod:`.measurement_obs` and :mod:`.assimilation`) reads every printed figure into smoothed
months and the 2025 starting point, and :mod:`.simulation` draws the baseline blocks for a
run.

May import: ``models.scenario`` (parameters), ``data`` and ``errors``; never ``levers``,
``budget`` or ``engine``.
"""
