"""What an install gives: the teach extra holds everything the notebooks and the dashboard import, and a command that
needs an extra that is not installed says which, in one line."""

from __future__ import annotations

import ast
import json
import socket
import sys
from importlib import metadata
from pathlib import Path

import pytest
from hydra.errors import MissingConfigException
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from sim.cli.main import main
from sim.cli.overrides import explained

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
DASHBOARD = "sim.dashboard.page"


def installed_by(name: str, extras: frozenset[str] = frozenset()) -> set[str]:
    """The distributions ``pip install name[extras]`` installs, read from the installed packages' metadata."""
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [(name, extras)]
    while todo:
        dist, wanted = todo.pop()
        if (canonicalize_name(dist), wanted) in seen:
            continue
        seen.add((canonicalize_name(dist), wanted))
        try:
            requires = metadata.requires(dist) or []
        except metadata.PackageNotFoundError:  # not for this platform
            continue
        for text in requires:
            req = Requirement(text)
            if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in {"", *wanted}):
                todo.append((req.name, frozenset(req.extras)))
    return {d for d, _ in seen}


def top_level_imports(code: str) -> set[str]:
    """The modules a piece of code imports when it runs: its own statements' imports (not those inside functions,
    which are optional paths such as a Ray back-end)."""
    found = set()
    for node in ast.parse(code).body:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            if node.module == "sim":
                found |= {f"sim.{a.name}" for a in node.names}
    return found


def third_party_imports(modules: set[str]) -> set[str]:
    """The top-level third-party packages that importing ``modules`` imports, following negsim's own modules."""
    todo, done, outside = list(modules), set(), set()
    while todo:
        module = todo.pop()
        if module in done:
            continue
        done.add(module)
        top = module.split(".")[0]
        if top != "sim":
            outside.add(top)
            continue
        parts = module.split(".")
        for parent in range(1, len(parts)):  # a package's __init__ runs first
            todo.append(".".join(parts[:parent]))
        path = ROOT.joinpath(*parts)
        file = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        if file.is_file():
            todo += top_level_imports(file.read_text(encoding="utf-8"))
    return outside - set(sys.stdlib_module_names) - {"__future__"}


def notebook_code(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = ("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return "\n".join(line for cell in code for line in cell.splitlines() if not line.lstrip().startswith(("%", "!")))


def test_the_teach_extra_installs_what_every_notebook_and_the_dashboard_import():
    needed = third_party_imports({DASHBOARD}.union(*(top_level_imports(notebook_code(p)) for p in NOTEBOOKS)))
    assert "pyabc" in needed and "solara" in needed  # notebook 06 calibrates; the dashboard is a Solara page
    providers = metadata.packages_distributions()
    classroom = installed_by("negsim", frozenset({"teach"}))
    missing = {m for m in needed if not {canonicalize_name(d) for d in providers.get(m, [])} & classroom}
    assert missing == set(), f"modules the notebooks or the dashboard import that [teach] does not install: {missing}"
    assert {"jupyterlab", "ipywidgets"} <= classroom  # JupyterLab, and tqdm's progress bars without a TqdmWarning


def free_port() -> str:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return str(s.getsockname()[1])


@pytest.mark.parametrize(
    ("module", "argv", "message"),
    [
        ("solara", ["dashboard", "--port", "PORT"], "the dashboard needs the viz extra (solara is not installed): "),
        ("ema_workbench", ["discover", "SWEEP", "outcome=x"], "scenario discovery needs the discover extra"),
        ("pyabc", ["calibrate", "config=tokyo_2013"], "calibration needs the calibrate extra"),
        ("ray", ["sweep", "sweep.backend=ray", "sweep.name=x", "rounds=1"], "sweep.backend=ray needs the ray extra"),
    ],
)
def test_a_command_that_needs_a_missing_extra_names_it_in_one_line(
    module, argv, message, monkeypatch, tmp_path, capsys
):
    monkeypatch.setitem(sys.modules, module, None)  # as if not installed: neither found nor importable
    monkeypatch.chdir(tmp_path)
    argv = [{"PORT": free_port(), "SWEEP": str(tmp_path)}.get(a, a) for a in argv]
    with pytest.raises(SystemExit) as done:
        main(argv)
    err = capsys.readouterr().err
    assert done.value.code == 2 and err.count("\n") == 1, err
    extra = message.split(" extra")[0].rsplit(" ", 1)[1]
    assert err.startswith(f"negsim: error: {message}") and err.strip().endswith(f"pip install -e '.[{extra}]'"), err
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize(("launcher", "extra"), [("joblib", "parallel"), ("submitit_slurm", "slurm")])
def test_a_launcher_whose_extra_is_missing_is_named_with_the_extra(launcher, extra, monkeypatch):
    plugin = {"parallel": "hydra_joblib_launcher", "slurm": "hydra_submitit_launcher"}[extra]
    monkeypatch.setitem(sys.modules, f"hydra_plugins.{plugin}", None)
    error = MissingConfigException("not found", missing_cfg_file=f"hydra/launcher/{launcher}")
    assert f"needs the {extra} extra" in str(explained(error, f"hydra/launcher={launcher}"))
