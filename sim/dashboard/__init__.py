"""The interactive dashboard: a scenario in the browser, round by round, with Mesa's SolaraViz.

- ``settings``: the adjustable values of a scenario and how they are written into it;
- ``live``: the model the page steps, and events injected by hand;
- ``text``: what the page says about a run (status, talks, the agenda log);
- ``page``: the Solara components; ``server``: ``negsim dashboard``.

May import: ``sim.model``, ``sim.views``, ``sim.io``.
"""
