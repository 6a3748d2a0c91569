"""The flat ``reports`` and ``findings`` tables (CSV, Parquet, DuckDB), built from JSONL records.

Column meanings, types and the versioning rule are in docs/schema.md. Every row carries
``schema_version``; a change to any column (name, type, meaning) is a new schema version.
Writers here are generic over a pyarrow schema: CSV through the ``csv`` module (fixed
formatting, ``\\n`` line ends, empty field = null, booleans ``true``/``false``), Parquet through
``pyarrow.parquet.ParquetWriter`` with fixed options (no timestamps are written, so reruns are
byte-identical with the same pyarrow version).
"""
from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from ..core.record import ComparisonRecord, FindingRecord, ModifierRecord, Record, SpanRecord
from .icd10 import suggest_joined

SCHEMA_VERSION = 2  # 2: interval change, comparison and scope columns (docs/schema.md)
BATCH_ROWS = 10_000  # records per Parquet row group / DuckDB insert (fixed: part of the byte layout)

REPORTS_SCHEMA = pa.schema([
    pa.field("schema_version", pa.int32(), nullable=False),
    pa.field("row_number", pa.int64(), nullable=False),
    pa.field("id", pa.string(), nullable=False),
    pa.field("label", pa.string()),
    pa.field("side_label_left", pa.string()),
    pa.field("side_label_right", pa.string()),
    pa.field("side_label_unspecified", pa.string()),
    pa.field("distal", pa.bool_()),
    pa.field("svt", pa.bool_()),
    pa.field("svt_near_junction", pa.bool_()),
    pa.field("n_findings", pa.int32(), nullable=False),
    pa.field("n_superseded_findings", pa.int32(), nullable=False),
    pa.field("icd10cm_left", pa.string()),
    pa.field("icd10cm_right", pa.string()),
    pa.field("icd10cm_bilateral", pa.string()),
    pa.field("icd10cm_unspecified", pa.string()),
    pa.field("error", pa.string()),
    pa.field("input_note", pa.string()),
    pa.field("pipeline_version", pa.string(), nullable=False),
    pa.field("rules_hash", pa.string(), nullable=False),
    pa.field("scope_left", pa.string()),
    pa.field("scope_right", pa.string()),
    pa.field("scope_unspecified", pa.string()),
    pa.field("comparison_date", pa.string()),
    pa.field("comparison_source", pa.string()),
    pa.field("comparison_start", pa.int32()),
    pa.field("comparison_end", pa.int32()),
    pa.field("comparison_text", pa.string()),
], metadata={"dvt.table": "reports", "dvt.schema_version": str(SCHEMA_VERSION)})

FINDINGS_SCHEMA = pa.schema([
    pa.field("schema_version", pa.int32(), nullable=False),
    pa.field("report_row", pa.int64(), nullable=False),
    pa.field("report_id", pa.string(), nullable=False),
    pa.field("decisive", pa.bool_(), nullable=False),
    pa.field("finding_index", pa.int32(), nullable=False),
    pa.field("segment", pa.string()),
    pa.field("group", pa.string(), nullable=False),
    pa.field("side", pa.string(), nullable=False),
    pa.field("status", pa.string(), nullable=False),
    pa.field("acuity", pa.string()),
    pa.field("occlusion", pa.string()),
    pa.field("section", pa.string()),
    pa.field("mention_start", pa.int32(), nullable=False),
    pa.field("mention_end", pa.int32(), nullable=False),
    pa.field("mention_text", pa.string(), nullable=False),
    pa.field("cue_start", pa.int32()),
    pa.field("cue_end", pa.int32()),
    pa.field("cue_text", pa.string()),
    pa.field("sentence_start", pa.int32(), nullable=False),
    pa.field("sentence_end", pa.int32(), nullable=False),
    pa.field("modifiers", pa.string(), nullable=False),
    pa.field("change", pa.string()),
    pa.field("change_cue_start", pa.int32()),
    pa.field("change_cue_end", pa.int32()),
    pa.field("change_cue_text", pa.string()),
], metadata={"dvt.table": "findings", "dvt.schema_version": str(SCHEMA_VERSION)})


def reports_schema(carried: tuple[str, ...] = ()) -> pa.Schema:
    """The reports table, with the carried input columns (``dvt extract --patient-col`` ...) at its end, as text."""
    if not carried:
        return REPORTS_SCHEMA
    return pa.schema([*REPORTS_SCHEMA, *(pa.field(c, pa.string()) for c in carried)], metadata=REPORTS_SCHEMA.metadata)


def id_text(report_id: object) -> str:
    """The report id as text: a string as is, anything else (a JSON number) as its JSON text."""
    return report_id if isinstance(report_id, str) else json.dumps(report_id, ensure_ascii=False)


def report_row(record: Record, row_number: int, carried: tuple[str, ...] = ()) -> dict[str, object]:
    sides = record.get("side_labels") or {}
    scope = record.get("scope") or {}
    comparison: ComparisonRecord | dict[str, None] = record.get("comparison") or {}
    icd = suggest_joined(record)
    row: dict[str, object] = {
        "schema_version": SCHEMA_VERSION,
        "row_number": row_number,
        "id": id_text(record["id"]),
        "label": record.get("label"),
        "side_label_left": sides.get("left"),
        "side_label_right": sides.get("right"),
        "side_label_unspecified": sides.get("unspecified"),
        "distal": record.get("distal"),
        "svt": record.get("svt"),
        "svt_near_junction": record.get("svt_near_junction"),
        "n_findings": len(record.get("findings") or []),
        "n_superseded_findings": len(record.get("superseded_findings") or []),
        "icd10cm_left": icd["left"],
        "icd10cm_right": icd["right"],
        "icd10cm_bilateral": icd["bilateral"],
        "icd10cm_unspecified": icd["unspecified"],
        "error": record.get("error"),
        "input_note": record.get("input_note"),
        "pipeline_version": record["pipeline_version"],
        "rules_hash": record["rules_hash"],
        "scope_left": scope.get("left"),
        "scope_right": scope.get("right"),
        "scope_unspecified": scope.get("unspecified"),
        "comparison_date": comparison.get("date"),
        "comparison_source": comparison.get("source"),
        "comparison_start": comparison.get("start"),
        "comparison_end": comparison.get("end"),
        "comparison_text": comparison.get("text"),
    }
    for name in carried:
        value = record.get(name)
        row[name] = None if value is None else id_text(value)
    return row


def modifiers_json(modifiers: list[ModifierRecord]) -> str:
    """Modifiers as a compact JSON array of {category, start, end, text} (``[]`` when none)."""
    return json.dumps(modifiers, ensure_ascii=False, separators=(",", ":"))


def iter_findings(record: Record) -> Iterator[tuple[bool, int, FindingRecord]]:
    """(decisive, index within its list, finding) for the decisive then the superseded findings."""
    for decisive, findings in ((True, record.get("findings")), (False, record.get("superseded_findings"))):
        for index, finding in enumerate(findings or []):
            yield decisive, index, finding


def finding_rows(record: Record, row_number: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    rid = id_text(record["id"])
    for decisive, index, f in iter_findings(record):
        ev = f["evidence"]
        cue: SpanRecord | dict[str, None] = ev.get("cue") or {}
        change_cue: SpanRecord | dict[str, None] = ev.get("change_cue") or {}
        rows.append({
            "schema_version": SCHEMA_VERSION,
            "report_row": row_number,
            "report_id": rid,
            "decisive": decisive,
            "finding_index": index,
            "segment": f.get("segment"),
            "group": f["group"],
            "side": f["side"],
            "status": f["status"],
            "acuity": f.get("acuity"),
            "occlusion": f.get("occlusion"),
            "section": f.get("section"),
            "mention_start": ev["start"],
            "mention_end": ev["end"],
            "mention_text": ev["text"],
            "cue_start": cue.get("start"),
            "cue_end": cue.get("end"),
            "cue_text": cue.get("text"),
            "sentence_start": ev["sentence"]["start"],
            "sentence_end": ev["sentence"]["end"],
            "modifiers": modifiers_json(ev.get("modifiers") or []),
            "change": f.get("change"),
            "change_cue_start": change_cue.get("start"),
            "change_cue_end": change_cue.get("end"),
            "change_cue_text": change_cue.get("text"),
        })
    return rows


def read_records(jsonl_path: str) -> Iterator[Record]:
    """Records of a ``dvt extract`` JSONL file, one at a time."""
    with open(jsonl_path, "rb") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def batches(records: Iterable[Record], size: int = BATCH_ROWS) -> Iterator[tuple[int, list[Record]]]:
    """(row number of the first record, records) in batches of ``size``."""
    batch: list[Record] = []
    first = 0
    for number, record in enumerate(records):
        if not batch:
            first = number
        batch.append(record)
        if len(batch) >= size:
            yield first, batch
            batch = []
    if batch:
        yield first, batch


def arrow_tables(records: Iterable[Record]) -> tuple[pa.Table, pa.Table]:
    """The ``reports`` and ``findings`` tables of ``records`` in memory, with their pyarrow schemas:
    the rows :func:`write_flat_tables` writes (:func:`report_row`, :func:`finding_rows`), batch by batch."""
    reports: list[pa.Table] = []
    findings: list[pa.Table] = []
    for first, batch in batches(records):
        reports.append(pa.Table.from_pylist([report_row(r, first + i) for i, r in enumerate(batch)], schema=REPORTS_SCHEMA))
        findings.append(pa.Table.from_pylist([row for i, r in enumerate(batch) for row in finding_rows(r, first + i)], schema=FINDINGS_SCHEMA))
    return (pa.concat_tables(reports) if reports else REPORTS_SCHEMA.empty_table(),
            pa.concat_tables(findings) if findings else FINDINGS_SCHEMA.empty_table())


# --------------------------------------------------------------------------- writers


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value


class CsvTableWriter:
    """Rows of one schema to a CSV file: header, then rows; written to ``path.tmp`` and renamed on close."""

    def __init__(self, path: str, schema: pa.Schema) -> None:
        self.path, self.schema = path, schema
        self._tmp = path + ".tmp"
        self._handle = open(self._tmp, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._writer = csv.writer(self._handle, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        self._writer.writerow(schema.names)
        self.rows = 0

    def write(self, rows: list[dict]) -> None:
        names = self.schema.names
        self._writer.writerows([[_csv_value(row[n]) for n in names] for row in rows])
        self.rows += len(rows)

    def close(self) -> None:
        self._handle.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        self._handle.close()
        if os.path.exists(self._tmp):
            os.remove(self._tmp)


class ParquetTableWriter:
    """Rows of one schema to a Parquet file, one row group per batch; fixed writer options."""

    def __init__(self, path: str, schema: pa.Schema) -> None:
        self.path, self.schema = path, schema
        self._tmp = path + ".tmp"
        self._writer = pq.ParquetWriter(
            self._tmp, schema, compression="zstd", version="2.6", use_dictionary=True,
            write_statistics=True, store_schema=True,
        )
        self.rows = 0
        self._empty = True

    def write(self, rows: list[dict]) -> None:
        if rows:
            self._writer.write_table(pa.Table.from_pylist(rows, schema=self.schema))
            self.rows += len(rows)

    def write_table(self, table: pa.Table, row_group_size: int | None = None) -> None:
        """An Arrow table of this schema, in row groups of ``row_group_size`` rows (default: one)."""
        self._writer.write_table(table, row_group_size=row_group_size)
        self.rows += table.num_rows

    def close(self) -> None:
        self._writer.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        self._writer.close()
        if os.path.exists(self._tmp):
            os.remove(self._tmp)


def table_writer(kind: str, path: str, schema: pa.Schema):
    return CsvTableWriter(path, schema) if kind == "csv" else ParquetTableWriter(path, schema)


def write_flat_tables(jsonl_path: str, reports_path: str, findings_path: str, kind: str, carried: tuple[str, ...] = ()) -> dict[str, int]:
    """Convert a JSONL output into the reports and findings tables (``kind`` csv or parquet)."""
    writers = [table_writer(kind, reports_path, reports_schema(carried)), table_writer(kind, findings_path, FINDINGS_SCHEMA)]
    try:
        for first, batch in batches(read_records(jsonl_path)):
            writers[0].write([report_row(r, first + i, carried) for i, r in enumerate(batch)])
            writers[1].write([row for i, r in enumerate(batch) for row in finding_rows(r, first + i)])
    except BaseException:
        for writer in writers:
            writer.abort()
        raise
    for writer in writers:
        writer.close()
    return {"reports": writers[0].rows, "findings": writers[1].rows}
