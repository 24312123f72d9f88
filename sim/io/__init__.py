"""Files in and out: scenario files (read safely), the shipped scenario library, event records, run folders.

- ``yaml_files``: YAML read with duplicate keys refused and errors at a line and column;
- ``library``: shipped scenarios by name, synthetic scenarios, YAML paths → checked scenarios;
- ``synthetic``: N-country scenarios for scaling studies;
- ``event_records``: event-data CSVs (GDELT, ICEWS, plain) as a scenario's events;
- ``atomic``: a directory written under a temporary name and renamed when complete;
- ``run_output``: a run's tables, summary, config and figure in one folder.

May import: ``sim.model``, ``sim.views``.
"""
