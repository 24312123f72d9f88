"""Global sensitivity analysis: which scenario parameters drive confidence and settlement.

A study (``conf/sensitivity/NAME.yaml``) names scenario parameters by their key path with bounds, the outputs to
explain and a design: Morris screening (elementary effects μ, μ*, σ; Morris 1991, Campolongo et al. 2007) or Sobol'
variance decomposition (first-order, total and optionally second-order indices; Saltelli et al. 2010). SALib draws the
samples and computes the indices. Each sample is the base scenario with the sample's values at their key paths, run as
a sweep cell (:func:`sim.study.pipeline.run_cell`): the same replicate ensemble as a sweep, with the same replicate
seeds in every sample (common random numbers), cells running in parallel over the executor's workers, each written
to disk when it finishes and skipped when a rerun finds it complete.

Writes ``<output_dir>/cells/<hash>/`` (one sweep cell per distinct sample) and, replaced as a whole,
``<output_dir>/analysis/``:

- ``samples.parquet``: one row per sample: its parameter values, its cell and its outputs;
- ``indices.parquet``, ``indices.csv``: one row per output × parameter: Morris ``mu``, ``mu_star``, ``sigma``,
  ``mu_star_conf``, or Sobol' ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (``_conf``: 95% bootstrap half-width);
- ``second_order.parquet``, ``second_order.csv`` (Sobol' with ``second_order: true``): ``S2``, ``S2_conf`` per pair;
- ``ranking.txt``: per output, the parameters from the most to the least influential, one line each;
- ``morris.png`` (μ* against σ) or ``sobol.png`` (S1 and ST with their intervals);
- ``study.yaml``: the resolved study, base scenario included (it can be run again as a study).

``study`` reads a study and its parameters, ``design`` samples and analyses with SALib, ``evaluate`` runs the
samples as sweep cells, ``report`` writes the analysis. No Hydra here: ``negsim sensitivity`` (:mod:`sim.cli`)
composes the study.
"""
