"""The simulation itself: everything that defines what a run does, and nothing about files, Hydra or figures.

Its rooms, lowest first; each imports only the rooms below it (``tests/test_layers.py`` checks it):

- ``errors``, ``schema``, ``cameo``: the one error type for user mistakes, checked reading of plain values, the CAMEO
  event codes and their Goldstein values (the table in ``sim/data/``);
- ``rules``: every rule of the model as a small pure function naming its source (``docs/model.md``);
- ``scenario``: the scenario as typed objects (``specs``) and their checked construction from a mapping (``parse``);
- ``plan``: what a scenario compiles to, shared by both models, and the dice that lay out every draw;
- ``record``: what a run records, and the tidy tables and summaries built from it;
- ``procedures``: the order of a round, the calendar's meetings and the talks' protocols, written once for both
  models;
- ``engine`` and ``agents``: the two models, which never import each other — the vectorised engine (R replicates at
  once) and the Mesa agent model (agents that decide one by one, equal to the engine draw for draw);
- ``run``: ``simulate`` and ``simulate_ensemble``.

May import: the standard library, NumPy, pandas (``record``), Mesa (``agents``); nothing else of negsim.
"""
