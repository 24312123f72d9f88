"""Finding and loading scenarios: by name from the shipped ``conf/scenario/`` or the synthetic generator
(``synthetic:N``), from a YAML file, or from a mapping (a scenario as written, or a ``synthetic`` spec)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from pathlib import Path

import yaml

from sim.io.synthetic import synthetic_scenario
from sim.model import schema
from sim.model.errors import ScenarioError, one_of
from sim.model.scenario.specs import Scenario

SYNTHETIC = "synthetic:"  # synthetic:N, N countries from sim.io.synthetic
MAX_SYNTHETIC = 500  # countries; each ministry lists confidence in every foreign one, so checking grows as N²
MERGE_TAG = "tag:yaml.org,2002:merge"  # YAML's `<<: *anchor`
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


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice in one mapping, instead of keeping the last silently."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == MERGE_TAG:  # `<<: *anchor` merges a mapping; its keys may be overridden beside it
                continue
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):  # a list or mapping as a key: PyYAML's own error follows
                continue
            if key in seen:
                raise ScenarioError(f"line {key_node.start_mark.line + 1}", key, "each key once per mapping")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: str | Path) -> dict:
    """Read a YAML mapping, with a clear error for a missing file, bad syntax or a repeated key."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except OSError as e:
        raise ScenarioError(str(path), None, f"a readable file ({e.strerror})") from None
    except yaml.YAMLError as e:
        raise ScenarioError(str(path), "invalid YAML", f"valid YAML ({e})") from None
    except ScenarioError as e:
        raise ScenarioError(f"{path}: {e.path}", e.value, e.allowed) from None
    if not isinstance(data, dict):
        raise ScenarioError(str(path), data, "a YAML mapping")
    return data


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
        return read_yaml(text)
    names = available_scenarios()
    if text not in names:
        raise ScenarioError("scenario", text, f"a YAML file or a shipped scenario: {one_of(names, text)}")
    return read_yaml(config_dir() / "scenario" / f"{text}.yaml")


def load_scenario(source: str | Path | Mapping) -> Scenario:
    """A checked scenario from a shipped name (``"tokyo_2013"``, ``"synthetic:50"``), a YAML path or a mapping."""
    return Scenario.from_dict(generated(scenario_data(source)))


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
    countries = schema.integer(schema.require(spec, "countries", path), f"{path}.countries", 2)
    if countries > MAX_SYNTHETIC:
        raise ScenarioError(f"{path}.countries", countries, f"a whole number in [2, {MAX_SYNTHETIC}]")
    options = {
        "seed": schema.integer(spec.get("seed", 0), f"{path}.seed", 0),
        "partners": schema.integer(spec.get("partners", 2), f"{path}.partners", 1),
        "forum_every": schema.integer(spec.get("forum_every", 12), f"{path}.forum_every", 1),
        "talks_share": schema.number(spec.get("talks_share", 0.1), f"{path}.talks_share", 0.0, 1.0),
    }
    scenario = synthetic_scenario(countries, **options)
    return scenario | {"name": schema.text(data["name"], "scenario.name")} if "name" in data else scenario
