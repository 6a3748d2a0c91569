"""The ICD-10-CM code table checked against the official CMS/NCHS Tabular List.

The official file is the ``icd10cm-tabular`` XML that CMS publishes; the ``simple-icd-10-cm``
package (a test dependency, pinned) ships it unchanged as its data file, so the check runs
offline. A code counts as billable when it has no child code in the Tabular List.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from importlib.resources import files

import pytest

from pipeline.outputs.icd10 import load_table

_SUBCATEGORIES = ("I82.4", "I82.5", "I82.81", "I82.22")


@pytest.fixture(scope="module")
def tabular() -> dict[str, tuple[str, bool]]:
    """code -> (official long title, billable) for every code of category I82."""
    data = files("simple_icd_10_cm.data")
    (xml_file,) = [f for f in data.iterdir() if f.name.startswith("icd10c") and f.name.endswith(".xml")]
    root = ET.fromstring(xml_file.read_bytes())
    assert root.tag == "ICD10CM.tabular"
    codes = {}
    for diag in root.iter("diag"):
        name = diag.findtext("name")
        if name.startswith("I82"):
            codes[name] = (diag.findtext("desc"), diag.find("diag") is None)
    return codes


def test_every_title_is_the_official_title(tabular):
    wrong = {code: (title, tabular.get(code, ("<missing>",))[0]) for code, title in load_table()["codes"].items() if tabular.get(code, ("",))[0] != title}
    assert not wrong, wrong


def test_every_code_is_billable(tabular):
    assert [code for code in load_table()["codes"] if not tabular[code][1]] == []


def test_the_table_holds_every_billable_code_of_its_subcategories(tabular):
    billable = {code for code, (_, leaf) in tabular.items() if leaf and code.startswith(_SUBCATEGORIES)}
    assert billable - set(load_table()["codes"]) == set()
