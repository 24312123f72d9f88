"""Fuzzing the input: whatever a user writes ends in a scenario that runs, or in one ScenarioError — nothing else.

Hypothesis mutates the shipped scenarios (dropped keys, wrong types, out-of-range numbers, misspelt names, nested
junk), edits their YAML text, feeds arbitrary YAML-ish values, and passes mutated scenarios through OmegaConf as
Hydra does. A valid result must simulate without NaN and be written whole by ``write_run``; nothing may hang.
"""

from __future__ import annotations

import copy
import functools
import math
import operator
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import stopped_after
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.io.library import config_dir, load_scenario, read_yaml
from sim.io.run_output import write_run
from sim.model.errors import ScenarioError
from sim.model.run import simulate
from sim.model.scenario.specs import ScenarioSpec

BASES = ("tokyo_2013", "shared_threat")  # two and three countries, scheduled and random events
ROUNDS = 6
DROP = object()  # a mutation that deletes the key
SECONDS = 10  # per example: anything slower counts as a hang
NAMES = ["japan", "russia", "north_korea", "leader", "foreign", "defence", "islands", "peace_treaty", "none", "150"]
ODD_NUMBERS = [-1, -0.5, 0, 0.5, 1.5, 2, 1e9, -1e9, 10**30, math.nan, math.inf, -math.inf, True, "0.5"]
ALPHABET = "abcdefghijklmnopqrstuvwxyz_-.: 0123456789éü"  # no "$" or "???", which OmegaConf reads as interpolations

SETTINGS = settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

text = st.text(alphabet=ALPHABET, max_size=8) | st.sampled_from(NAMES)
leaves = st.none() | st.booleans() | st.integers() | st.floats() | text
junk = st.recursive(
    leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3), max_leaves=8
)


BASE_DICTS = {name: read_yaml(config_dir() / "scenario" / f"{name}.yaml") for name in BASES}
BASE_TEXTS = {name: (config_dir() / "scenario" / f"{name}.yaml").read_text() for name in BASES}


def key_paths(node, prefix: tuple = ()) -> Iterator[tuple]:
    """The path (keys and list indices) of every value in a nested structure of mappings and lists."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield (*prefix, key)
        yield from key_paths(value, (*prefix, key))


def at(data, path):
    return functools.reduce(operator.getitem, path, data)


def distinct_places(data: dict) -> list[tuple]:
    """One path per place in the schema: list items and the countries' names (japan, russia) are alike."""
    countries = set(data["countries"])
    shapes: dict[tuple, tuple] = {}
    for path in key_paths(data):
        shapes.setdefault(tuple(0 if isinstance(k, int) else "C" if k in countries else k for k in path), path)
    return list(shapes.values())


def misspell(word: str, k: int) -> str:
    if not word:
        return "x"
    i = k % len(word)
    return [word[:i] + word[i + 1 :], word[:i] + word[i] * 2 + word[i + 1 :], word.upper(), f" {word}"][k % 4]


@st.composite
def mutated(draw) -> dict:
    """A shipped scenario with one to four mutations anywhere in it."""
    data = copy.deepcopy(BASE_DICTS[draw(st.sampled_from(BASES))])
    for _ in range(draw(st.integers(1, 4))):
        groups: dict[tuple[int, bool], list[tuple]] = {}  # by depth and holding a container or not, so that the
        for path in key_paths(data):  # few structural keys are hit as often as the many leaves
            groups.setdefault((len(path), isinstance(at(data, path), dict | list)), []).append(path)
        paths = groups[draw(st.sampled_from(sorted(groups)))]
        *parents, key = paths[draw(st.integers(0, len(paths) - 1))]
        container = at(data, parents)
        op = draw(st.sampled_from(["drop", "junk", "number", "misspell", "rename", "wrap", "none"]))
        value = container[key]
        if op == "drop":
            del container[key]
        elif op == "junk":
            container[key] = draw(junk)
        elif op == "number":
            container[key] = draw(st.sampled_from(ODD_NUMBERS))
        elif op == "misspell" and isinstance(value, str):
            container[key] = misspell(value, draw(st.integers(0, 100)))
        elif op == "rename" and isinstance(container, dict) and isinstance(key, str):
            container[misspell(key, draw(st.integers(0, 100)))] = container.pop(key)
        elif op == "wrap":
            container[key] = [value]
        elif op == "none":
            container[key] = None
    return data


def outcome(data, directory: Path) -> ScenarioSpec | ScenarioError:
    """Check ``data`` and, if valid, run it and write it; return the scenario or the error."""
    with stopped_after(SECONDS):
        try:
            scenario = ScenarioSpec.from_dict(data)
        except ScenarioError as error:
            assert str(error).startswith("scenario")
            return error
        result = simulate(scenario, rounds=ROUNDS)
        assert np.isfinite(result.ministry_states).all() and np.isfinite(result.country_states).all()
        assert ((result.ministry_states >= 0) & (result.ministry_states <= 1)).all()
        for table in result.tables().values():
            assert not table.select_dtypes("number").isna().any().any()
        out = write_run(result, directory / "run", config={"scenario": data}, plot=False)
        assert (out / "summary.json").is_file()
        assert not [p for p in directory.iterdir() if "partial" in p.name]
        return scenario


def same(a: ScenarioSpec | ScenarioError, b: ScenarioSpec | ScenarioError) -> bool:
    """The same error (by key path) or the same scenario (by value)."""
    if isinstance(a, ScenarioError) or isinstance(b, ScenarioError):
        return type(a) is type(b) and a.path == b.path
    fields = ("countries", "cooperation", "frictions", "talks", "formats", "calendar", "events", "random_events")
    return all(getattr(a, f) == getattr(b, f) for f in fields)


@SETTINGS
@given(data=mutated())
def test_mutated_scenarios_run_or_fail_cleanly(data, tmp_path):
    outcome(data, tmp_path)


@settings(SETTINGS, max_examples=25)
@given(data=mutated())
def test_hydra_containers_behave_like_plain_mappings(data, tmp_path):
    """Hydra hands the scenario over as an OmegaConf container (or converts it): same checks, same result."""
    try:
        config = OmegaConf.create(data)
        converted = OmegaConf.to_container(config, resolve=True)
    except OmegaConfBaseException:
        return  # Hydra itself refuses it, before negsim sees it
    plain = outcome(data, tmp_path)
    assert same(plain, outcome(converted, tmp_path))
    with stopped_after(SECONDS):
        try:
            direct: ScenarioSpec | ScenarioError = ScenarioSpec.from_dict(config)
        except ScenarioError as error:
            direct = error
    assert same(plain, direct)


@SETTINGS
@given(value=junk)
def test_arbitrary_values_are_refused_cleanly(value, tmp_path):
    assert isinstance(outcome(value, tmp_path), ScenarioError)


@settings(SETTINGS, max_examples=40)
@given(
    name=st.sampled_from(BASES),
    edits=st.lists(
        st.tuples(
            st.integers(0, 10**6),
            st.sampled_from(["", "\t", " ", ":", "-", "[", "{", "'", "#", "\n", "&a", "*a", "!!python/none"]),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_edited_yaml_text_loads_or_fails_cleanly(name, edits, tmp_path):
    """Typing slips in the YAML file itself: bad indentation, stray brackets, tabs, anchors, tags."""
    edited = BASE_TEXTS[name]
    for position, typed in edits:  # each slip replaces one character
        i = position % len(edited)
        edited = edited[:i] + typed + edited[i + 1 :]
    path = tmp_path / "edited.yaml"
    path.write_text(edited)
    try:
        data = read_yaml(path)
    except ScenarioError:
        return
    outcome(data, tmp_path)


@SETTINGS
@given(value=junk)
def test_any_yaml_document_loads_or_fails_cleanly(value, tmp_path):
    path = tmp_path / "junk.yaml"
    path.write_text(yaml.safe_dump(value))
    with pytest.raises(ScenarioError):
        load_scenario(path)


def test_every_key_dropped_or_given_a_wrong_type():
    """Exhaustively: each place in tokyo_2013 dropped or given each kind of wrong value, one at a time."""
    tokyo = BASE_DICTS["tokyo_2013"]
    for *parents, key in distinct_places(tokyo):
        for value in (DROP, None, True, 5, "x", []):
            data = copy.deepcopy(tokyo)
            container = at(data, parents)
            if value is DROP:
                del container[key]
            else:
                container[key] = value
            with stopped_after(SECONDS), suppress(ScenarioError):
                result = simulate(ScenarioSpec.from_dict(data), rounds=2, ministry_every=0)
                assert np.isfinite(result.country_states).all()


# --- hostile YAML: aliases, nesting, sizes; messages built from any value stay short -------------------------------


@st.composite
def aliased_yaml(draw) -> str:
    """A YAML mapping whose values are nested lists of scalars and of aliases to the values defined before them."""

    def value(defined: int, depth: int) -> str:
        kind = draw(st.sampled_from(["scalar", "alias", "list"] if depth < 4 else ["scalar", "alias"]))
        if kind == "alias" and defined:
            return f"*v{draw(st.integers(0, defined - 1))}"
        if kind == "list":
            return "[" + ", ".join(value(defined, depth + 1) for _ in range(draw(st.integers(0, 6)))) + "]"
        return draw(st.sampled_from(["1", "x", "0.5", "null", "'q'"]))

    lines = [f"k{k}: &v{k} [{value(k, 1)}]" for k in range(draw(st.integers(1, 6)))]
    return "\n".join(lines) + "\n"


def expanded_values(value) -> int:
    """Values in a structure with every shared (aliased) part counted each time it appears, as the limit counts."""
    if isinstance(value, dict):
        return 1 + sum(expanded_values(v) + 1 for v in value.values())  # a key is a value too
    if isinstance(value, list):
        return 1 + sum(expanded_values(v) for v in value)
    return 1


@SETTINGS
@given(text=aliased_yaml())
def test_the_alias_limit_counts_exactly_the_expanded_values(text, tmp_path, monkeypatch):
    """Just at the count, a document loads; one value fewer allowed and it is refused, naming the limit."""
    import sim.io.yaml_files as yaml_files

    count = expanded_values(yaml.safe_load(text))
    monkeypatch.setattr(yaml_files, "MAX_VALUES", count)
    assert yaml_files.parse_yaml(text, "doc") == yaml.safe_load(text)
    monkeypatch.setattr(yaml_files, "MAX_VALUES", count - 1)
    with pytest.raises(ScenarioError, match=f"aliases expand to more than {count - 1:,} values"):
        yaml_files.parse_yaml(text, "doc")


@SETTINGS
@given(depth=st.integers(1, 3000), kind=st.sampled_from(["[", "{a: ", "- "]))
def test_any_nesting_loads_or_is_refused_naming_the_limit(depth, kind, tmp_path):
    closing = {"[": "]", "{a: ": "}", "- ": ""}[kind]
    if kind == "- ":
        text = "".join(f"{'  ' * i}- \n" for i in range(depth)) + f"{'  ' * depth}x\n"
        text = "a:\n" + "".join("  " + line + "\n" for line in text.splitlines())
    else:
        text = "a: " + kind * depth + "1" + closing * depth + "\n"
    path = tmp_path / "deep.yaml"
    path.write_text(text)
    with stopped_after(SECONDS):
        try:
            data = read_yaml(path)
        except ScenarioError as error:
            assert depth >= 99 and str(error).startswith(str(path))
            assert len(str(error)) < 400
            return
    assert isinstance(data, dict)


@settings(SETTINGS, max_examples=60)
@given(value=junk, depth=st.integers(0, 200), width=st.integers(0, 10**6))
def test_an_error_quotes_any_value_in_a_few_characters(value, depth, width):
    """However large or deep the value, its quote (and so the message) stays short and is built at once."""
    for _ in range(depth):
        value = [value, value]  # shared, as an alias bomb is: 2^depth values once expanded
    value = {"wide": "x" * width, "deep": value, "big": 10**width if width < 5000 else width}
    with stopped_after(1):
        message = str(ScenarioError("scenario.x", value, "anything"))
    assert len(message) < 200
