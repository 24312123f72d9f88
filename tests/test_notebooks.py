"""The teaching notebooks: stored without outputs, complete, and each runs from top to bottom without an error,
showing every figure it draws, once.

Each notebook is executed with nbclient in a fresh kernel, in a temporary working directory. The kernel is this
interpreter (``sys.executable``) with ipykernel, described by a kernelspec written into a temporary directory: nothing
is registered with Jupyter, and a kernelspec elsewhere on the machine cannot be picked up by mistake.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
EXPECTED = [
    "01_meet_the_actors",
    "02_confidence_building",
    "03_two_level_game",
    "04_territorial_talks_sweep",
    "05_shocks_and_event_data",
    "06_calibration",
    "07_take_a_seat",
]
FIGURES = {  # figures each notebook shows when run: a figure lost (or shown twice) changes the count
    "01_meet_the_actors": 3,
    "02_confidence_building": 10,
    "03_two_level_game": 2,
    "04_territorial_talks_sweep": 4,
    "05_shocks_and_event_data": 7,
    "06_calibration": 2,
    "07_take_a_seat": 2,  # the debrief's two figures
}
DRAWS = re.compile(r"^(plot_\w*|subplots|figure)$")  # calls that make a figure
CELL_TIMEOUT = 180  # seconds; a whole notebook takes well under a minute on a 2-core machine
KERNEL = "negsim-notebook-test"


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def draws_a_figure(code: str) -> bool:
    """Whether a cell's own statements (not the functions it defines) call something that makes a figure."""
    tree = ast.parse("\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!"))))
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef | ast.ClassDef | ast.Import | ast.ImportFrom):
            continue
        for node in ast.walk(statement):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                if DRAWS.match(name):
                    return True
    return False


def test_the_teaching_notebooks_are_there():
    assert set(EXPECTED) <= {p.stem for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs(path):
    for k, cell in enumerate(cells(path)):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path.name}: cell {k} has stored outputs (clear them before committing)"
            assert cell["execution_count"] is None, f"{path.name}: cell {k} has an execution count"
        assert "execution" not in cell.get("metadata", {}), f"{path.name}: cell {k} has execution timings"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_teaching_structure(path):
    """A title, learning goals, exercises, and answers a student can reveal, each followed by its labelled code."""
    all_cells = cells(path)
    text = [source(c) for c in all_cells]
    assert all_cells[0]["cell_type"] == "markdown" and text[0].startswith("# "), "the first cell is the title"
    assert any("Learning goals" in t for t in text)
    assert any(re.search(r"^## Reading", t, re.MULTILINE) for t in text), "a reading of the theory"
    assert any(re.search(r"^## Exercises", t, re.MULTILINE) for t in text)
    answers = [k for k, t in enumerate(text) if "<details><summary>" in t and "Answer" in t]
    assert len(answers) >= 3, "at least three exercises with worked answers"
    for k in answers:
        following = all_cells[k + 1] if k + 1 < len(all_cells) else None
        if following is not None and following["cell_type"] == "code":
            assert source(following).startswith("# ── Answer"), f"{path.name}: the code after answer {k} is labelled"


@pytest.fixture(scope="module")
def kernel_manager_factory(tmp_path_factory):
    """Kernel managers for this interpreter's ipykernel, from a kernelspec in a temporary directory."""
    pytest.importorskip("nbclient", reason="install the notebooks extra: pip install -e '.[notebooks]'")
    pytest.importorskip("ipykernel", reason="install the notebooks extra: pip install -e '.[notebooks]'")
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    kernels = tmp_path_factory.mktemp("kernels")
    spec = kernels / KERNEL
    spec.mkdir()
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": KERNEL, "language": "python"}))

    def make() -> KernelManager:
        return KernelManager(kernel_name=KERNEL, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))

    return make


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, tmp_path, kernel_manager_factory):
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        km=kernel_manager_factory(),
        timeout=CELL_TIMEOUT,
        allow_errors=False,
        resources={"metadata": {"path": str(tmp_path)}},  # the kernel's working directory
    )
    client.execute()  # raises CellExecutionError, naming the cell, on the first error
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    images = [[o["data"]["image/png"] for o in c.outputs if "image/png" in o.get("data", {})] for c in code]
    for cell, shown in zip(code, images, strict=True):
        if draws_a_figure(cell.source):
            assert shown, f"{path.name}: no figure shows for the cell\n{cell.source}"
        assert len(set(shown)) == len(shown), f"{path.name}: a figure shows twice in the cell\n{cell.source}"
    assert sum(map(len, images)) == FIGURES[path.stem]
