"""YAML files read safely: a mapping at the top, each key once, errors at a line and column, and bounded cost.

A scenario file is a few kB (the largest shipped one, the 27-member ``asean_regional_forum``, is 19 kB, nested 7
levels deep, about 1,500 values). The limits below leave margins of about 850× in size, 14× in depth and 1,300× in
values, and stop a file built to exhaust memory or time (a 50 MB file, a "billion laughs" of nested aliases,
brackets nested thousands deep) in well under a second, naming the limit.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path

import yaml

from sim.io.files import read_file
from sim.model.errors import ScenarioError, quote

MAX_BYTES = 16 * 2**20  # 16 MiB
MAX_DEPTH = 100  # levels of nested mappings and lists
MAX_VALUES = 2_000_000  # values (scalars, mappings, lists) once every alias (`*name`) is expanded
MERGE_TAG = "tag:yaml.org,2002:merge"  # YAML's `<<: *anchor`
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when PyYAML has it: ten times faster
MAPPING_ALLOWED = "a YAML mapping of keys to values at the top of the file"


class _RepeatedKey(yaml.constructor.ConstructorError):
    """A key given twice in one mapping."""


class _UniqueKeyLoader(LOADER):
    """A safe YAML loader that refuses a key given twice in one mapping, instead of keeping the last silently."""

    def construct_mapping(self, node, deep=False):
        seen: dict[Hashable, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == MERGE_TAG:  # `<<: *anchor` merges a mapping; its keys may be overridden beside it
                continue
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):  # a list or mapping as a key: PyYAML's own error follows
                continue
            if key in seen:
                problem = f"key {quote(key)} given twice (first at line {seen[key]})"
                raise _RepeatedKey(None, None, problem, key_node.start_mark)
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: str | Path) -> dict:
    """Read a YAML file holding a mapping, refusing a missing, oversized, non-UTF-8 or malformed file, anything that
    is not a regular file (a FIFO, a device: :func:`sim.io.files.read_file`), a key given twice, and nesting or
    aliases past the limits; every error names the file (and the line and column)."""
    raw = read_file(path, MAX_BYTES, "a YAML file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        problem = f"byte {raw[e.start]:#04x} at offset {e.start} is not UTF-8 text"
        raise ScenarioError(str(path), None, "a YAML text file in UTF-8", problem=problem) from None
    return parse_yaml(text, str(path))


def parse_yaml(text: str, where: str) -> dict:
    """The mapping a YAML text holds; ``where`` names its source in errors."""
    try:
        _check_size(text, where)
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = " ".join(filter(None, (e.context, e.problem)))
        allowed = "each key once in a mapping" if isinstance(e, _RepeatedKey) else "valid YAML"
        if text[mark.index : mark.index + 1] == "\t":
            problem, allowed = "a tab character", "spaces for indentation (YAML does not allow tabs there)"
        raise ScenarioError(_at(where, mark.line, mark.column), None, allowed, problem=problem) from None
    except yaml.reader.ReaderError as e:
        line = text.count("\n", 0, e.position)
        column = e.position - (text.rfind("\n", 0, e.position) + 1)
        problem = f"character {e.character!r} cannot appear in YAML"
        raise ScenarioError(_at(where, line, column), None, "printable text", problem=problem) from None
    except yaml.YAMLError as e:
        raise ScenarioError(where, None, "valid YAML", problem=str(e).splitlines()[0]) from None
    if data is None:
        raise ScenarioError(where, None, MAPPING_ALLOWED, problem="the file holds no value")
    if not isinstance(data, dict):
        raise ScenarioError(where, data, MAPPING_ALLOWED, problem=f"the file holds a {_kind(data)}, {quote(data)}")
    return data


def _at(where: str, line: int, column: int) -> str:
    return f"{where} line {line + 1}, column {column + 1}"


def _kind(value: object) -> str:
    return "list" if isinstance(value, list) else "single value"


def _check_size(text: str, where: str) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH`, more than :data:`MAX_VALUES` values once aliases are
    expanded, and an alias inside the collection it names (``a: &a [*a]``, which never ends once expanded), from the
    parser's events (no recursion, no expansion: the cost is the length of the text)."""
    open_counts: list[list] = [[0, None]]  # per open collection: values in it so far, its anchor
    sizes: dict[str, int] = {}  # values an anchor stands for
    for event in yaml.parse(text, Loader=LOADER):
        if isinstance(event, yaml.AliasEvent) and any(anchor == event.anchor for _, anchor in open_counts):
            mark = event.start_mark
            problem = f"the alias *{event.anchor} lies inside the collection &{event.anchor} names"
            raise ScenarioError(_at(where, mark.line, mark.column), None, "aliases to finished values", problem=problem)
        if isinstance(event, yaml.CollectionStartEvent):
            if len(open_counts) > MAX_DEPTH:
                mark = event.start_mark
                limit = f"at most {MAX_DEPTH} levels of nested mappings and lists"
                problem = f"nesting deeper than {MAX_DEPTH} levels"
                raise ScenarioError(_at(where, mark.line, mark.column), None, limit, problem=problem)
            open_counts.append([1, event.anchor])
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            added, anchor = open_counts.pop()
        elif isinstance(event, yaml.ScalarEvent):
            added, anchor = 1, event.anchor
        elif isinstance(event, yaml.AliasEvent):
            added, anchor = sizes.get(event.anchor, 1), None
        else:
            continue
        if anchor is not None:
            sizes[anchor] = added
        open_counts[-1][0] += added
        if open_counts[-1][0] > MAX_VALUES:
            mark = event.start_mark
            limit = f"at most {MAX_VALUES:,} values with every alias (*name) expanded"
            problem = f"aliases expand to more than {MAX_VALUES:,} values"
            raise ScenarioError(_at(where, mark.line, mark.column), None, limit, problem=problem)
