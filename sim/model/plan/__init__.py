"""What a scenario compiles to before its first round, shared by both models: the plan of its meetings, events and
measures (``compiled``), its settlement talks (``talks``), and the dice that lay out every draw (``dice``)."""
