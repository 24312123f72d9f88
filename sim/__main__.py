"""``python -m sim`` is the ``negsim`` command."""

from sim.cli.main import main

main()
