"""Finding and loading scenarios: by name from the shipped ``conf/scenario/``, from a YAML file, or from a mapping."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml

from sim.errors import ScenarioError, one_of
from sim.scenario import Scenario


def config_dir() -> Path:
    """The Hydra config directory: inside the installed package, or ``conf/`` beside it in a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "conf", here.parent / "conf"):
        if (candidate / "config.yaml").is_file():
            return candidate
    raise FileNotFoundError(f"no conf/config.yaml beside {here}")


def available_scenarios() -> list[str]:
    """Names of the shipped scenarios."""
    return sorted(p.stem for p in (config_dir() / "scenario").glob("*.yaml"))


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice in one mapping, instead of keeping the last silently."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
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


def load_scenario(source: str | Path | Mapping) -> Scenario:
    """A checked scenario from a shipped name (``"tokyo_2013"``), a YAML path or a mapping."""
    if isinstance(source, Mapping):
        return Scenario.from_dict(source)
    text = str(source)
    if text.endswith((".yaml", ".yml")) or Path(text).is_file():
        return Scenario.from_dict(read_yaml(text))
    names = available_scenarios()
    if text not in names:
        raise ScenarioError("scenario", text, f"a YAML file or a shipped scenario: {one_of(names, text)}")
    return Scenario.from_dict(read_yaml(config_dir() / "scenario" / f"{text}.yaml"))
