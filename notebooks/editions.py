"""The student edition of the teaching notebooks: each notebook without its answers.

The notebooks in this folder are the instructor edition: each exercise is followed by its answer, a markdown cell
(``<details>``, folded) and the code that checks it, both tagged ``answer``. The student edition is the same notebooks
without the cells tagged ``answer`` (what nbconvert's TagRemovePreprocessor does, without needing nbconvert)::

    python notebooks/editions.py                 # writes outputs/student-notebooks/*.ipynb
    python notebooks/editions.py DIRECTORY       # or there

Nothing else changes, so the student edition runs top to bottom like the instructor's (tests/test_notebooks.py runs
both).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ANSWER = "answer"  # the tag of every cell that belongs to an answer
NOTEBOOKS = Path(__file__).resolve().parent
DEFAULT_OUTPUT = Path("outputs") / "student-notebooks"


def is_answer(cell: dict) -> bool:
    return ANSWER in cell.get("metadata", {}).get("tags", [])


def student_edition(notebook: dict) -> dict:
    """The notebook (nbformat JSON) without its answer cells."""
    return {**notebook, "cells": [cell for cell in notebook["cells"] if not is_answer(cell)]}


def write_student_editions(output: Path) -> list[Path]:
    """The student edition of every notebook here, written into `output` under the same names."""
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        notebook = student_edition(json.loads(path.read_text(encoding="utf-8")))
        target = output / path.name
        temporary = target.with_suffix(".ipynb.tmp")
        temporary.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        temporary.replace(target)
        written.append(target)
    return written


def main(argv: list[str]) -> int:
    if len(argv) > 1:
        print("usage: python notebooks/editions.py [DIRECTORY]", file=sys.stderr)
        return 2
    output = Path(argv[0]) if argv else DEFAULT_OUTPUT
    for path in write_student_editions(output):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
