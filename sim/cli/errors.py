"""How the negsim command reports a user's mistake: one line on standard error and a non-zero exit, no traceback."""

from __future__ import annotations

import sys


def fail(error: Exception) -> None:
    """Report a user mistake in one line and exit non-zero, without a traceback."""
    print(f"negsim: error: {error}", file=sys.stderr)
    raise SystemExit(2)
