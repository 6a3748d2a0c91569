"""State-level synthetic ``dvt extract`` tables for timing and parity runs of ``dvt course`` (no text, no NLP).

``write_extract_tables(1_000_000, 200_000, seed, "in.parquet")`` writes ``in.reports.parquet`` and
``in.findings.parquet`` with the columns ``dvt extract --patient-col --date-col`` writes: patients'
exams on increasing dates (some the same day, some out of input order), each examined leg in a
state drawn from a small chain (negative, muscular, axial, proximal, chronic, indeterminate), and
the decisive findings that make that state. ``fmt="duckdb"`` writes one DuckDB file instead.
"""
from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..outputs.tables import FINDINGS_SCHEMA, SCHEMA_VERSION, reports_schema

STATES: dict[str, tuple[str, list[tuple[str, str, str, str | None]]]] = {  # state -> (side label, [(segment, group, status, acuity)])
    "NEG": ("NEGATIVE", [("femoral", "proximal", "absent", None), ("popliteal", "proximal", "absent", None), ("peroneal", "distal_axial", "absent", None)]),
    "THIGH": ("NEGATIVE", [("common_femoral", "proximal", "absent", None), ("popliteal", "proximal", "absent", None)]),
    "MUSC": ("ICMVT", [("popliteal", "proximal", "absent", None), ("soleal", "distal_muscular", "present", "acute")]),
    "AXIAL": ("IDDVT", [("popliteal", "proximal", "absent", None), ("soleal", "distal_muscular", "present", "acute"), ("peroneal", "distal_axial", "present", "acute")]),
    "PROX": ("PROXIMAL", [("popliteal", "proximal", "present", "acute"), ("peroneal", "distal_axial", "present", "unspecified")]),
    "PROX2": ("PROXIMAL", [("femoral", "proximal", "present", "acute"), ("popliteal", "proximal", "present", "acute")]),
    "CHRONIC": ("NEGATIVE", [("femoral", "proximal", "present", "chronic"), ("popliteal", "proximal", "absent", None)]),
    "INDET": ("INDETERMINATE", [("peroneal", "distal_axial", "possible", None)]),
}
NEXT: dict[str, tuple[list[str], list[float]]] = {
    "NEG": (["NEG", "MUSC", "AXIAL", "PROX", "CHRONIC", "INDET", "THIGH"], [6, 1, 1, 1, 0.5, 0.4, 0.5]),
    "THIGH": (["NEG", "MUSC", "AXIAL"], [4, 1, 1]),
    "MUSC": (["MUSC", "AXIAL", "PROX", "NEG", "THIGH"], [3, 1.5, 1, 2, 0.7]),
    "AXIAL": (["AXIAL", "PROX", "NEG", "MUSC", "INDET"], [3, 1.2, 2, 0.5, 0.3]),
    "PROX": (["PROX", "PROX2", "CHRONIC", "NEG"], [3, 1, 1, 1]),
    "PROX2": (["PROX2", "CHRONIC", "NEG"], [3, 1.5, 1]),
    "CHRONIC": (["CHRONIC", "PROX", "NEG"], [3, 0.5, 1]),
    "INDET": (["NEG", "AXIAL"], [2, 1]),
}
GAPS: tuple[list[int], list[float]] = ([0, 1, 3, 5, 7, 9, 14, 30, 60, 100, 200, 400], [1, 0.5, 1, 2, 3, 2, 2, 2, 1, 1, 1, 0.5])
CARRIED = ("patient_id", "exam_date", "exam_date_note")


def _exams(n_exams: int, n_patients: int, seed: int):
    """(patient, date text, {leg: state}) per exam, patients interleaved a little in input order."""
    rng = random.Random(seed)
    base = dt.date(2018, 1, 1).toordinal()
    per = [1] * n_patients
    for _ in range(n_exams - n_patients):
        per[rng.randrange(n_patients)] += 1
    window: list = []
    for p in range(n_patients):
        day, state = base + rng.randrange(2000), {"left": "NEG", "right": "NEG"}
        for _ in range(per[p]):
            day += rng.choices(*GAPS)[0]
            legs = rng.choices([("left",), ("right",), ("left", "right")], [2, 2, 1])[0]
            for leg in legs:
                options, weights = NEXT[state[leg]]
                state[leg] = rng.choices(options, weights)[0]
            when = dt.date.fromordinal(day).isoformat() + (f"T{rng.randrange(7, 19):02d}:00:00" if rng.random() < 0.3 else "")
            window.append((f"P{p:07d}", when, {leg: state[leg] for leg in legs}))
            if len(window) > 8:  # a little disorder: exams of neighbouring patients interleave
                yield window.pop(rng.randrange(len(window)))
    rng.shuffle(window)
    yield from window


def write_extract_tables(n_exams: int, n_patients: int, seed: int, output: str, fmt: str = "parquet", batch: int = 100_000) -> dict[str, str]:
    """Write the reports and findings tables of ``n_exams`` exams; returns the paths written."""
    rschema = reports_schema(CARRIED)
    stem = output.rsplit(".", 1)[0]
    paths = {"reports": f"{stem}.reports.parquet", "findings": f"{stem}.findings.parquet"}
    writers = {"reports": pq.ParquetWriter(paths["reports"], rschema), "findings": pq.ParquetWriter(paths["findings"], FINDINGS_SCHEMA)}
    constant_r = {"schema_version": SCHEMA_VERSION, "side_label_unspecified": None, "distal": None, "svt": False, "svt_near_junction": False,
                  "n_superseded_findings": 0, "icd10cm_left": None, "icd10cm_right": None, "icd10cm_bilateral": None, "icd10cm_unspecified": None,
                  "error": None, "input_note": None, "pipeline_version": "synthetic", "rules_hash": "synthetic", "exam_date_note": None, "label": None}
    constant_f = {"schema_version": SCHEMA_VERSION, "decisive": True, "occlusion": None, "section": "findings", "mention_start": 0, "mention_end": 1,
                  "mention_text": "v", "cue_start": None, "cue_end": None, "cue_text": None, "sentence_start": 0, "sentence_end": 1, "modifiers": "[]"}
    # no stated interval change, comparison or scope: the course reads the labels and segments alone
    constant_r.update(dict.fromkeys((n for n in rschema.names if n.startswith(("scope_", "comparison_"))), None))
    constant_f.update(dict.fromkeys((n for n in FINDINGS_SCHEMA.names if n.startswith("change")), None))
    rcols: dict[str, list] = {n: [] for n in rschema.names if n not in constant_r}
    fcols: dict[str, list] = {n: [] for n in FINDINGS_SCHEMA.names if n not in constant_f}

    def table(schema: pa.Schema, cols: dict[str, list], constants: dict) -> pa.Table:
        n = len(next(iter(cols.values())))
        zeros = pa.array(np.zeros(n, dtype=np.int32))
        arrays = [pa.array(cols[f.name], type=f.type) if f.name in cols else pa.array([constants[f.name]], type=f.type).take(zeros) for f in schema]
        return pa.Table.from_arrays(arrays, schema=schema)

    def flush() -> None:
        writers["reports"].write_table(table(rschema, rcols, constant_r))
        if fcols["report_row"]:
            writers["findings"].write_table(table(FINDINGS_SCHEMA, fcols, constant_f))
        for cols in (rcols, fcols):
            for values in cols.values():
                values.clear()

    for row, (patient, when, legs) in enumerate(_exams(n_exams, n_patients, seed)):
        rid = f"R{row:08d}"
        labels = {leg: STATES[s][0] for leg, s in legs.items()}
        index = 0
        for leg, state in legs.items():
            for segment, group, status, acuity in STATES[state][1]:
                for name, value in (("report_row", row), ("report_id", rid), ("finding_index", index), ("segment", segment), ("group", group),
                                    ("side", leg), ("status", status), ("acuity", acuity)):
                    fcols[name].append(value)
                index += 1
        values = {"row_number": row, "id": rid, "side_label_left": labels.get("left"), "side_label_right": labels.get("right"),
                  "n_findings": index, "patient_id": patient, "exam_date": when}
        for name, column in rcols.items():
            column.append(values[name])
        if len(rcols["id"]) >= batch:
            flush()
    if rcols["id"]:
        flush()
    for writer in writers.values():
        writer.close()
    if fmt == "duckdb":
        import duckdb

        con = duckdb.connect(output)
        con.execute(f"CREATE TABLE reports AS SELECT * FROM read_parquet('{paths['reports']}')")
        con.execute(f"CREATE TABLE findings AS SELECT * FROM read_parquet('{paths['findings']}')")
        con.close()
        return {"duckdb": output, **paths}
    return paths
