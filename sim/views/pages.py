"""Pages of text for a class: sections of paragraphs, lists, tables and figures, written as Markdown or as one HTML
document readable on a projector (1024 px wide and up, text of 15 px and more)."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

STYLE = """
body { font: 16px/1.45 system-ui, sans-serif; margin: 1.5em auto; max-width: 60em; padding: 0 1em; color: #222 }
h1 { font-size: 1.6em } h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid #ccc }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 15px } .wide { overflow-x: auto }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top }
th { background: #f2f2f2 } img { max-width: 100%; height: auto } .note { color: #555 }
"""


@dataclass(frozen=True)
class Table:
    header: Sequence[str]
    rows: Sequence[Sequence[object]]


@dataclass(frozen=True)
class Section:
    """A titled part of a page: paragraphs, then a list, a table and a figure (each optional)."""

    title: str
    paragraphs: Sequence[str] = ()
    items: Sequence[str] = ()
    table: Table | None = None
    figure: str = ""  # an image file beside the page
    notes: Sequence[str] = field(default=())  # small print under the rest


def cell(value: object) -> str:
    """A table cell's text: numbers to three places, booleans as yes and no, nothing for None or a missing number."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.3f}"
    return "" if value is None or value is pd.NA else str(value)


def markdown(title: str, sections: Sequence[Section]) -> str:
    """The page as Markdown."""
    out = [f"# {title}"]
    for s in sections:
        out += ["", f"## {s.title}", *(x for p in s.paragraphs for x in ("", p))]
        if s.items:
            out += ["", *(f"- {item}" for item in s.items)]
        if s.table is not None:
            out += ["", "| " + " | ".join(s.table.header) + " |", "|" + "---|" * len(s.table.header)]
            out += ["| " + " | ".join(cell(v).replace("|", "/") for v in row) + " |" for row in s.table.rows]
        if s.figure:
            out += ["", f"![{s.title}]({s.figure})"]
        out += [x for note in s.notes for x in ("", f"*{note}*")]
    return "\n".join(out) + "\n"


def html_page(title: str, sections: Sequence[Section]) -> str:
    """The page as one HTML document (its figures are files beside it)."""
    e = html.escape
    body = [f"<h1>{e(title)}</h1>"]
    for s in sections:
        body.append(f"<h2>{e(s.title)}</h2>")
        body += [f"<p>{e(p)}</p>" for p in s.paragraphs]
        if s.items:
            body.append("<ul>" + "".join(f"<li>{e(item)}</li>" for item in s.items) + "</ul>")
        if s.table is not None:
            head = "".join(f"<th>{e(h)}</th>" for h in s.table.header)
            rows = "".join("<tr>" + "".join(f"<td>{e(cell(v))}</td>" for v in row) + "</tr>" for row in s.table.rows)
            body.append(f'<div class="wide"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>')
        if s.figure:
            body.append(f'<p><img src="{e(s.figure)}" alt="{e(s.title)}"></p>')
        body += [f'<p class="note">{e(note)}</p>' for note in s.notes]
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{e(title)}</title>\n'
        f"<style>{STYLE}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
