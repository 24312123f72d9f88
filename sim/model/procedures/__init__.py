"""The procedures of a run, written once for both models: the order of a round, holding a calendar's meetings, and
the talks' protocols.

A procedure decides *when* things happen and records them; *how* a ministry, a delegation or a country decides is the
model's own — the engine's arrays (:mod:`sim.model.engine`) or the Mesa agents (:mod:`sim.model.agents`) — reached
through a small interface each model implements (:class:`~sim.model.procedures.round.World`,
:class:`~sim.model.procedures.talks.Negotiator`).
"""
