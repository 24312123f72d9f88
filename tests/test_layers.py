"""The house's layering, checked on the source: a module imports only its own layer and the layers below it, and only
the third-party packages its layer is allowed.

Lowest first: ``sim.model`` (the simulation) < ``sim.views`` (figures) < ``sim.io`` (files) < ``sim.study`` (many
runs) < ``sim.dashboard`` and ``sim.cli`` (the programs). Inside ``sim.model`` the rooms are ranked the same way
(ground < rules < scenario < plan < record < procedures < engine, agents < run), and the two models (``engine``,
``agents``) never import each other. Every import counts, at module level or inside a function, so a lazy import
cannot hide a door that runs the wrong way. ``sim/__init__.py`` (the public API) and ``sim/__main__.py`` sit on top.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sim"
LAYERS = {"model": 0, "views": 1, "io": 2, "study": 3, "dashboard": 4, "cli": 5}
TOP = 6  # sim/__init__.py and sim/__main__.py
MAY_IMPORT_PROGRAMS = {("cli", "dashboard")}  # `negsim dashboard` starts the dashboard
GROUND = {"errors", "schema", "cameo"}  # sim.model's ground floor: one room
ROOMS = {"ground": 0, "rules": 1, "scenario": 2, "plan": 3, "record": 4, "procedures": 5, "engine": 6, "agents": 6}
ROOMS_TOP = 7  # sim.model.run and sim/model/__init__.py

# Third-party packages each layer (or room of sim.model) may import, beside the standard library. A package not listed
# is a dependency the layer does not need: Hydra and OmegaConf only in the programs, Mesa's agents only in the agent
# model, pandas in the model only where tables are built.
THIRD_PARTY = {
    "model": {"numpy"},
    "model.record": {"numpy", "pandas"},
    "model.agents": {"numpy", "mesa"},
    "views": {"numpy", "pandas", "matplotlib"},
    "io": {"numpy", "pandas", "pyarrow", "yaml", "matplotlib"},
    "study": {
        "numpy",
        "pandas",
        "pyarrow",
        "yaml",
        "matplotlib",
        "scipy",
        "SALib",
        "pyabc",
        "ema_workbench",
        "ray",
        "tqdm",
    },
    "dashboard": {"numpy", "pandas", "matplotlib", "mesa", "solara"},
    "cli": {"numpy", "pandas", "yaml", "tqdm", "hydra", "omegaconf"},
    "sim": set(),
}


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> tuple[str, int]:
    """The layer of a ``sim…`` module: its sub-package and that sub-package's rank (the top for anything else)."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return parts[1], LAYERS[parts[1]]
    return "sim", TOP


def room(module: str) -> tuple[str, int]:
    """The room of a ``sim.model…`` module and its rank (the top for ``sim.model`` itself and ``sim.model.run``)."""
    parts = module.split(".")
    name = parts[2] if len(parts) > 2 else ""
    name = "ground" if name in GROUND else name
    return (name, ROOMS[name]) if name in ROOMS else ("model", ROOMS_TOP)


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in ``path``, at any depth of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module in ("sim", "sim.model"):  # `from sim import schema`: the names are modules of the package
                found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


def violations(root: Path = PACKAGE) -> list[str]:
    """Every import in ``root`` of a higher layer (or room), as ``file:line: importer (layer) imports imported``."""
    out = []
    for path in sorted(root.rglob("*.py")):
        importer = module_name(path, root)
        (own, rank) = layer(importer)
        for line, imported in imports(path):
            if imported.split(".")[0] != "sim":
                continue
            (other, other_rank) = layer(imported)
            where = f"{path.relative_to(root.parent)}:{line}: {importer}"
            if other_rank > rank and (own, other) not in MAY_IMPORT_PROGRAMS:
                out.append(f"{where} ({own}) imports {imported} ({other})")
            elif own == other == "model":
                (mine, my_rank), (theirs, their_rank) = room(importer), room(imported)
                if their_rank > my_rank or (their_rank == my_rank and mine != theirs):
                    out.append(f"{where} (room {mine}) imports {imported} (room {theirs})")
    return out


def foreign_imports(root: Path = PACKAGE) -> list[str]:
    """Every third-party import in ``root`` that its layer (or room) is not allowed, as ``file:line: package``."""
    out = []
    for path in sorted(root.rglob("*.py")):
        importer = module_name(path, root)
        own = layer(importer)[0]
        key = f"model.{room(importer)[0]}" if own == "model" else own
        allowed = THIRD_PARTY.get(key, THIRD_PARTY[own])
        for line, imported in imports(path):
            top = imported.split(".")[0]
            if top not in sys.stdlib_module_names and top not in ("sim", "__future__") and top not in allowed:
                out.append(f"{path.relative_to(root.parent)}:{line}: {importer} ({key}) imports {top}")
    return out


def test_every_module_belongs_to_a_layer():
    for path in PACKAGE.rglob("*.py"):
        name = module_name(path)
        if name not in ("sim", "sim.__main__"):
            assert layer(name)[1] < TOP, f"{path}: a module outside the layers {sorted(LAYERS)}"


def test_every_module_of_the_model_belongs_to_a_room():
    for path in (PACKAGE / "model").rglob("*.py"):
        name = module_name(path)
        if name not in ("sim.model", "sim.model.run"):
            assert room(name)[1] < ROOMS_TOP, f"{path}: a module outside the rooms {sorted(ROOMS)} of sim.model"


def test_no_layer_or_room_imports_a_higher_one():
    assert violations() == []


def test_each_layer_imports_only_its_own_third_party_packages():
    assert foreign_imports() == []


def test_each_layer_and_room_says_what_it_holds():
    for name in LAYERS:
        doc = ast.get_docstring(ast.parse((PACKAGE / name / "__init__.py").read_text()))
        assert doc and "May import" in doc, f"sim/{name}/__init__.py: a docstring saying what it holds and may import"
    for name in set(ROOMS) - {"ground"}:
        assert ast.get_docstring(ast.parse((PACKAGE / "model" / name / "__init__.py").read_text())), name


@pytest.mark.parametrize(
    ("source", "importer", "imported"),
    [
        # the loop this test was written against: the command and the layer under it importing each other
        ("from sim.cli.errors import fail\n", "study/sensitivity/study.py", "sim.cli.errors"),
        ("def f():\n    from sim.study.aggregate import aggregate\n", "views/sweep_figures.py", "sim.study.aggregate"),
        ("import sim.io.library\n", "model/run.py", "sim.io.library"),
        # rooms of the model: a lower room importing a higher one, and the two models importing each other
        ("from sim.model.engine.engine import Engine\n", "model/record/result.py", "sim.model.engine.engine"),
        ("from sim.model.engine.engine import observe\n", "model/agents/meeting.py", "sim.model.engine.engine"),
        ("from sim.model.agents.agents import Ministry\n", "model/engine/engine.py", "sim.model.agents.agents"),
    ],
)
def test_the_check_catches_a_door_that_runs_the_wrong_way(tmp_path, source, importer, imported):
    fake = tmp_path / "sim"
    target = fake / importer
    target.parent.mkdir(parents=True)
    target.write_text(source)
    found = violations(fake)
    assert len(found) == 1 and imported in found[0]


@pytest.mark.parametrize(
    ("source", "importer", "package"),
    [
        ("from omegaconf import DictConfig\n", "study/designs.py", "omegaconf"),  # Hydra's shapes below the programs
        ("import mesa\n", "model/engine/engine.py", "mesa"),
        ("import pandas as pd\n", "model/procedures/round.py", "pandas"),
        ("def f():\n    import matplotlib\n", "model/run.py", "matplotlib"),
    ],
)
def test_the_check_catches_a_package_a_layer_should_not_need(tmp_path, source, importer, package):
    fake = tmp_path / "sim"
    target = fake / importer
    target.parent.mkdir(parents=True)
    target.write_text(source)
    found = foreign_imports(fake)
    assert len(found) == 1 and found[0].endswith(f"imports {package}")
