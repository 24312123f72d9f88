"""A scenario: its typed objects (``specs``) and their checked construction from a mapping (``parse`` for the top
level, countries and ministries; ``parse_issues``, ``parse_calendar``, ``parse_events`` for the rest)."""
