"""Hydra overrides checked before a command runs, each mistake as negsim's one line with the nearest valid name.

Hydra reports a misspelt key, an unknown option or bad syntax in several lines with exit 1 and no suggestion, and
accepts ``+new_key=1`` silently. :func:`checked_configs` composes the command line with Hydra's public compose API
before the app runs (every value of a sweep once: the sum of the values' counts, not their product; the values of a
plain setting checked alone, in one pass) and raises a :class:`ScenarioError` naming the override, what is wrong and
what is allowed. Every config file Hydra loads is read by negsim's safe reader first (:func:`screened_config_files`).
:func:`explained` turns any Hydra exception into the same form, for whatever the check cannot foresee. ``negsim
sensitivity`` and the teaching texts use the same messages.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, redirect_stderr
from pathlib import Path
from types import MappingProxyType
from typing import TextIO

from hydra import compose, initialize_config_dir
from hydra._internal.sources_registry import SourcesRegistry
from hydra._internal.utils import get_args_parser  # Hydra's own command-line parser: the same flags, read the same way
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override, QuotedString, Transformer, ValueType
from hydra.core.plugins import Plugins
from hydra.errors import HydraException, MissingConfigException, OverrideParseException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException
from tqdm import tqdm

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


ValueCheck = Callable[[object, str], object]  # a check of one value of a setting: (value, key) → the value, or raises


def checked_configs(
    argv: Sequence[str], *, multirun: bool, by_value: Mapping[str, ValueCheck] = MappingProxyType({})
) -> list[DictConfig]:
    """The configs a Hydra command line composes to (one per distinct value of each swept key), or a
    :class:`ScenarioError` for the first override that Hydra would refuse or that adds an unknown key.

    The other values of a sweep of a plain setting that ``by_value`` checks (``seed=range(0,100000)``: key → a check
    of one value, as :mod:`sim.cli.settings` has) are checked by that check alone, in one pass, rather than each
    composed: composing takes a tenth of a second, checking a value a microsecond."""
    args = hydra_arguments(argv)
    if any(getattr(args, flag) for flag in NOT_CHECKED):
        return []
    parsed = [_parse(o) for o in args.overrides]
    variants, alone = _variants(parsed, multirun, by_value)
    search = _search_path(args)
    extra = [f"hydra.searchpath=[{','.join(f'file://{d}' for d in search[1:])}]"] if len(search) > 1 else []
    GlobalHydra.instance().clear()
    bar = tqdm(total=len(variants), desc="negsim: checking the sweep", unit="value", delay=2, disable=None, leave=False)
    with screened_config_files(), initialize_config_dir(config_dir=str(search[0]), version_base="1.3"), bar:
        configs = []
        for v in variants:
            configs.append(_compose(args.config_name or "config", [*extra, *v]))
            bar.update()
        if any(p.is_add() for p in parsed):
            without_adds = [o for o in variants[0] if not o.startswith("+") or o.startswith("++")]
            _check_adds(parsed, _compose(args.config_name or "config", [*extra, *without_adds]))
    for key, value in alone:
        by_value[key](value, key)
    return configs


def _parse(override: str) -> Override:
    try:
        return OverridesParser.create().parse_overrides([override])[0]
    except OverrideParseException as e:
        raise explained(e, override) from None


def _variants(
    parsed: list[Override], multirun: bool, by_value: Mapping[str, ValueCheck]
) -> tuple[list[list[str]], list[tuple[str, object]]]:
    """Override lists that together give every swept value once: the first value of every sweep, then each other
    value of one sweep with the first of the others; except the other values of a key ``by_value`` checks that are
    plain values (a number, a name, no ``${…}``), returned as (key, value) to be checked alone."""
    base: list[str | None] = [p.input_line for p in parsed]
    others, alone = [], []
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
        values = list(p.sweep_iterator())
        if not values:
            raise ScenarioError(p.input_line, None, "at least one value", problem="the sweep is empty")
        base[i] = f"{key}={Transformer.str(values[0])}"
        for value in values[1:]:
            plain = _plain(value)
            if p.key_or_group in by_value and plain is not None and not p.is_add():
                alone.append((p.key_or_group, plain))
            else:
                others.append((i, f"{key}={Transformer.str(value)}"))
    variants = [base] + [[*base[:i], v, *base[i + 1 :]] for i, v in others]
    return [[o for o in v if o is not None] for v in variants], alone


def _plain(value: object) -> object:
    """A swept value as the config holds it, if it is a plain value (a number, true or false, a text without
    ``${…}``); None otherwise (null, a list, a mapping, an interpolation: composed to be checked)."""
    text = value.text if isinstance(value, QuotedString) else value
    if isinstance(text, str) and "${" in text:
        return None
    return text if isinstance(text, int | float | str) else None


def _search_path(args: argparse.Namespace) -> list[Path]:
    """Where Hydra looks for configs: negsim's conf/ (or --config-path), then --config-dir."""
    primary = Path(args.config_path).resolve() if args.config_path else config_dir()
    return [primary, *([Path(args.config_dir).resolve()] if args.config_dir else [])]


@contextmanager
def screened_config_files() -> Iterator[None]:
    """While it lasts, every config file Hydra loads from a folder, whatever route names it (negsim's conf/,
    ``--config-dir``, ``hydra.searchpath=[file://DIR]``, a study's file and the files its defaults choose), is read
    first by negsim's safe reader (:func:`sim.io.yaml_files.read_yaml`): a FIFO or a device, a file over 16 MiB,
    nested or recursive aliases, nesting thousands deep are refused in one line before Hydra's own reader expands
    them. Hydra has no hook for this: its file source's loader is wrapped, and restored on leaving. Each file is read
    once while unchanged."""
    Plugins.instance()  # Hydra's plugin scan registers its config sources first (it may re-execute their modules)
    source_class = SourcesRegistry.instance().resolve("file")  # the class Hydra's config repository uses
    original = source_class.load_config
    if getattr(original, "screened", False):  # inside another screened block
        yield
        return
    seen: set[tuple] = set()

    def load_config(source, config_path: str):
        path = os.path.realpath(os.path.join(source.path, source._normalize_file_name(config_path)))
        try:
            info = os.stat(path)
        except OSError:  # missing: Hydra says so
            return original(source, config_path)
        if (key := (path, info.st_ino, info.st_size, info.st_mtime_ns)) not in seen:
            read_yaml(path)
            seen.add(key)
        return original(source, config_path)

    load_config.screened = True
    source_class.load_config = load_config
    try:
        yield
    finally:
        source_class.load_config = original


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
    name configs of ``conf/``), None when ``config`` is not a file but the name of a shipped ``kind`` of config. Like
    every config file, :func:`composed` reads it safely first (:func:`screened_config_files`)."""
    if not (config.endswith((".yaml", ".yml")) or Path(config).is_file()):
        return None
    path = Path(config).resolve()
    if not path.is_file():
        raise ScenarioError("config", config, f"a readable YAML file or a shipped {kind}")
    return path.parent, path.stem, [f"hydra.searchpath=[file://{config_dir()}]"]


def composed(
    directory: Path, primary: str, overrides: Sequence[str], *, selection: Sequence[str] = (), job: str
) -> dict:
    """A study command's config: ``primary`` from ``directory``, composed by Hydra with ``selection`` (what the command
    chose) then the user's ``overrides``, resolved to plain values; a mistake is one :class:`ScenarioError`."""
    GlobalHydra.instance().clear()
    try:
        with screened_config_files(), initialize_config_dir(str(directory), version_base="1.3", job_name=job):
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
