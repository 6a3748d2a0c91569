"""docs/notebooks/quickstart.ipynb runs from top to bottom, and its outputs are what it promises."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebook test needs the 'test' extra (nbformat, nbclient, ipykernel, matplotlib)")
nbclient = pytest.importorskip("nbclient", reason="the notebook test needs the 'test' extra (nbclient)")
pytest.importorskip("ipykernel", reason="the notebook test needs the 'test' extra (ipykernel, for the python3 kernel)")
pytest.importorskip("matplotlib", reason="the notebook test needs the 'test' extra (matplotlib, for the plot)")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "notebooks" / "quickstart.ipynb"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook after a run in a fresh python3 kernel that imports this checkout's `pipeline`."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")  # kept without outputs
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path_factory.mktemp("notebook"))}})
    client.execute(env=env)  # raises CellExecutionError on the first failing cell
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def outputs(cell, mime: str) -> list[str]:
    return [out["data"][mime] for out in cell.outputs if mime in out.get("data", {})]


def test_the_frames_have_the_labels_of_the_reports(executed):
    table = outputs(executed[1], "text/plain")[0]
    for row in ("r1 2026-01-08       PROXIMAL", "r4 2026-02-03          ICMVT", "r6 2026-02-25  INDETERMINATE"):
        assert row in table


def test_the_display_is_html_with_marked_evidence_and_text_when_printed(executed):
    page = outputs(executed[3], "text/html")[0]
    assert '<span class="mention g-proximal st-present"' in page and "<script" not in page
    printed = "".join(out.get("text", "") for out in executed[4].outputs)
    assert printed.startswith("Report r1 — PROXIMAL (left PROXIMAL)")


def test_the_plot_is_drawn(executed):
    assert outputs(executed[5], "image/png")


def test_the_hand_built_spacy_pipeline_gives_the_record(executed):
    printed = "".join(out.get("text", "") for out in executed[6].outputs)
    assert "IDDVT {'left': None, 'right': 'IDDVT', 'unspecified': None}" in printed
    assert '<span class="mention g-distal_axial st-present"' in outputs(executed[6], "text/html")[0]
