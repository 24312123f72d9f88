"""Hydra overrides checked before a command runs, each mistake as negsim's one line with the nearest valid name.

Hydra reports a misspelt key, an unknown option or bad syntax in several lines with exit 1 and no suggestion, and
accepts ``+new_key=1`` silently. :func:`checked_configs` composes the command line with Hydra's public compose API
before the app runs (every value of a sweep once: the sum of the values' counts, not their product) and raises a
:class:`ScenarioError` naming the override, what is wrong and what is allowed. :func:`explained` turns any Hydra
exception into the same form, for whatever the check cannot foresee. ``negsim sensitivity`` and the teaching texts
use the same messages.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, redirect_stderr
from pathlib import Path
from typing import TextIO

from hydra import compose, initialize_config_dir
from hydra._internal.utils import get_args_parser  # Hydra's own command-line parser: the same flags, read the same way
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override, ValueType
from hydra.errors import HydraException, MissingConfigException, OverrideParseException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException

from sim.cli.errors import LAUNCHERS, MissingExtra, installed
from sim.io.library import config_dir
from sim.io.yaml_files import read_yaml
from sim.model.errors import ScenarioError, one_of, quote

SYNTAX = "key=value (https://hydra.cc/docs/advanced/override_grammar/basic/)"
EXCLUSIVE = ("run", "multirun", "cfg", "info", "shell_completion")  # Hydra takes one of these at a time
PATHS = ("design.ranges.",)  # keys that name other keys (a design's ranges): checked by sim.study.designs
NOT_CHECKED = ("info", "shell_completion", "experimental_rerun")  # flags that run no job: left to Hydra


def hydra_arguments(argv: Sequence[str]) -> argparse.Namespace:
    """The command line as Hydra reads it (flags and overrides); a bad flag is a :class:`ScenarioError`."""
    parser = get_args_parser()

    def refuse(message: str) -> None:
        raise ScenarioError(
            "flags", " ".join(argv), "Hydra's flags (--help, --cfg job, --config-dir DIR, …)", problem=message
        )

    parser.error = refuse  # argparse's own error prints usage and exits; negsim says it in one line
    args = parser.parse_args(list(argv))
    modes = [f"--{mode}" for mode in EXCLUSIVE if getattr(args, mode)]
    if len(modes) > 1:  # `negsim sweep` is Hydra's --multirun
        refuse(f"{' and '.join(modes)} together (`negsim run --cfg job …` shows a sweep's config)")
    return args


def checked_configs(argv: Sequence[str], *, multirun: bool) -> list[DictConfig]:
    """The configs a Hydra command line composes to (one per distinct value of each swept key), or a
    :class:`ScenarioError` for the first override that Hydra would refuse or that adds an unknown key."""
    args = hydra_arguments(argv)
    if any(getattr(args, flag) for flag in NOT_CHECKED):
        return []
    parsed = [_parse(o) for o in args.overrides]
    variants = _variants(parsed, multirun)
    search = _search_path(args)
    extra = [f"hydra.searchpath=[{','.join(f'file://{d}' for d in search[1:])}]"] if len(search) > 1 else []
    _screen_files(parsed, search)
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(search[0]), version_base="1.3"):
        configs = [_compose(args.config_name or "config", [*extra, *v]) for v in variants]
        if any(p.is_add() for p in parsed):
            without_adds = [o for o in variants[0] if not o.startswith("+") or o.startswith("++")]
            _check_adds(parsed, _compose(args.config_name or "config", [*extra, *without_adds]))
    return configs


def _parse(override: str) -> Override:
    try:
        return OverridesParser.create().parse_overrides([override])[0]
    except OverrideParseException as e:
        raise explained(e, override) from None


def _variants(parsed: list[Override], multirun: bool) -> list[list[str]]:
    """Override lists that together give every swept value once: the first value of every sweep, then each other
    value of one sweep with the first of the others."""
    base: list[str | None] = [p.input_line for p in parsed]
    others = []
    for i, p in enumerate(parsed):
        if not p.is_sweep_override():
            continue
        if not multirun:
            raise ScenarioError(
                p.input_line,
                None,
                f"one value per key in `negsim run`; several values make a sweep: negsim sweep {p.input_line}",
                problem="several values",
            )
        if not p.is_discrete_sweep():
            raise ScenarioError(
                p.input_line,
                None,
                "a list of values a,b,c or range(start,stop[,step])",
                problem="an interval cannot be swept on a grid",
            )
        if p.value_type is ValueType.GLOB_CHOICE_SWEEP:  # glob(…) needs Hydra's config loader: checked by Hydra
            base[i] = None
            continue
        key = p.get_key_element()
        values = [f"{key}={v}" for v in p.sweep_string_iterator()]
        if not values:
            raise ScenarioError(p.input_line, None, "at least one value", problem="the sweep is empty")
        base[i] = values[0]
        others += [(i, v) for v in values[1:]]
    variants = [base] + [[*base[:i], v, *base[i + 1 :]] for i, v in others]
    return [[o for o in v if o is not None] for v in variants]


def _search_path(args: argparse.Namespace) -> list[Path]:
    """Where Hydra looks for configs: negsim's conf/ (or --config-path), then --config-dir."""
    primary = Path(args.config_path).resolve() if args.config_path else config_dir()
    return [primary, *([Path(args.config_dir).resolve()] if args.config_dir else [])]


def _screen_files(parsed: list[Override], search: list[Path]) -> None:
    """Read every config file an override names (``scenario=NAME``) with negsim's safe YAML reader first, so that a
    file built to exhaust memory (nested aliases, huge, nested thousands deep) is refused before Hydra expands it."""
    for p in parsed:
        if p.is_delete() or p.value() is None or p.value_type is ValueType.GLOB_CHOICE_SWEEP:
            continue
        options = list(p.sweep_string_iterator()) if p.is_sweep_override() else [p.get_value_element_as_str()]
        for directory in search:
            for option in options:
                path = directory / p.key_or_group / f"{option}.yaml"
                if (directory / p.key_or_group).is_dir() and path.is_file():
                    read_yaml(path)


def _compose(config_name: str, overrides: list[str]) -> DictConfig:
    try:
        return compose(config_name, overrides, return_hydra_config=True)
    except HydraException as e:
        raise explained(e, culprit(e, overrides)) from None


def culprit(error: HydraException, overrides: list[str]) -> str:
    """The override a composition error is about (only a parse error names it)."""
    cause = error.__cause__
    named = getattr(cause, "full_key", None) or getattr(error, "missing_cfg_file", None) or str(error)
    for o in reversed(overrides):
        key = o.split("=", 1)[0].lstrip("+~").split("@", 1)[0]
        if key and (named.startswith(key) or key.startswith(str(named)) or f"'{key}" in str(error)):
            return o
    return " ".join(overrides)


def _check_adds(parsed: list[Override], before: DictConfig) -> None:
    """``+key=value`` may add a leaf beside existing keys, or choose a config group; a new top-level key, or a path
    through keys that do not exist (``+scenario.countries.japan.ministries.foriegn.x=1``), is a misspelling."""
    groups = set(before.hydra.runtime.choices)
    for p in parsed:
        if not p.is_add() or p.key_or_group in groups or "/" in p.key_or_group or p.key_or_group.startswith(PATHS):
            continue
        path = p.key_or_group.split(".")
        node, where = before, []
        for depth, name in enumerate(path):
            known = [str(k) for k in node if k != "hydra"] if isinstance(node, DictConfig) else []
            if name in known:
                node, where = node[name], [*where, name]
                continue
            if where and depth == len(path) - 1:
                break  # a new leaf beside existing keys
            at = ".".join(where) or "the top level"
            allowed = one_of(known, name) + ("" if where else "; new keys go inside the scenario (+scenario.…)")
            raise ScenarioError(p.input_line, None, allowed, problem=f"no key {quote(name)} at {at}")


def explained(error: Exception, override: str) -> ScenarioError:
    """A Hydra or OmegaConf exception about ``override`` as negsim's one-line error."""
    if isinstance(error, OverrideParseException):
        lines = error.message.splitlines()
        if lines[0].startswith("LexerNoViableAltException") and len(lines) > 1 and "^" in lines[1]:
            at = lines[1].index("^") - len("LexerNoViableAltException: ")
            bad = override[at] if 0 <= at < len(override) else "?"
            return ScenarioError(
                override,
                None,
                "letters, digits and _ in keys; other characters in a quoted value: key='…'",
                problem=f"character {bad!r} at position {at + 1} cannot be used here",
            )
        return ScenarioError(override, None, SYNTAX, problem=f"not an override ({lines[0]})")
    if isinstance(error, MissingConfigException):
        group, _, option = (error.missing_cfg_file or "").rpartition("/")
        if group == "hydra/launcher" and option in LAUNCHERS and not installed(LAUNCHERS[option]):
            return MissingExtra(LAUNCHERS[option])  # a launcher (or a default of one) whose extra is missing
    if isinstance(error, MissingConfigException) and error.options is not None:
        return ScenarioError(f"{group}={option}", None, one_of(error.options, option), problem=f"no {group} {option!r}")
    cause = error.__cause__
    if isinstance(cause, ConfigKeyError | ConfigAttributeError) and cause.parent_node is not None:
        known = [str(k) for k in cause.parent_node if k != "hydra"]
        at = str(cause.full_key).rpartition(".")[0] or "the top level"
        return ScenarioError(override, None, one_of(known, cause.key), problem=f"no key {quote(cause.key)} at {at}")
    text = str(error)
    key = override.split("=", 1)[0].lstrip("+~")
    if text.startswith("Could not append to config. An item is already at"):
        return ScenarioError(
            override, None, f"{override.lstrip('+')} (without +) to change it", problem=f"{key!r} exists already"
        )
    if text.startswith("Could not delete from config."):
        return ScenarioError(
            override,
            None,
            "a key the config has (negsim run --cfg job shows them)",
            problem=f"no key {key!r} to delete",
        )
    first = next((line for line in text.splitlines() if line.strip()), type(error).__name__)
    if isinstance(cause, OmegaConfBaseException):
        first = f"{first} ({str(cause).splitlines()[0]})"
    return ScenarioError(override, None, "see negsim run --help and `--cfg job` for the keys", problem=first[:200])


class _Without:
    """Standard error without Hydra's "Error executing job with overrides: […]" line (written before it re-raises a
    failed job's exception, which negsim then reports in its own line)."""

    HYDRA_LINE = "Error executing job with overrides:"

    def __init__(self, stream: TextIO):
        self.stream = stream

    def write(self, text: str) -> int:
        return len(text) if text.startswith(self.HYDRA_LINE) else self.stream.write(text)

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


@contextmanager
def hydra_errors(argv: Sequence[str]) -> Iterator[None]:
    """Around a Hydra app: whatever Hydra raises that the check did not foresee, as negsim's one line."""
    try:
        with redirect_stderr(_Without(sys.stderr)):
            yield
    except (HydraException, OmegaConfBaseException) as e:
        raise explained(e, " ".join(argv)) from None


def resolved(config: DictConfig, key: str) -> object:
    """A value of the composed config with its ``${…}`` resolved, or a :class:`ScenarioError` saying why not."""
    try:
        return OmegaConf.select(config, key, throw_on_missing=True)
    except OmegaConfBaseException as e:
        raise ScenarioError(key, None, "a value whose ${…} resolves", problem=str(e).splitlines()[0]) from None


def config_file(config: str, kind: str) -> tuple[Path, str, list[str]] | None:
    """A study command's ``config=`` given as a YAML file: (its folder, its name, the overrides that let its defaults
    name configs of ``conf/``), read safely first (size, nesting, aliases, duplicate keys) before Hydra's own reader;
    None when ``config`` is not a file but the name of a shipped ``kind`` of config."""
    if not (config.endswith((".yaml", ".yml")) or Path(config).is_file()):
        return None
    path = Path(config).resolve()
    if not path.is_file():
        raise ScenarioError("config", config, f"a readable YAML file or a shipped {kind}")
    read_yaml(path)
    return path.parent, path.stem, [f"hydra.searchpath=[file://{config_dir()}]"]


def composed(
    directory: Path, primary: str, overrides: Sequence[str], *, selection: Sequence[str] = (), job: str
) -> dict:
    """A study command's config: ``primary`` from ``directory``, composed by Hydra with ``selection`` (what the command
    chose) then the user's ``overrides``, resolved to plain values; a mistake is one :class:`ScenarioError`."""
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(directory), version_base="1.3", job_name=job):
            config = compose(primary, overrides=[*selection, *overrides])
        return OmegaConf.to_container(config, resolve=True, throw_on_missing=True)
    except HydraException as error:
        raise explained(error, culprit(error, list(overrides))) from None
    except OmegaConfBaseException as error:  # a value left missing (???) or an interpolation that cannot resolve
        raise explained(error, " ".join(overrides)) from None


def config_argument(argv: Sequence[str], names: Sequence[str]) -> tuple[str, list[str]]:
    """A study command's one ``config=NAME`` (NAME one of ``names`` or a file) and its other arguments."""
    configs = [a for a in argv if a.startswith("config=")]
    if len(configs) != 1:
        given = [c.partition("=")[2] for c in configs]
        raise ScenarioError("config", given, f"one config=NAME, NAME {one_of(names, None)}")
    return configs[0].partition("=")[2], [a for a in argv if a not in configs]
