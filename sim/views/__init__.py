"""Figures: pure functions from results and tables to Matplotlib figures, for papers, lectures and the dashboard.

- ``style``: names as readers see them, colours that mean the same country in every figure, axis limits;
- ``run_figures``: one run's confidence trajectories with meetings and events; its settlement talks;
- ``sweep_figures``: a sweep's settlement probability, confidence bands and time to settlement;
- ``sensitivity_figures``: Morris μ*–σ and Sobol' indices.

Nothing here changes Matplotlib's global state (its backend), reads or writes files.
May import: ``sim.model``.
"""
