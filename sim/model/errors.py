"""The one exception type for mistakes in user input."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ScenarioError(ValueError):
    """A scenario or run setting that cannot be used.

    The message names the key path, the value found and what is allowed, e.g.
    ``scenario.countries.japan.ministries.foreign.confidence.russia: got 1.4; allowed: a number in [0, 1]``.
    """

    def __init__(self, path: str, value: object, allowed: str):
        self.path, self.value, self.allowed = path, value, allowed
        super().__init__(f"{path}: got {value!r}; allowed: {allowed}")


def one_of(names: Iterable[str], value: object) -> str:
    """Describe the allowed names, suggesting the closest one to a misspelt ``value``."""
    names = sorted(names)
    listed = ", ".join(names) if names else "(none defined)"
    close = difflib.get_close_matches(str(value), names, n=1) if isinstance(value, str) else []
    return f"one of {listed}" + (f" (did you mean {close[0]!r}?)" if close else "")
