"""ICD-10-CM code suggestions per side, from a record's findings.

The code table is data: ``patterns/icd10cm.json`` (official titles, checked against the CMS Tabular List by tests/test_icd10_titles.py).
These are *suggestions* for a registry abstractor, not billing codes: they describe the vein
findings of one duplex report. The rules (docs/schema.md, "ICD-10-CM suggestions"):

- Only ``present`` findings of the record's ``findings`` (the decisive ones; superseded mentions
  never add a code). ``possible``, ``absent``, ``historical``, ``hypothetical``, ``indication``
  and ``not_evaluated`` findings give no code.
- Deep veins: acuity ``chronic`` -> I82.5- (chronic); ``acute``, ``subacute``,
  ``acute_on_chronic``, ``unspecified`` or none -> I82.4- (acute), as the ICD-10-CM index
  defaults an unqualified DVT to acute. Chronic findings get their I82.5- code whether or not
  ``--count-chronic`` let them into a label.
- Vein by segment (``segments`` in the table): CFV, femoral, deep femoral -> femoral (I82.41-);
  common/external/internal iliac -> iliac (I82.42-); popliteal -> I82.43-; anterior/posterior
  tibial and the tibioperoneal trunk -> tibial (I82.44-); peroneal -> I82.45-; soleal,
  gastrocnemius, muscular calf -> calf muscular (I82.46-); calf veins with no named vein ->
  distal unspecified (I82.4Z-); proximal DVT with no named vein ("thigh DVT") -> proximal
  unspecified (I82.4Y-); DVT with no resolvable vein -> unspecified deep veins (I82.40-).
- Superficial (GSV, SSV, other superficial) -> I82.81- (no acute/chronic axis in ICD-10-CM).
- IVC is not a lower-extremity vein in ICD-10-CM: I82.220 acute / I82.221 chronic, with no
  laterality character, listed with the ``unspecified`` side (the IVC is midline).
- Upper-extremity findings give no code (this is a lower-extremity study).
- Laterality (6th character): 1 right, 2 left, 9 unspecified; 3 bilateral when the same vein
  stem (same acuity) is present on the left and the right: the bilateral code then replaces both.
  A code for the unspecified side is dropped when the same stem is coded on a known side.
- The least specific codes give way: I82.40-/I82.50- (no vein) is dropped on a side that has any
  specific deep code of the same acuity, I82.4Z-/I82.5Z- (calf, no vein) on a side with a
  tibial, peroneal or calf muscular code of the same acuity, and I82.4Y-/I82.5Y- (proximal, no
  vein) on a side with a femoral, iliac or popliteal code of the same acuity.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from ..core.record import FindingRecord, Record

SIDE_COLUMNS = ("left", "right", "bilateral", "unspecified")
_DISTAL_SPECIFIC = ("tibial", "peroneal", "calf_muscular")
_PROXIMAL_SPECIFIC = ("femoral", "iliac", "popliteal")


def _table_path() -> Path:
    from ..rules import default_directory

    return default_directory() / "icd10cm.json"


@lru_cache(maxsize=1)
def load_table() -> dict:
    """The code table (validated: every code a stem can produce has an official title)."""
    table = json.loads(_table_path().read_text(encoding="utf-8"))
    codes = table["codes"]
    for vein, stems in table["vein_stems"].items():
        for stem in stems.values():
            for char in table["laterality"].values():
                if stem + char not in codes:
                    raise ValueError(f"patterns/icd10cm.json: {stem + char} ({vein}) has no title")
    for stems in table["midline_codes"].values():
        for code in stems.values():
            if code not in codes:
                raise ValueError(f"patterns/icd10cm.json: {code} has no title")
    return table


def title(code: str) -> str:
    return load_table()["codes"][code]


def _acuity(finding: FindingRecord) -> str:
    return "chronic" if finding.get("acuity") == "chronic" else "acute"


def suggest(record: Record) -> dict[str, list[str]]:
    """ICD-10-CM codes per side column (left, right, bilateral, unspecified), in code order."""
    table = load_table()
    stems_by_vein = table["vein_stems"]
    lat = table["laterality"]
    # (side, vein, acuity) present in the decisive findings
    found: set[tuple[str, str, str]] = set()
    midline: set[str] = set()
    for finding in record.get("findings") or []:
        if finding.get("status") != "present":
            continue
        segment = finding.get("segment")
        if segment is None:
            if finding.get("group") != "deep_unspecified":
                continue
            vein = "unspecified_deep"
        else:
            vein = table["segments"].get(segment)
        if vein is None:
            continue
        acuity = _acuity(finding)
        if vein == "ivc":
            midline.add(table["midline_codes"]["ivc"][acuity])
            continue
        if vein == "superficial":
            acuity = "acute"  # one stem, I82.81
        side: str = finding["side"] if finding.get("side") in ("left", "right") else "unspecified"
        found.add((side, vein, acuity))

    def drop_general(side: str) -> None:
        for acuity in ("acute", "chronic"):
            veins = {v for s, v, a in found if s == side and a == acuity}
            specific_deep = veins - {"unspecified_deep", "superficial"}
            if specific_deep:
                found.discard((side, "unspecified_deep", acuity))
            if veins & set(_DISTAL_SPECIFIC):
                found.discard((side, "distal_unspecified", acuity))
            if veins & set(_PROXIMAL_SPECIFIC):
                found.discard((side, "proximal_unspecified", acuity))

    for side in ("left", "right", "unspecified"):
        drop_general(side)
    out: dict[str, set[str]] = {column: set() for column in SIDE_COLUMNS}
    for side, vein, acuity in found:
        stem = stems_by_vein[vein][acuity]
        if side == "unspecified":
            if (("left", vein, acuity) in found) or (("right", vein, acuity) in found):
                continue
            out["unspecified"].add(stem + lat["unspecified"])
        elif (("left" if side == "right" else "right"), vein, acuity) in found:
            out["bilateral"].add(stem + lat["bilateral"])
        else:
            out[side].add(stem + lat[side])
    out["unspecified"] |= midline
    return {column: sorted(codes) for column, codes in out.items()}


def suggest_joined(record: Record) -> dict[str, str | None]:
    """:func:`suggest` as ``;``-joined strings (None for a side with no code; None for error rows)."""
    if record.get("error") is not None:
        return {column: None for column in SIDE_COLUMNS}
    return {column: (";".join(codes) or None) for column, codes in suggest(record).items()}
