"""Vascular-lab worksheet tables: one row per vein, a column per finding (or per side). Pure.

A table starts at a header line with at least two known column titles ("Vein  Compressible
Thrombus  Flow") and runs over the following lines of two or more cells, split at runs of
two spaces, tabs, '|' or a comma with no space after it (a CSV export). Each row is read into
a status (normal, thrombus, possible, not_evaluated), acuity and occlusion, with the cell that
said it as evidence::

    Vein            Compressible  Thrombus      Flow
    POP             Partial       Yes - acute   Reduced    -> thrombus, acute, nonocclusive
    PTV             N/V           N/V           N/V        -> not_evaluated
    CFV             Yes           No            Phasic     -> normal
"""
from __future__ import annotations

from typing import Any

import re
from dataclasses import dataclass
from functools import lru_cache

from .model import Acuity, Occlusion

_SPLIT = re.compile(r"\t+|\s*\|\s*|\s{2,}|,(?=\S)")
_CSV = re.compile(r",\S")  # a CSV export's cells: a comma with no space after it
_LEGEND = re.compile(r"(?<![\w/+?-])(?:([A-Za-z][A-Za-z/+?]{0,3}|[+?-]{1,2})\s*(?:=|:)|\(([A-Za-z/+?-]{1,4})\)(?:\s*(?:=|:))?)\s*((?:[a-z]|[A-Z](?=[a-z]))[a-z /-]*[a-z])")
_POLAR_COLUMNS = ("compressibility", "flow")


@dataclass(frozen=True)
class Cell:
    start: int
    end: int
    text: str
    column: str | None  # the column's kind, or None when it cannot be aligned


@dataclass(frozen=True)
class Row:
    start: int
    end: int
    vein: Cell
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    start: int  # header line start
    end: int  # last row end
    rows: tuple[Row, ...]


_CELL_ACUITIES: tuple[Acuity, ...] = ("acute_on_chronic", "subacute", "chronic", "acute")  # the most specific word first


@dataclass(frozen=True)
class Reading:
    """What a row (or one side column of a row) says about its vein."""

    status: str  # normal, thrombus, possible, not_evaluated
    acuity: Acuity | None
    occlusion: Occlusion | None
    cell: Cell
    side: str | None = None  # for side columns


def _cells(line: str, offset: int) -> list[tuple[int, int, str]]:
    out, pos = [], 0
    for match in list(_SPLIT.finditer(line)) + [None]:
        end = match.start() if match else len(line)
        text = line[pos:end]
        if text.strip():
            lead = len(text) - len(text.lstrip())
            out.append((offset + pos + lead, offset + pos + lead + len(text.strip()), text.strip()))
        if match:
            pos = match.end()
    return out


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w/+?\-]+", " ", text.lower()).split())


def _column_kind(text: str, vocab: dict[str, Any]) -> str | None:
    key = _norm(text)
    return next((kind for kind, titles in vocab["columns"].items() if key in titles), None)


def _lines(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def find_tables(text: str, vocab: dict[str, Any]) -> list[Table]:
    """Every worksheet table of a report."""
    tables: list[Table] = []
    lines = _lines(text)
    i = 0
    while i < len(lines):
        offset, line = lines[i]
        header = _cells(line, offset)
        if len(header) < 2 and (not header or header[0][0] - offset <= 3):
            i += 1  # one cell at the line start: neither a header nor a side-only header (below)
            continue
        kinds = [_column_kind(c[2], vocab) for c in header]
        known = [k for k in kinds if k is not None and k != "vein"]
        sides_only = bool(kinds) and all(k in ("right", "left") for k in kinds) and header[0][0] - offset > 3
        side_grid = sides_only or (bool(kinds) and kinds[0] == "vein" and any(k in ("right", "left") for k in known))
        if (len(header) < 2 and not sides_only) or (len(known) < 2 and not side_grid):
            i += 1
            continue
        columns = [(start - offset, kind) for (start, _, _), kind in zip(header, kinds)]  # from the line start
        if sides_only:  # "            RIGHT     LEFT": the vein column has no title
            columns.insert(0, (0, "vein"))
        rows = []
        j = i + 1
        while j < len(lines):
            row_offset, row_line = lines[j]
            cells = _cells(row_line, row_offset)
            if len(cells) < 2:
                break
            rows.append(_row(cells, columns, row_offset, "|" in row_line or "\t" in row_line or bool(_CSV.search(row_line))))
            j += 1
        if rows:
            tables.append(Table(offset, rows[-1].end, tuple(rows)))
        i = j
    return tables


def _row(cells: list[tuple[int, int, str]], columns: list[tuple[int, str | None]], row_offset: int, by_index: bool) -> Row:
    header_starts = [c[0] for c in columns]
    aligned = []
    for index, (start, end, text) in enumerate(cells):
        if by_index:
            kind = columns[index][1] if index < len(columns) else None
        else:
            rel = start - row_offset
            position = max((k for k, s in enumerate(header_starts) if s - 3 <= rel), default=0)
            kind = columns[position][1]
        aligned.append(Cell(start, end, text, kind))
    vein = next((c for c in aligned if c.column == "vein"), aligned[0])  # "side,segment,...": the vein column may come second
    return Row(aligned[0].start, aligned[-1].end, vein, tuple(c for c in aligned if c is not vein))


def legend_lines(text: str) -> list[tuple[int, int, dict[str, str]]]:
    """Lines that define codes ('C = compressible, NC = noncompressible', '(CH) chronic')."""
    out = []
    for offset, line in _lines(text):
        pairs = {(a or b).upper(): meaning.strip().lower() for a, b, meaning in _LEGEND.findall(line)}
        if len(pairs) >= 2 and ("=" in line or "legend" in line.lower()):
            out.append((offset, offset + len(line), pairs))
    return out


def legend(text: str) -> dict[str, str]:
    """Codes defined in the report, upper-cased code -> meaning."""
    return {code: meaning for _, _, pairs in legend_lines(text) for code, meaning in pairs.items()}


def _decode(raw: str, codes: dict[str, str]) -> str:
    """A cell with legend codes spelled out ('NC (CH)' -> 'non-compressible chronic')."""
    if not codes:
        return raw
    parts = re.findall(r"[^\s()/,;]+", raw)
    return " ".join(codes.get(part.upper(), part) for part in parts)


@lru_cache(maxsize=64)
def _phrase_regex(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])")


def _has(words: list[str], text: str) -> str | None:
    """The longest vocabulary phrase found in ``text`` as whole words."""
    hits = _phrase_regex(tuple(words)).findall(text)
    return max(hits, key=len) if hits else None


def read_cell(cell: Cell, kind: str | None, vocab: dict[str, Any], codes: dict[str, str]) -> Reading | None:
    """What one cell says, by its column kind; None when it says nothing about thrombus."""
    words = vocab["cells"]
    raw = cell.text.strip()
    decoded = codes.get(raw.upper()) or _decode(raw, codes)
    text = _norm(raw) if decoded == raw else f"{_norm(raw)} {_norm(decoded)}"  # "N/V" stays readable
    if not text:
        return None
    acuity = next((a for a in _CELL_ACUITIES if _has(words[a], text)), None)
    if _has(words["not_evaluated"], text):
        return Reading("not_evaluated", None, None, cell)
    if _has(words["possible"], text):
        return Reading("possible", acuity, None, cell)
    if _has(words["partial"], text):
        return Reading("thrombus", acuity, "nonocclusive", cell)
    normal, thrombus = _has(words["normal"], text), _has(words["thrombus"], text)
    if normal and (not thrombus or len(normal) >= len(thrombus)):
        return Reading("normal", None, None, cell)
    if thrombus:
        return Reading("thrombus", acuity, "occlusive" if "occlu" in thrombus else None, cell)
    yes, no = _has(words["affirmative"], text), _has(words["negative"], text)
    if kind == "thrombus":
        if yes or acuity:
            return Reading("thrombus", acuity, None, cell)
        if no:
            return Reading("normal", None, None, cell)
    if kind in _POLAR_COLUMNS:
        if yes:
            return Reading("normal", None, None, cell)
        if no and kind == "compressibility":
            return Reading("thrombus", acuity, None, cell)
    return None


_PRIORITY = {"thrombus": 0, "compressibility": 1, "flow": 2, None: 3, "comment": 4, "acuity": 5}


_SIDE_CELLS = {"r": "right", "rt": "right", "right": "right", "l": "left", "lt": "left", "left": "left", "b": "bilateral", "bil": "bilateral", "bilat": "bilateral", "both": "bilateral"}


def read_row(row: Row, vocab: dict[str, Any], codes: dict[str, str]) -> list[Reading]:
    """The readings of a row: one per side column in a side grid, else one for the row
    (with the side of a "Side" column when there is one)."""
    side_column = next((c for c in row.cells if c.column == "side"), None)
    if side_column is not None:
        side = _SIDE_CELLS.get(_norm(side_column.text))
        others = Row(row.start, row.end, row.vein, tuple(c for c in row.cells if c is not side_column))
        return [Reading(r.status, r.acuity, r.occlusion, r.cell, side) for r in read_row(others, vocab, codes)]
    side_cells = [c for c in row.cells if c.column in ("right", "left")]
    if side_cells:
        out = []
        for cell in side_cells:
            reading = read_cell(cell, None, vocab, codes)
            if reading:
                out.append(Reading(reading.status, reading.acuity, reading.occlusion, cell, cell.column))
        return out
    read = ((cell, read_cell(cell, cell.column, vocab, codes)) for cell in row.cells if cell.column not in ("acuity",))
    readings = [(c, r) for c, r in read if r is not None]
    if not readings:
        return []
    statuses = {r.status for _, r in readings}
    if statuses == {"not_evaluated"}:
        return [readings[0][1]]
    readings = [(c, r) for c, r in readings if r.status != "not_evaluated"]
    readings.sort(key=lambda cr: (_PRIORITY.get(cr[0].column, 3), cr[0].start))
    best = readings[0][1]
    if best.status == "normal" and any(r.status == "possible" for _, r in readings):
        best = next(r for _, r in readings if r.status == "possible")
    acuity = best.acuity or next((r.acuity for _, r in readings if r.acuity), None)
    acuity_cell = next((c for c in row.cells if c.column == "acuity"), None)
    if acuity is None and acuity_cell is not None:
        acuity = next((a for a in _CELL_ACUITIES if _has(vocab["cells"][a], _norm(acuity_cell.text))), None)
    occlusion = best.occlusion or next((r.occlusion for _, r in readings if r.occlusion), None)
    return [Reading(best.status, acuity if best.status in ("thrombus", "possible") else None, occlusion if best.status == "thrombus" else None, best.cell)]


def read_tables(text: str, vocab: dict[str, Any]) -> tuple[list[tuple[Table, Row, list[Reading]]], list[tuple[int, int]]]:
    """Every row of every table of a report with its readings, and the legend lines' spans."""
    if not vocab or ("  " not in text and "\t" not in text and "|" not in text and "=" not in text and not _CSV.search(text)):
        return [], []
    legends = legend_lines(text)
    codes = {code: meaning for _, _, pairs in legends for code, meaning in pairs.items()}
    rows = [(table, row, read_row(row, vocab, codes)) for table in find_tables(text, vocab) for row in table.rows]
    return rows, [(start, end) for start, end, _ in legends]
