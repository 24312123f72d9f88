"""The agent model in Mesa: the agents and their decisions (``agents``), a meeting held agent by agent
(``meeting``), and the model that holds the calendar (``mesa_model``) — the engine's model, one agent at a time."""
