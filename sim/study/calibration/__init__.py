"""Calibration to event data: which values of a scenario's parameters are consistent with an observed event record?

Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC; Toni et al. 2009, with pyabc, Klinger et al.
2018). The observed record (a CSV read with :func:`sim.read_events`) and each particle's generated events
(:func:`sim.model.record.acts.generated_acts`) are reduced the same way (:mod:`.summaries`): per directed country pair,
the course of the relationship period by period, and the count and timing of each kind of act (by CAMEO code).

:mod:`.config` reads and checks a calibration (``conf/calibration/NAME.yaml``), :mod:`.observed` the observed record,
:mod:`.summaries` reduces events to statistics, :mod:`.distance` compares a particle with the record,
:mod:`.particles` simulates a particle, :mod:`.abc` runs the sampler and writes the outputs, :mod:`.diagnostics`
says when not to believe them, and :mod:`.check` checks a calibration by recoveries of values drawn from its priors.
"""
