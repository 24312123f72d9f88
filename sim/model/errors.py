"""The one exception type for mistakes in user input, and how a value from the input is quoted in a message."""

from __future__ import annotations

import difflib
import itertools
import reprlib
from collections.abc import Iterable, Mapping, Sequence

QUOTE_CHARS = 80  # a value quoted in a message is cut to this many characters
PART_CHARS = 400  # so is each other part of a message (key path, problem, what is allowed)
LISTED_NAMES = 30  # `one_of` lists at most this many allowed names
SHORT_REPRS = ("builtins", "datetime", "numpy")  # modules whose objects' reprs are short whatever they hold
SUGGESTED_AMONG = 10_000  # beyond this many names, no "did you mean" (difflib compares the value with each)


class _ShortRepr(reprlib.Repr):
    """``reprlib`` with small limits, reading mappings and sequences of any type (OmegaConf's containers too) only as
    far as it shows them, so that quoting a huge or deeply nested value costs what is shown, never the whole value."""

    def __init__(self):
        super().__init__(maxlevel=3, maxdict=4, maxlist=4, maxtuple=4, maxset=4, maxstring=40, maxlong=40, maxother=40)

    def repr1(self, x, level):
        if isinstance(x, int) and not isinstance(x, bool) and x.bit_length() > 128:
            return f"<a whole number of {x.bit_length()} bits>"  # repr of a huge int is slow, or refused
        if isinstance(x, Mapping) and not isinstance(x, dict):
            x = {k: x[k] for k in itertools.islice(x, self.maxdict + 1)}
        elif isinstance(x, Sequence) and not isinstance(x, str | bytes | list | tuple):
            x = list(itertools.islice(x, self.maxlist + 1))
        return super().repr1(x, level)

    def repr_bytes(self, x, level):
        return reprlib.Repr.repr_str(self, x[: self.maxstring + 1], level)

    def repr_instance(self, x, level):
        if type(x).__module__ in SHORT_REPRS:  # None, floats, dates, NumPy scalars and arrays: short by themselves
            return super().repr_instance(x, level)
        return f"<{type(x).__name__}>"  # an object's own repr may walk everything it holds


_SHORT = _ShortRepr()


def quote(value: object, limit: int = QUOTE_CHARS) -> str:
    """A short repr of ``value`` for a message: at most ``limit`` characters, built without walking a huge value."""
    try:
        text = _SHORT.repr(value)
    except Exception:  # a value whose own methods fail: name its type
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ScenarioError(ValueError):
    """A scenario or run setting that cannot be used.

    The message names the key path, the value found (quoted short) and what is allowed, e.g.
    ``scenario.countries.japan.ministries.foreign.confidence.russia: got 1.4; allowed: a number in [0, 1]``.
    ``problem`` replaces "got <value>" when the value alone does not say what is wrong (a YAML syntax error).
    """

    def __init__(self, path: str, value: object, allowed: str, *, problem: str | None = None):
        self.path, self.value, self.allowed = path, value, allowed
        why = clip(problem, PART_CHARS) if problem else f"got {quote(value)}"
        super().__init__(f"{clip(str(path), PART_CHARS)}: {why}; allowed: {clip(allowed, PART_CHARS)}")


def clip(text: str, limit: int) -> str:
    """``text``, or its start and end around "…" when longer than ``limit`` (a key path built from a huge name)."""
    return text if len(text) <= limit else f"{text[: limit // 2]}…{text[-(limit // 2) + 1 :]}"


def one_of(names: Iterable[str], value: object) -> str:
    """Describe the allowed names, suggesting the closest one to a misspelt ``value``."""
    names = sorted(names)
    shown = names if len(names) <= LISTED_NAMES else [*names[:LISTED_NAMES], f"… ({len(names)} in all)"]
    listed = ", ".join(shown) if names else "(none defined)"
    suggest = isinstance(value, str) and len(names) <= SUGGESTED_AMONG and len(value) <= QUOTE_CHARS
    close = difflib.get_close_matches(value, names, n=1) if suggest else []
    return f"one of {listed}" + (f" (did you mean {close[0]!r}?)" if close else "")
