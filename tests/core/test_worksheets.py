"""Vascular-lab worksheet tables (pipeline.core.worksheets) with a small hand-made vocabulary.

Each row: a cell or table line, and what it is read as."""
from __future__ import annotations

import pytest

from pipeline.core.worksheets import Cell, Row, find_tables, legend, legend_lines, read_cell, read_row, read_tables

from .builders import examples

VOCAB = {  # the shape of patterns/tables.json, already normalised
    "columns": {"vein": ["vein", "segment"], "compressibility": ["compressible"], "thrombus": ["thrombus"], "flow": ["flow"],
                "acuity": ["age"], "comment": ["comment"], "right": ["right", "rt"], "left": ["left", "lt"], "side": ["side"]},
    "cells": {"affirmative": ["yes"], "negative": ["no"], "normal": ["compressible", "c"], "thrombus": ["noncompressible", "non compressible", "nc", "occluded"],
              "partial": ["partial"], "possible": ["equivocal", "?"], "not_evaluated": ["n/v", "not seen"], "acute": ["acute"],
              "subacute": ["subacute"], "chronic": ["chronic"], "acute_on_chronic": ["acute on chronic"]},
}


def table(*lines):
    return find_tables("\n".join(lines) + "\n", VOCAB)


def rows(*lines):
    """Each row of the first table: its vein cell, then (text, column) of its other cells."""
    return [(r.vein.text, [(c.text, c.column) for c in r.cells]) for r in table(*lines)[0].rows]


def test_columns_are_aligned_by_position():
    assert rows("Vein    Compressible  Thrombus   Flow",
                "POP     Partial       Yes acute  Reduced") == [("POP", [("Partial", "compressibility"), ("Yes acute", "thrombus"), ("Reduced", "flow")])]


def test_a_cell_up_to_three_characters_before_its_title_is_in_its_column():
    assert rows("Vein    Compressible  Thrombus", f"{'CFV':5}{'Yes':15}No") == [("CFV", [("Yes", "compressibility"), ("No", "thrombus")])]


def test_a_row_of_two_cells_is_a_row():
    assert rows("Vein    Compressible  Thrombus", "CFV     Yes") == [("CFV", [("Yes", "compressibility")])]


def test_pipe_and_csv_rows_are_read_by_index():
    assert rows("Vein | Compressible | Thrombus", "CFV | Yes | No") == [("CFV", [("Yes", "compressibility"), ("No", "thrombus")])]
    assert rows("Vein,Compressible,Thrombus", "CFV,Yes,No") == [("CFV", [("Yes", "compressibility"), ("No", "thrombus")])]


def test_a_side_column_before_the_vein_column_keeps_the_vein_cell():
    assert rows("Side,Vein,Thrombus", "Left,CFV,No") == [("CFV", [("Left", "side"), ("No", "thrombus")])]


def test_a_side_grid_has_a_column_per_leg():
    assert rows("Segment    Right   Left", "CFV        C       NC") == [("CFV", [("C", "right"), ("NC", "left")])]
    assert rows("           RIGHT   LEFT", "CFV        C       NC") == [("CFV", [("C", "right"), ("NC", "left")])]  # no vein title


@pytest.mark.parametrize("header, expected", examples(
    ("Vein    Compressible  Thrombus", 1),
    ("Vein    Compressible  Comments here", 0),  # one known column is no header
    ("Compressible", 0),
))
def test_a_header_needs_two_known_columns(header, expected):
    assert len(table(header, "CFV     Yes           No")) == expected


def test_a_table_ends_at_a_line_of_one_cell():
    found = table("Vein    Compressible  Thrombus", "CFV     Yes           No", "The study is otherwise normal.", "POP     Yes           No")
    assert [r.vein.text for r in found[0].rows] == ["CFV"]


def cell(text, kind):
    reading = read_cell(Cell(0, len(text), text, kind), kind, VOCAB, {})
    return None if reading is None else (reading.status, reading.acuity, reading.occlusion)


@pytest.mark.parametrize("text, kind, expected", examples(
    ("Yes", "compressibility", ("normal", None, None)),
    ("No", "compressibility", ("thrombus", None, None)),
    ("No", "flow", None),  # "no" flow alone says nothing
    ("Reduced", "flow", None),
    ("...", "flow", None),  # no words
    ("Yes", "flow", ("normal", None, None)),
    ("Yes", "thrombus", ("thrombus", None, None)),
    ("No", "thrombus", ("normal", None, None)),
    ("Acute", "thrombus", ("thrombus", "acute", None)),
    ("Yes", None, None),  # an unaligned yes says nothing
    ("Partial", "compressibility", ("thrombus", None, "nonocclusive")),
    ("Occluded", None, ("thrombus", None, "occlusive")),
    ("NC chronic", None, ("thrombus", "chronic", None)),
    ("Equivocal", "compressibility", ("possible", None, None)),
    ("N/V", "thrombus", ("not_evaluated", None, None)),
    ("Compressible", None, ("normal", None, None)),
    ("Noncompressible", None, ("thrombus", None, None)),
    ("Non compressible", None, ("thrombus", None, None)),  # the longer phrase wins over "compressible"
))
def test_a_cell_by_its_column(text, kind, expected):
    assert cell(text, kind) == expected


@pytest.mark.parametrize("line", [
    "Legend: C = compressible, NC = non compressible, (CH) chronic",
    "legend: C=compressible NC=non compressible (CH)=chronic",  # a bracketed code with "="
    "Legend - C: compressible; NC: non compressible; (CH): chronic",
])
def test_a_legend_spells_out_codes(line):
    codes = legend(line)
    assert codes == {"C": "compressible", "NC": "non compressible", "CH": "chronic"}
    reading = read_cell(Cell(0, 7, "NC (CH)", None), None, VOCAB, codes)
    assert (reading.status, reading.acuity) == ("thrombus", "chronic")


def test_a_line_with_one_code_is_no_legend():
    assert legend_lines("Note: C = compressible") == []


def row(*cells):
    """A row whose cells are (text, column) pairs, its vein the CFV."""
    built, pos = [], 5
    for text, column in cells:
        built.append(Cell(pos, pos + len(text), text, column))
        pos += len(text) + 2
    return Row(0, pos, Cell(0, 3, "CFV", "vein"), tuple(built))


def readings(*cells):
    return [(r.status, r.acuity, r.occlusion, r.side) for r in read_row(row(*cells), VOCAB, {})]


@pytest.mark.parametrize("text, cells, expected", examples(
    ("CFV  Yes  Yes", [("Yes", "compressibility"), ("Yes", "thrombus")], [("thrombus", None, None, None)]),  # the thrombus column first
    ("CFV  Yes  No  Equivocal", [("Yes", "compressibility"), ("No", "thrombus"), ("Equivocal", "flow")], [("possible", None, None, None)]),
    ("CFV  N/V  N/V", [("N/V", "compressibility"), ("N/V", "thrombus")], [("not_evaluated", None, None, None)]),
    ("CFV  N/V  No", [("N/V", "compressibility"), ("No", "thrombus")], [("normal", None, None, None)]),  # what was seen wins
    ("CFV  Partial  Yes  chronic", [("Partial", "compressibility"), ("Yes", "thrombus"), ("chronic", "acuity")], [("thrombus", "chronic", "nonocclusive", None)]),
    ("CFV  Yes  No  acute", [("Yes", "compressibility"), ("No", "thrombus"), ("acute", "acuity")], [("normal", None, None, None)]),  # no acuity without thrombus
    ("CFV  NC chronic  Yes", [("NC chronic", "compressibility"), ("Yes", "thrombus")], [("thrombus", "chronic", None, None)]),  # acuity from another cell
    ("CFV  Left  No", [("Left", "side"), ("No", "thrombus")], [("normal", None, None, "left")]),
    ("CFV  C  NC", [("C", "right"), ("NC", "left")], [("normal", None, None, "right"), ("thrombus", None, None, "left")]),
    ("CFV  see note", [("see note", "comment")], []),
))
def test_a_row_reading(text, cells, expected):
    assert readings(*cells) == expected


def test_read_tables_returns_every_row_and_the_legend_spans():
    text = "C = compressible, NC = noncompressible\nVein    Compressible  Thrombus\nCFV     C             No\nPOP     NC            Yes\n"
    found, legends = read_tables(text, VOCAB)
    assert [(r.vein.text, [x.status for x in readings]) for _, r, readings in found] == [("CFV", ["normal"]), ("POP", ["thrombus"])]
    assert legends == [(0, text.index("\n"))]


def test_a_table_without_a_legend_is_read():
    found, legends = read_tables("Vein    Compressible  Thrombus\nCFV     Yes           No\n", VOCAB)
    assert ([r.vein.text for _, r, _ in found], legends) == (["CFV"], [])


def test_prose_has_no_table():
    assert read_tables("Thrombus in the CFV. The popliteal vein is compressible.", VOCAB) == ([], [])
