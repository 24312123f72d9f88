"""Event records from CSV files in the common event-data shape, as a scenario's events.

Event data sets (GDELT, ICEWS, Phoenix) code what one actor did to another: a date, a source, a target and a CAMEO
code, whose Goldstein (1992) value says how cooperative or conflictual the act was (docs/model.md §3).
:func:`read_events` reads such a file, maps its actor names to the scenario's countries (or ``country.ministry``)
and returns event entries for the scenario's ``events`` (they need the scenario's ``calendar_start``, as they carry
dates)::

    data = read_yaml("conf/scenario/tokyo_2013.yaml")
    data["events"] = read_events(EXAMPLE_CSV, EXAMPLE_ACTORS)
    scenario = Scenario.from_dict(data)
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path

from sim.io.files import read_file
from sim.model import schema
from sim.model.cameo import lookup, weighted
from sim.model.errors import ScenarioError, one_of, quote
from sim.model.scenario.parse_events import check_countries_differ

# Accepted header spellings of each field, compared without case, spaces or punctuation ("Actor1Name", "CAMEO Code").
COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("date", "eventdate", "sqldate", "day"),  # GDELT SQLDATE (YYYYMMDD), ICEWS "Event Date" (YYYY-MM-DD)
    "source": ("source", "sourcename", "actor1name", "actor1", "actor1code"),
    "target": ("target", "targetname", "actor2name", "actor2", "actor2code"),
    "cameo": ("cameo", "cameocode", "eventcode", "code"),  # GDELT EventCode, ICEWS "CAMEO Code"
    "weight": ("weight",),  # optional: scales the code's Goldstein value
    "note": ("note", "notes", "description"),  # optional
}
REQUIRED = ("date", "source", "target", "cameo")
MAX_BYTES = 256 * 2**20  # an event file larger than this is refused unread
CSV_ALLOWED = (
    f"a CSV file of event records: one record a line, each with the header's fields, each field at most "
    f"{csv.field_size_limit() // 1024} KiB"
)

# The example: the 2014–2016 Japan–Russia events that tokyo_2013 replays, with the actor names of an event record.
EXAMPLE_CSV = Path(__file__).resolve().parents[1] / "data" / "japan_russia_2014_2016.csv"
EXAMPLE_ACTORS = {
    "JAPAN": "japan",
    "SHINZO ABE": "japan.leader",
    "RUSSIA": "russia",
    "VLADIMIR PUTIN": "russia.leader",
    "RUSSIAN MILITARY": "russia.defence",
}


def read_events(path: str | Path, actors: Mapping[str, str]) -> list[dict]:
    """The events of a CSV file as scenario event entries: ``date``, ``source``, ``target``, ``cameo``, ``note``.

    ``actors`` maps the file's actor names (compared without case) to the scenario's actors. A ``weight`` column
    scales each code's Goldstein value; without a ``note`` column, each note names the file and line. Each record is
    one line with as many fields as the header: a quoted field that runs over a line break (an unterminated quote
    swallows the records after it), a stray quote, a missing or an extra field, an unknown code or actor, a bad date
    or weight raise :class:`ScenarioError` naming the file, line (and column).
    """
    path = Path(path)
    names = {_actor_key(name, "actors"): schema.text(actor, f"actors.{name}") for name, actor in actors.items()}
    raw = read_file(path, MAX_BYTES, "a readable file of event records")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScenarioError(str(path), None, "a CSV file in UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)  # else as Excel
    entries, end = [], 0  # end: the last line of the last record read
    try:
        header = next(reader, [])
        columns = _columns(header, path)
        end = reader.line_num
        for row in reader:
            line, end = end + 1, reader.line_num
            if row:
                _check_record(row, len(header), line, end, path)
                entries.append(_entry(dict(zip(header, row, strict=True)), columns, names, path, line))
    except csv.Error as e:  # a field over csv.field_size_limit() (128 KiB), a quote left open at the end…
        raise ScenarioError(f"{path} line {end + 1}", None, CSV_ALLOWED, problem=str(e)) from None
    return entries


def _check_record(row: list[str], fields: int, line: int, end: int, path: Path) -> None:
    """A record is one line (``line`` to ``end``) with as many fields as the header."""
    if end > line:
        problem = f"a quoted field runs from line {line} over {end - line} line break(s) (an unterminated quote?)"
        raise ScenarioError(f"{path} line {line}", None, CSV_ALLOWED, problem=problem)
    if len(row) != fields:
        problem = f"{len(row)} field(s) where the header has {fields}"
        raise ScenarioError(f"{path} line {line}", None, CSV_ALLOWED, problem=problem)


def _actor_key(name: object, path: str) -> str:
    return schema.text(name, path).strip().casefold()


def _delimiter(text: str) -> str:
    """Comma-, semicolon- or tab-separated, as the header line shows (its quoting rules guessed from one line would
    let a stray quote pass)."""
    try:
        return csv.Sniffer().sniff(text.partition("\n")[0], delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _columns(header: list[str], path: Path) -> dict[str, str]:
    """The file's column for each field: the first header with an accepted spelling."""
    by_key: dict[str, str] = {}
    for h in header:
        key = "".join(ch for ch in h.casefold() if ch.isalnum())
        if key in by_key:  # csv.DictReader would silently keep the later column
            problem = f"columns {quote(by_key[key])} and {quote(h)} have the same name"
            raise ScenarioError(f"{path} line 1", None, "each column named once", problem=problem)
        by_key[key] = h
    found = {
        f: next(by_key[s] for s in spellings if s in by_key)
        for f, spellings in COLUMNS.items()
        if by_key.keys() & set(spellings)
    }
    missing = [f for f in REQUIRED if f not in found]
    if missing:
        raise ScenarioError(
            f"{path} line 1",
            header,
            f"a header with columns for {', '.join(REQUIRED)} (missing: {', '.join(missing)}; "
            "GDELT's SQLDATE, Actor1Name, Actor2Name, EventCode are understood)",
        )
    return found


def _entry(row: Mapping, columns: dict[str, str], names: dict[str, str], path: Path, line: int) -> dict:
    """One row as a scenario event entry."""

    def cell(field: str) -> str:
        return (row.get(columns[field]) or "").strip() if field in columns else ""

    def where(field: str) -> str:
        return f"{path} line {line}, {columns[field]}"

    date = cell("date")
    schema.month(date, where("date"))
    source, target = (_actor(cell(f), names, where(f)) for f in ("source", "target"))
    check_countries_differ(source, target, where("target"))
    code = lookup(cell("cameo"), where("cameo"))
    entry = {"date": date, "source": source, "target": target, "cameo": code.code}
    if cell("weight"):
        entry["weight"] = _weight(cell("weight"), code.goldstein, where("weight"))
    entry["note"] = cell("note") or f"{path.name} line {line}"
    return entry


def _actor(name: str, names: dict[str, str], path: str) -> str:
    actor = names.get(name.casefold())
    if actor is None:
        raise ScenarioError(path, name, f"an actor named in the mapping: {one_of(names, name.casefold())}")
    return actor


def _weight(text: str, goldstein: float, path: str) -> float:
    try:
        weight = float(text)
    except ValueError:
        raise ScenarioError(path, text, "a number ≥ 0") from None
    weighted(goldstein, schema.number(weight, path, 0.0), path)
    return weight
