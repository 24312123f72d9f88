"""The house's layering, checked on the source: a module imports only its own layer and the layers below it.

Lowest first: ``sim.model`` (the simulation) < ``sim.views`` (figures) < ``sim.io`` (files) < ``sim.study`` (many
runs) < ``sim.dashboard`` and ``sim.cli`` (the programs). Every import counts, at module level or inside a function,
so a lazy import cannot hide a door that runs the wrong way. ``sim/__init__.py`` (the public API) and
``sim/__main__.py`` sit on top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sim"
LAYERS = {"model": 0, "views": 1, "io": 2, "study": 3, "dashboard": 4, "cli": 5}
TOP = 6  # sim/__init__.py and sim/__main__.py
MAY_IMPORT_PROGRAMS = {("cli", "dashboard")}  # `negsim dashboard` starts the dashboard


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> tuple[str, int]:
    """The layer of a ``sim…`` module: its sub-package and that sub-package's rank (the top for anything else)."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return parts[1], LAYERS[parts[1]]
    return "sim", TOP


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every ``sim`` module that ``path`` imports, at any depth of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "sim"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "sim":
            if node.module == "sim":  # `from sim import schema`: the names are modules of the package
                found += [(node.lineno, f"sim.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


def violations(root: Path = PACKAGE) -> list[str]:
    """Every import in ``root`` of a higher layer, as ``file:line: importer (layer) imports imported (layer)``."""
    out = []
    for path in sorted(root.rglob("*.py")):
        importer = module_name(path, root)
        (own, rank) = layer(importer)
        for line, imported in imported_modules(path):
            (other, other_rank) = layer(imported)
            if other_rank > rank and (own, other) not in MAY_IMPORT_PROGRAMS:
                out.append(f"{path.relative_to(root.parent)}:{line}: {importer} ({own}) imports {imported} ({other})")
    return out


def test_every_module_belongs_to_a_layer():
    for path in PACKAGE.rglob("*.py"):
        name = module_name(path)
        if name not in ("sim", "sim.__main__"):
            assert layer(name)[1] < TOP, f"{path}: a module outside the layers {sorted(LAYERS)}"


def test_no_layer_imports_a_higher_one():
    assert violations() == []


def test_each_layer_says_what_it_holds_and_may_import():
    for name in LAYERS:
        doc = ast.get_docstring(ast.parse((PACKAGE / name / "__init__.py").read_text()))
        assert doc and "May import" in doc, f"sim/{name}/__init__.py: a docstring saying what it holds and may import"


@pytest.mark.parametrize(
    ("source", "importer", "imported"),
    [
        # the loop this test was written against: the command and the layer under it importing each other
        ("from sim.cli.errors import fail\n", "study/sensitivity/study.py", "sim.cli.errors"),
        ("def f():\n    from sim.study.aggregate import aggregate\n", "views/sweep_figures.py", "sim.study.aggregate"),
        ("import sim.io.library\n", "model/run.py", "sim.io.library"),
    ],
)
def test_the_check_catches_a_door_that_runs_the_wrong_way(tmp_path, source, importer, imported):
    fake = tmp_path / "sim"
    target = fake / importer
    target.parent.mkdir(parents=True)
    target.write_text(source)
    found = violations(fake)
    assert len(found) == 1 and imported in found[0]
