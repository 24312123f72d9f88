"""Many runs at once: sweep cells and their executors, aggregation, ensemble statistics, sensitivity analysis.

- ``cells``: a cell's identity and its batches of replicates; ``version``: the model version in that identity;
  ``executor``: where batches run (this process, local worker processes, Ray); ``pipeline``: cells started ahead
  and written atomically;
- ``aggregate``: a sweep's grid of cells gathered into tables; ``ensemble``: bands and recovery over replicates;
  ``sweep_plots``: a sweep's standard figures drawn from its aggregate;
- ``sensitivity``: Morris screening and Sobol' indices (SALib) over named scenario parameters.

May import: ``sim.model``, ``sim.views``, ``sim.io``.
"""
