"""The teaching notebooks: stored without outputs, complete, and each runs from top to bottom without an error or a
warning, showing every figure it draws, once, writing nothing where it runs, and with every claim of its text true.

A notebook's text states no number or direction that the notebook does not compute: each such claim is an entry of the
notebook's ``claims`` dict, set to the computed truth of the sentence (``claims["…"] = after > before``). CLAIMS lists
them; executing the notebook checks that each is there and true, so a model change that breaks a lesson fails here.

Both editions run: the instructor's (the notebooks as stored, answers included) and the student's (without the cells
tagged ``answer``: ``notebooks/editions.py``), which must not need anything an answer computes.

Each notebook is executed with nbclient in a fresh kernel, in a temporary working directory. The kernel is this
interpreter (``sys.executable``) with ipykernel, described by a kernelspec written into a temporary directory: nothing
is registered with Jupyter, and a kernelspec elsewhere on the machine cannot be picked up by mistake.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

FOLDER = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))
EXPECTED = [
    "01_meet_the_actors",
    "02_confidence_building",
    "03_two_level_game",
    "04_territorial_talks_sweep",
    "05_shocks_and_event_data",
    "06_calibration",
]
FIGURES = {  # figures each notebook shows when run: a figure lost (or shown twice) changes the count
    "01_meet_the_actors": 3,
    "02_confidence_building": 10,
    "03_two_level_game": 2,
    "04_territorial_talks_sweep": 4,
    "05_shocks_and_event_data": 7,
    "06_calibration": 2,
}
CLAIMS: dict[str, list[str]] = {  # what each notebook's text claims, as the keys of its `claims` dict
    "01_meet_the_actors": [
        "the agents' round 1 is the engine's",
        "the leaders' offices only saw round 1",
        "no deal in both win-sets at the end of the run",
        "Japan's MOD starts at 0.25 in the scenario",
        "exercise 3: Japan refuses the economic projects at every summit",
        "answer 1: the leaders' offices hold the vetoes, and only they",
        "answer 1: Japan's PM office (0.45) and MOFA (0.30) hold 0.75, over half",
        "answer 1: Russia's MFA and MOD hold 0.4, short of its quota of 0.5",
        "answer 2: both leaders weigh the islands most",
        "answer 2: Russia's MOD weighs the guarantee most (0.40)",
        "answer 2: Japan's MOD weighs the exercises and the guarantee most, 0.30 each",
        "answer 2: the guarantee weighs 0.14 on Putin's side, 0.08 on Abe's",
        "answer 3: benefit 0.35, exposure 0.45, break-even ≈ 0.56 for Japan",
        "answer 3: Abe's office starts at 0.40",
        "answer 3: at 0.6 Japan accepts at the first summit (round 4)",
        "answer 3: after Russia's first breach Japan refuses them at every later summit",
        "answer 4: the endings differ by several hundredths",
        "answer 4: more than one changed number did to one history",
    ],
    "02_confidence_building": [
        "reading: α⁺ = 0.12 and α⁻ = 0.30 in tokyo_2013",
        "reading: spill-over 0.3 in tokyo_2013",
        "reading: g = 1/3 for the payoffs (5, 3, 1, 0)",
        "Russia's MOD has reliability 0.95 in the scenario",
        "the MODs lead the exercises and the PKO information-sharing, at the two-plus-two",
        "the country-level effect is modest (Japan's median falls by less than 0.05)",
        "each Japanese ministry loses most confidence in Russia's MOD",
        "... and at least twice as much as in the Kremlin or the MFA",
        "Japan refuses the items Russia's MOD leads more often",
        "forgiveness: Japan's confidence rises with g",
        "forgiveness: Russia's breaches rise with g",
        "forgiveness: Russia's confidence barely moves (a quarter of Japan's range)",
        "GRIT: Russia's confidence ends higher",
        "GRIT: Japan's rises less",
        "GRIT: no treaty, with or without the campaign",
        "no setting so far brings a treaty within 80 months",
        "answer 1: 3 acts from 0.6, 2 from 0.4, 2 with equal rates",
        "answer 1: the breach removes 0.072, one act restores ≈ 0.057",
        "answer 2: drift 0.03, a half-life of about 23 months",
        "answer 2: four steps end within 0.01 of the baseline",
        "answer 2: ... far below the sustained campaign",
        "answer 2: no treaty in any of the three",
        "answer 3: both confidences end higher than with Japan alone",
        "answer 3: some histories end in a treaty, none with Japan alone",
        "answer 4: Russia's confidence rises as much as without the defector",
        "answer 4: Japan's barely moves",
        "answer 4: no treaty",
        "answer 4: Russia breaks fewer items with the campaign",
        "answer 4: CAMEO 111 is −2.0",
        "answer 4: the two-plus-two meets in rounds 1, 13, 25, 37, …",
        "answer 5: both confidences end higher without the bias",
        "answer 5: ... yet no treaty",
    ],
    "03_two_level_game": [
        "tokyo_2013: every turn is a position",
        "tokyo_2013: every refusal is 'outside our win-set' or 'not yet trusted'",
        "tokyo_2013: no treaty in ten years",
        "with more trust, offers are made and accepted",
        "with more trust, most histories end in a treaty",
        "with more trust, some deals accepted at the table fail at home",
        "the ratification rule, worked by hand, gives what the run recorded",
        "a veto holder blocked the first failed deal",
        "the veto holder's demand is missed by a small margin",
        "a ministry as hawkish as the veto holder supports the deal",
        "a more hawkish Japanese MOD makes a treaty rarer",
        "Japan's win-set hardly changes with its MOD's hawkishness",
        "answer 1: Japan's win-set shrinks, no overlap, no treaty",
        "answer 1: Japan's MOD weighs the guarantee most and values it below none",
        "answer 1: every refusal is now 'outside our win-set'",
        "answer 2: more failed ratifications with a dovish Russian MOD",
        "answer 2: Russia breaks fewer items",
        "answer 2: Japan trusts Russia more at the end",
        "answer 2: the treaty becomes likelier",
        "answer 3: c* is a few hundredths above the veto holder's confidence",
        "answer 4: Russia's mean hawkishness hardly changes",
        "answer 4: Russia's leader holds 0.6, MFA and MOD 0.4, quota 0.5",
        "answer 4: removing the veto alone changes nothing",
        "answer 4: with influence 0.3 Russia's win-set grows",
        "answer 4: the treaty does not become likelier",
    ],
    "04_territorial_talks_sweep": [
        "reading: the confidence effect is 2 in tokyo_2013",
        "a second run skips every complete cell",
        "no treaty at the lowest confidence",
        "almost always one at the highest (at least 0.9)",
        "in between, the history decides (0 < P < 1)",
        "the style does not change whether: its intervals overlap at every confidence",
        "... but when: Boulware settles no sooner wherever both settle",
        "... and later at the highest confidence",
        "answer 1: three cells run, six are skipped",
        "answer 1: the three styles' intervals overlap at every confidence",
        "answer 1: linear falls between the two on when",
        "answer 2: P rises with starting confidence",
        "answer 2: from rare to likely within two tenths",
    ],
    "05_shocks_and_event_data": [
        "reading: σ = 0.6, α⁺ = 0.12, α⁻ = 0.30",
        "reading: s = 0.48 and a loss of ≈ 0.058",
        "the codebook has 311 CAMEO codes",
        "tokyo_2013 replays seven events from 2014–2016",
        "Japan's sanctions of August 2014 are CAMEO 163, g = −8",
        "each event moves the observing side's confidence its way (down if hostile, up if cooperative)",
        "the record pulls both sides down by the end of 2015",
        "... Russia's most",
        "the counterfactual lifts both",
        "by the end of the run the three worlds are close again (less than half the 2015 spread)",
        "answer 1: 164 is −7.0, material conflict; 071 is +7.4, material cooperation",
        "answer 1: the scenario codes Japan suspending talks after Crimea as 164",
        "answer 2: Nagato, December 2016: two 057 events, +8.0",
        "answer 2: CAMEO 138 is −7.0",
        "answer 2: the threat knocks Japan's median down at once",
        "answer 2: back by the Nagato summit",
        "answer 2: after the summit, recovery takes longer",
        "answer 3: half the scale, about half the dip (between 0.35 and 0.65 of it)",
        "answer 4: the bands widen",
        "answer 4: the medians at the end fall",
        "answer 4: 051 is +3.4, 111 and 112 are −2.0",
    ],
    "06_calibration": [
        "the scenario says reliability 0.95 and trust gain 0.12",
        "tokyo_2013 never uses ministry_defaults.hawkishness",
        "60 particles, 4 generations, one history each, summaries per 4 months",
        "both hidden values lie inside their intervals",
        "every interval still covers more than half its prior",
        "answer 1: the kinds of act in the record",
        "answer 1: a breach is 160 (−4), an item carried out 060 (+6)",
        "answer 2: 12 numbers instead of 36",
        "answer 3: scenario.ministry_defaults.reliability's sd ratio is near 1",
        "answer 3: scenario.ministry_defaults.trust_gain's sd ratio is near 1",
        "answer 3: scenario.ministry_defaults.hawkishness's sd ratio is near 1",
    ],
}
DRAWS = re.compile(r"^(plot_\w*|subplots|figure)$")  # calls that make a figure
CELL_TIMEOUT = 180  # seconds; a whole notebook takes well under a minute on a 2-core machine
KERNEL = "negsim-notebook-test"
WITHOUT_IPYWIDGETS = "import sys\nsys.modules['ipywidgets'] = None"  # as installed without ipywidgets: tqdm warns then
REPORT_CLAIMS = "import json\nprint(json.dumps({name: str(true) for name, true in claims.items()}))"


def load_editions():
    """notebooks/editions.py, which makes the student edition (a script beside the notebooks, not part of sim)."""
    spec = importlib.util.spec_from_file_location("editions", FOLDER / "editions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


editions = load_editions()


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
    """A title, learning goals, exercises, and answers a student can reveal, each followed by its labelled code; every
    cell of an answer is tagged ``answer`` (and nothing else is), so that the student edition leaves out the answers."""
    all_cells = cells(path)
    text = [source(c) for c in all_cells]
    assert all_cells[0]["cell_type"] == "markdown" and text[0].startswith("# "), "the first cell is the title"
    assert any("Learning goals" in t for t in text)
    assert any(re.search(r"^## Reading", t, re.MULTILINE) for t in text), "a reading of the theory"
    assert any(re.search(r"^## Exercises", t, re.MULTILINE) for t in text)
    answers = [k for k, t in enumerate(text) if "<details><summary>" in t and "Answer" in t]
    assert len(answers) >= 3, "at least three exercises with worked answers"
    answer_cells = set(answers)
    for k in answers:
        following = all_cells[k + 1] if k + 1 < len(all_cells) else None
        if following is not None and following["cell_type"] == "code":
            assert source(following).startswith("# ── Answer"), f"{path.name}: the code after answer {k} is labelled"
            answer_cells.add(k + 1)
    tagged = {k for k, c in enumerate(all_cells) if editions.is_answer(c)}
    assert tagged == answer_cells, f"{path.name}: cells {sorted(tagged ^ answer_cells)} are tagged wrongly"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_student_edition_has_no_answer(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    student = editions.student_edition(notebook)
    text = [source(c) for c in student["cells"]]
    assert not [t for t in text if "<details>" in t or "# ── Answer" in t]
    assert any(re.search(r"^## Exercises", t, re.MULTILINE) for t in text), "the exercises stay"
    assert len(student["cells"]) < len(notebook["cells"])
    assert notebook == json.loads(path.read_text(encoding="utf-8")), "the source is left as it was"


def test_the_editions_script_writes_the_student_notebooks(tmp_path, capsys):
    assert editions.main([str(tmp_path / "student")]) == 0
    written = sorted((tmp_path / "student").glob("*.ipynb"))
    assert [p.name for p in written] == [p.name for p in NOTEBOOKS]
    assert capsys.readouterr().out.split() == [str(p) for p in written]
    for path in written:
        assert not any(editions.is_answer(c) for c in cells(path))
    assert not list((tmp_path / "student").glob("*.tmp"))


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


def execute(notebook, kernel_manager, where: Path):
    """Run `notebook` (nbformat) in a fresh kernel, working in `where`; raises CellExecutionError on the first error."""
    from nbclient import NotebookClient

    client = NotebookClient(
        notebook,
        km=kernel_manager,
        timeout=CELL_TIMEOUT,
        allow_errors=False,
        resources={"metadata": {"path": str(where)}},  # the kernel's working directory
    )
    client.execute()


@pytest.mark.slow
@pytest.mark.parametrize("edition", ["instructor", "student"])
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, edition, tmp_path, kernel_manager_factory):
    """Each edition runs without an error or a warning, shows each figure it draws once, writes nothing where it runs
    (only to a temporary folder or outputs/), and finds every claim of its text true."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    if edition == "student":
        notebook = nbformat.from_dict(editions.student_edition(notebook))
    notebook.cells = [nbformat.v4.new_code_cell(WITHOUT_IPYWIDGETS), *notebook.cells]
    notebook.cells.append(nbformat.v4.new_code_cell(REPORT_CLAIMS))
    work = tmp_path / "work"
    work.mkdir()
    execute(notebook, kernel_manager_factory(), work)
    _, *code, report = [c for c in notebook.cells if c.cell_type == "code"]

    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    warned = [o.text for c in code for o in c.outputs if o.output_type == "stream" and o.name == "stderr"]
    assert not warned, f"{path.name}: a cell wrote to stderr (a warning?)\n{warned}"
    assert {p.name for p in work.iterdir()} <= {"outputs"}, f"{path.name} left files where it ran"

    images = [[o["data"]["image/png"] for o in c.outputs if "image/png" in o.get("data", {})] for c in code]
    for cell, shown in zip(code, images, strict=True):
        if draws_a_figure(cell.source):
            assert shown, f"{path.name}: no figure shows for the cell\n{cell.source}"
        assert len(set(shown)) == len(shown), f"{path.name}: a figure shows twice in the cell\n{cell.source}"
    if edition == "instructor":
        assert sum(map(len, images)) == FIGURES[path.stem]

    claims = json.loads(report.outputs[0]["text"])
    expected = CLAIMS[path.stem]
    if edition == "instructor":
        assert sorted(claims) == sorted(expected), f"{path.name}: the claims differ from CLAIMS"
    else:
        assert set(claims) <= set(expected)
    assert len(expected) == len(set(expected))
    false = [name for name, true in claims.items() if true != "True"]
    assert not false, f"{path.name}: its text says what it no longer computes: {false}"


@pytest.mark.slow
def test_the_calibration_notebook_names_the_extra_it_needs(tmp_path, kernel_manager_factory):
    """Without pyabc, notebook 6 stops at its first cell with one line naming the extra, not a traceback."""
    import nbformat
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(FOLDER / "06_calibration.ipynb", as_version=4)
    first = next(c for c in notebook.cells if c.cell_type == "code")
    hide = nbformat.v4.new_code_cell("import sys\nsys.modules['pyabc'] = None  # as if pyabc were not installed")
    notebook.cells = [hide, first]
    with pytest.raises(CellExecutionError):
        execute(notebook, kernel_manager_factory(), tmp_path)
    (error,) = [o for o in first.outputs if o.output_type == "error"]
    assert error["traceback"] == ['notebook 6 needs pyabc: pip install -e ".[teach]" (or ".[calibrate]")']
