"""A scenario: its typed objects (``specs``) and their checked construction from a mapping (``parse`` for the top
level, countries and ministries; ``parse_issues``, ``parse_calendar`` (with its dated changes), ``parse_events``,
``parse_measures`` (measures, outside actors, stances) and ``parse_changes`` (dated parameter changes) for the rest)."""
