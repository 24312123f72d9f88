"""Calibration to event data: which values of a scenario's parameters are consistent with an observed event record?

Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC; Toni et al. 2009, with pyabc, Klinger et al.
2018). The observed record (a CSV read with :func:`sim.read_events`) and each particle's generated events
(:func:`sim.model.acts.generated_acts`) are reduced the same way (:func:`sim.model.acts.period_summaries`): Goldstein
totals and counts of cooperative and conflictual acts per period and directed country pair (docs/model.md §3.1).

:mod:`.config` reads and checks a calibration (``conf/calibration/NAME.yaml``), :mod:`.observed` the observed record,
:mod:`.distance` compares a particle with it,
:mod:`.particles` simulates a particle, :mod:`.abc` runs the sampler and writes the outputs.
"""
