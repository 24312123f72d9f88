"""The simulation itself: everything that defines what a run does, and nothing about files, Hydra or figures.

- ``errors``, ``schema``: the one error type for user mistakes, and checked reading of plain values;
- ``cameo``: the CAMEO event codes and their Goldstein values (the table in ``sim/data/``);
- ``scenario``: the scenario as typed objects (``specs``) and their checked construction from a mapping (``parse``);
- ``rules``: every rule of the model as a small pure function naming its source (``docs/model.md``);
- ``plan``, ``talks``, ``engine``: what a scenario compiles to, and R replicates advancing round by round;
- ``record``, ``result``: what a run records, and the tidy tables and summaries built from it;
- ``agents``, ``meeting``, ``mesa_model``: the same model agent by agent in Mesa: the agents and their decisions, a
  meeting held agent by agent, and the model that holds the calendar (equal to the engine, draw for draw);
- ``run``: ``simulate`` and ``simulate_ensemble``.

May import: the standard library, NumPy, pandas, Mesa; nothing else of negsim.
"""
