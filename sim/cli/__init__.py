"""The programs people start: the ``negsim`` command (``main``), its Hydra apps (``hydra_apps``: run; ``sweep_app``:
sweep and plot), the sensitivity command, and the one place where a failure becomes one line and an exit code
(``errors``).

May import: anything in ``sim``. Nothing below imports this package.
"""
