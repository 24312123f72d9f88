"""Finding and loading scenarios: by name from the shipped ``conf/scenario/`` or the synthetic generator
(``synthetic:N``), from a YAML file, or from a mapping (a scenario as written, or a ``synthetic`` spec)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from sim.io.synthetic import synthetic_scenario
from sim.io.yaml_files import read_yaml
from sim.model import schema
from sim.model.errors import ScenarioError, one_of
from sim.model.scenario.specs import ScenarioSpec

SYNTHETIC = "synthetic:"  # synthetic:N, N countries from sim.io.synthetic
MAX_SYNTHETIC = 500  # countries; each ministry lists confidence in every foreign one, so checking grows as N²
SYNTHETIC_SPEC = ("countries", "seed", "partners", "forum_every", "talks_share")  # sim.io.synthetic's arguments


def config_dir() -> Path:
    """The Hydra config directory: inside the installed package, or ``conf/`` beside it in a source checkout."""
    package = Path(__file__).resolve().parents[1]  # sim/
    for candidate in (package / "conf", package.parent / "conf"):
        if (candidate / "config.yaml").is_file():
            return candidate
    raise FileNotFoundError(f"no conf/config.yaml beside {package}")


def available_scenarios() -> list[str]:
    """Names of the shipped scenarios (``synthetic`` among them: ``synthetic:N`` also names one of N countries)."""
    return sorted(p.stem for p in (config_dir() / "scenario").glob("*.yaml"))


def scenario_data(source: object) -> Mapping:
    """A scenario as written (before checking): from a shipped name (``"tokyo_2013"``, ``"synthetic:50"``), a YAML
    path or a mapping."""
    if isinstance(source, Mapping):
        return source
    if not isinstance(source, str | Path):
        raise ScenarioError("scenario", source, "a shipped scenario, a YAML path or a mapping")
    text = str(source)
    if text.startswith(SYNTHETIC):
        return synthetic_scenario(_synthetic_size(text))
    if text.endswith((".yaml", ".yml")) or Path(text).is_file():
        return _with_defaults(read_yaml(text), Path(text))
    names = available_scenarios()
    if text not in names:
        raise ScenarioError("scenario", text, f"a YAML file or a shipped scenario: {one_of(names, text)}")
    file = config_dir() / "scenario" / f"{text}.yaml"
    return _with_defaults(read_yaml(file), file)


def _with_defaults(data: Mapping, file: Path, seen: tuple[Path, ...] = ()) -> Mapping:
    """A scenario file with a Hydra ``defaults`` list (``[tokyo_2013, _self_]``) as Hydra composes it: each scenario
    it names (beside the file, or shipped), then the file's own keys, merged in that order (mappings key by key, any
    other value replaced whole), so that ``load_scenario`` and ``negsim run scenario=…`` read the same scenario."""
    if "defaults" not in data:
        return data
    path = f"{file}: defaults"
    listed = schema.sequence(data["defaults"], path, "scenario names and _self_")
    own = {k: v for k, v in data.items() if k != "defaults"}
    merged: Mapping = {}
    for k, entry in enumerate([*listed, *([] if "_self_" in listed else ["_self_"])]):
        if entry == "_self_":
            merged = _merged(merged, own)
            continue
        name = schema.text(entry, f"{path}[{k}]")
        base = next(
            (f for f in (file.parent / f"{name}.yaml", config_dir() / "scenario" / f"{name}.yaml") if f.is_file()), None
        )
        if base is None:
            raise ScenarioError(f"{path}[{k}]", name, f"a shipped scenario: {one_of(available_scenarios(), name)}")
        if base.resolve() in (*seen, file.resolve()):
            raise ScenarioError(f"{path}[{k}]", name, "a scenario that does not include itself")
        merged = _merged(merged, _with_defaults(read_yaml(base), base, (*seen, file.resolve())))
    return merged


def _merged(base: Mapping, over: Mapping) -> dict:
    """``over`` laid on ``base``: mappings merged key by key, anything else (a number, a list) replaced whole."""
    out = dict(base)
    for key, value in over.items():
        out[key] = (
            _merged(out[key], value) if isinstance(value, Mapping) and isinstance(out.get(key), Mapping) else value
        )
    return out


def load_scenario(source: str | Path | Mapping) -> ScenarioSpec:
    """A checked scenario from a shipped name (``"tokyo_2013"``, ``"synthetic:50"``), a YAML path or a mapping."""
    return ScenarioSpec.from_dict(generated(scenario_data(source)))


def _synthetic_size(text: str) -> int:
    """N of ``synthetic:N``."""
    size = text.removeprefix(SYNTHETIC)
    if not (size.isascii() and size.isdigit() and 2 <= int(size) <= MAX_SYNTHETIC):
        raise ScenarioError("scenario", text, f"{SYNTHETIC}N with N a whole number in [2, {MAX_SYNTHETIC}]")
    return int(size)


def generated(data: Mapping) -> Mapping:
    """A scenario mapping as written, or the one its ``synthetic`` spec generates (``conf/scenario/synthetic.yaml``:
    ``{name: …, synthetic: {countries: 50, seed: 0, …}}``, the arguments of
    :func:`sim.io.synthetic.synthetic_scenario`), named by its ``name`` if it has one."""
    if "synthetic" not in data:
        return data
    schema.mapping(data, "scenario", {"name", "synthetic"})
    spec = schema.mapping(data["synthetic"], "scenario.synthetic", set(SYNTHETIC_SPEC))
    path = "scenario.synthetic"
    countries = schema.integer(schema.require(spec, "countries", path), f"{path}.countries", 2, MAX_SYNTHETIC)
    options = {
        "seed": schema.integer(spec.get("seed", 0), f"{path}.seed", 0),
        "partners": schema.integer(spec.get("partners", 2), f"{path}.partners", 1),
        "forum_every": schema.integer(spec.get("forum_every", 12), f"{path}.forum_every", 1),
        "talks_share": schema.number(spec.get("talks_share", 0.1), f"{path}.talks_share", 0.0, 1.0),
    }
    scenario = synthetic_scenario(countries, **options)
    return scenario | {"name": schema.text(data["name"], "scenario.name")} if "name" in data else scenario
