"""``dvt course``: read ``dvt extract`` output, group it by patient, write the three course tables.

Inputs: the JSONL records, the Parquet or CSV tables (``OUT.reports.parquet`` with its
``OUT.findings.parquet``; give either file or ``OUT.parquet``), or the DuckDB file. Tables are
read through DuckDB, which joins each report with its decisive findings and sorts by patient, so
the rules see one patient at a time and memory holds one batch of patients. JSONL records are
read in Python and sorted by patient in memory.

Outputs, like ``dvt extract``: ``-o course.jsonl`` writes ``course.leg_exams.jsonl``,
``course.leg_events.jsonl`` and ``course.leg_episodes.jsonl`` (``.csv`` and ``.parquet`` alike);
``-o course.duckdb`` writes one file with the three tables. Each file goes to ``FILE.tmp`` and is
renamed when complete. Same input and parameters, same bytes.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from itertools import groupby
from pathlib import Path

import pyarrow as pa

from ..outputs.duckdb_out import create_table_sql, pin_identifier
from ..outputs.tables import BATCH_ROWS, CsvTableWriter, ParquetTableWriter, id_text, read_records
from .rules import Params
from .tables import SCHEMAS, patient_rows

FORMATS = ("jsonl", "csv", "parquet", "duckdb")
_EXT = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".parquet": "parquet", ".duckdb": "duckdb", ".db": "duckdb"}
PATIENTS_PER_BATCH = 2000


class CourseInputError(ValueError):
    """The input cannot be read as ``dvt extract`` output (the message names the file)."""


def output_format(output: str, explicit: str | None = None) -> str:
    fmt = (explicit or _EXT.get(Path(output).suffix.lower(), "jsonl")).lower()
    if fmt not in FORMATS:
        raise CourseInputError(f"unknown format {explicit!r}: one of {', '.join(FORMATS)}")
    return fmt


def output_files(output: str, fmt: str) -> dict[str, str]:
    """The file of each table (DuckDB: one file for all three)."""
    if fmt == "duckdb":
        return dict.fromkeys(SCHEMAS, output)
    path = Path(output)
    stem = str(path.with_suffix("")) if path.suffix else str(path)
    return {name: f"{stem}.{name}.{fmt}" for name in SCHEMAS}


# --------------------------------------------------------------------------- reading


def _normal(record: dict, row: int) -> dict:
    """The fields of a JSONL record the rules read (decisive findings only)."""
    return {
        "row": row, "id": id_text(record.get("id")), "patient_id": None if record.get("patient_id") is None else id_text(record["patient_id"]),
        "exam_date": record.get("exam_date"), "exam_date_note": record.get("exam_date_note"), "error": record.get("error"),
        "side_labels": record.get("side_labels") or {}, "scope": record.get("scope"),
        "findings": [{k: f.get(k) for k in ("segment", "side", "status", "acuity", "occlusion", "change")} for f in record.get("findings") or ()],
    }


def _jsonl_patients(path: str) -> Iterator[tuple[str | None, list[dict]]]:
    try:
        reports = [_normal(r, n) for n, r in enumerate(read_records(path))]
    except (OSError, json.JSONDecodeError, AttributeError) as exc:
        raise CourseInputError(f"{path}: not readable as dvt extract JSONL ({type(exc).__name__})") from None
    reports.sort(key=lambda r: (r["patient_id"] is not None, r["patient_id"] or "", r["row"]))
    for patient, group in groupby(reports, key=lambda r: r["patient_id"]):
        yield patient, list(group)


def _table_paths(path: str) -> tuple[str, str]:
    """(reports, findings) files for a Parquet or CSV input given as either table or the -o name."""
    p = Path(path)
    ext = p.suffix
    stem = str(p.with_suffix(""))
    for table in (".reports", ".findings"):
        if stem.endswith(table):
            stem = stem[: -len(table)]
    reports, findings = f"{stem}.reports{ext}", f"{stem}.findings{ext}"
    for file in (reports, findings):
        if not Path(file).exists():
            raise CourseInputError(f"{file}: no such file (dvt course reads the reports and findings tables of dvt extract)")
    return reports, findings


_QUERY = """
SELECT r.row_number AS row, r.id, CAST({patient} AS VARCHAR) AS patient_id, CAST({date} AS VARCHAR) AS exam_date,
       {note} AS exam_date_note, r.error, r.side_label_left, r.side_label_right, {scope_left} AS scope_left, {scope_right} AS scope_right,
       list(struct_pack(segment := f.segment, side := f.side, status := f.status, acuity := f.acuity, occlusion := f.occlusion,
                        change := {change}) ORDER BY f.finding_index) FILTER (WHERE f.segment IS NOT NULL) AS findings
FROM reports r LEFT JOIN findings f ON f.report_row = r.row_number AND f.decisive AND f.side IN ('left', 'right')
GROUP BY ALL
ORDER BY patient_id NULLS FIRST, r.row_number
"""


def _table_patients(path: str, fmt: str) -> Iterator[tuple[str | None, list[dict]]]:
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("SET threads TO 2")
        if fmt == "duckdb":
            if not Path(path).exists():
                raise CourseInputError(f"{path}: no such file")
            con.execute(f"ATTACH '{_sql_text(path)}' AS src (READ_ONLY)")
            con.execute("CREATE VIEW reports AS SELECT * FROM src.reports; CREATE VIEW findings AS SELECT * FROM src.findings")
        else:
            reports, findings = _table_paths(path)
            reader = "read_parquet" if fmt == "parquet" else "read_csv"
            opts = "" if fmt == "parquet" else ", header=true, all_varchar=true"
            con.execute(f"CREATE VIEW reports AS SELECT * FROM {reader}('{_sql_text(reports)}'{opts})")
            con.execute(f"CREATE VIEW findings AS SELECT * FROM {reader}('{_sql_text(findings)}'{opts})")
            if fmt == "csv":  # CSV holds text: give the columns the join and order use their types back
                con.execute("CREATE OR REPLACE VIEW reports AS SELECT * REPLACE (CAST(row_number AS BIGINT) AS row_number, NULLIF(error, '') AS error) FROM "
                            f"read_csv('{_sql_text(reports)}', header=true, all_varchar=true)")
                con.execute("CREATE OR REPLACE VIEW findings AS SELECT * REPLACE (CAST(report_row AS BIGINT) AS report_row, "
                            f"decisive = 'true' AS decisive, CAST(finding_index AS INTEGER) AS finding_index) FROM read_csv('{_sql_text(findings)}', header=true, all_varchar=true)")
        rcols = {r[0] for r in con.execute("SELECT column_name FROM (DESCRIBE reports)").fetchall()}
        fcols = {r[0] for r in con.execute("SELECT column_name FROM (DESCRIBE findings)").fetchall()}
        if "patient_id" not in rcols:
            raise CourseInputError(f"{path}: the reports table has no patient_id column (run dvt extract with --patient-col and --date-col)")
        query = _QUERY.format(
            patient="r.patient_id", date="r.exam_date" if "exam_date" in rcols else "NULL",
            note="NULLIF(r.exam_date_note, '')" if "exam_date_note" in rcols else "NULL",
            scope_left="r.scope_left" if "scope_left" in rcols else "NULL", scope_right="r.scope_right" if "scope_right" in rcols else "NULL",
            change="f.change" if "change" in fcols else "CAST(NULL AS VARCHAR)",
        )
        reader = con.execute(query).to_arrow_reader(BATCH_ROWS)
        pending: list[dict] = []
        for batch in reader:
            rows = batch.to_pylist()
            pending.extend(_from_table_row(r) for r in rows)
            last = pending[-1]["patient_id"]
            cut = len(pending)
            while cut and pending[cut - 1]["patient_id"] == last:
                cut -= 1
            done, pending = pending[:cut], pending[cut:]
            yield from ((p, list(g)) for p, g in groupby(done, key=lambda r: r["patient_id"]))
        yield from ((p, list(g)) for p, g in groupby(pending, key=lambda r: r["patient_id"]))
    except duckdb.Error as exc:
        raise CourseInputError(f"{path}: not readable as dvt extract output ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})") from None
    finally:
        con.close()


def _sql_text(path: str) -> str:
    return path.replace("'", "''")


def _from_table_row(r: dict) -> dict:
    scope = {"left": r["scope_left"], "right": r["scope_right"]} if r["scope_left"] or r["scope_right"] else None
    return {
        "row": r["row"], "id": r["id"], "patient_id": r["patient_id"] or None, "exam_date": r["exam_date"] or None,
        "exam_date_note": r["exam_date_note"], "error": r["error"], "scope": scope,
        "side_labels": {"left": r["side_label_left"] or None, "right": r["side_label_right"] or None}, "findings": r["findings"] or (),
    }


def input_format(path: str) -> str:
    name = path.lower().removesuffix(".gz")
    for ext, fmt in _EXT.items():
        if name.endswith(ext):
            return fmt
    raise CourseInputError(f"{path}: unknown input (use the .jsonl, .parquet, .csv or .duckdb output of dvt extract)")


def read_patients(path: str) -> Iterator[tuple[str | None, list[dict]]]:
    """(patient id or None, that patient's normalised reports), patient by patient in id order."""
    fmt = input_format(path)
    return _jsonl_patients(path) if fmt == "jsonl" else _table_patients(path, fmt)


# --------------------------------------------------------------------------- writing


class JsonlTableWriter:
    """Rows of one schema as JSON lines, keys in column order; ``FILE.tmp`` renamed on close."""

    def __init__(self, path: str, schema: pa.Schema) -> None:
        self.path, self._tmp, self.rows = path, path + ".tmp", 0
        self._handle = open(self._tmp, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed in close()

    def write(self, rows: list[dict]) -> None:
        self._handle.write("".join(json.dumps(r, ensure_ascii=False, separators=(", ", ": ")) + "\n" for r in rows))
        self.rows += len(rows)

    def close(self) -> None:
        self._handle.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        self._handle.close()
        if os.path.exists(self._tmp):
            os.remove(self._tmp)


class DuckdbTablesWriter:
    """The three tables in one DuckDB file (fixed layout, pinned identifier; see pipeline.outputs.duckdb_out)."""

    def __init__(self, path: str) -> None:
        import duckdb

        self.path, self._tmp = path, path + ".tmp"
        for leftover in (self._tmp, self._tmp + ".wal"):
            if os.path.exists(leftover):
                os.remove(leftover)
        self._con = duckdb.connect(self._tmp)
        self._con.execute("SET threads TO 1")
        for name, schema in SCHEMAS.items():
            self._con.execute(create_table_sql(name, schema))
        self.rows = dict.fromkeys(SCHEMAS, 0)

    def write(self, name: str, rows: list[dict]) -> None:
        if rows:
            arrow = pa.Table.from_pylist(rows, schema=SCHEMAS[name])  # noqa: F841 - read by name below
            self._con.execute(f"INSERT INTO {name} SELECT * FROM arrow")
            self.rows[name] += len(rows)

    def close(self) -> None:
        self._con.execute("CHECKPOINT")
        self._con.close()
        pin_identifier(self._tmp, "leg_exams")
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        self._con.close()
        for leftover in (self._tmp, self._tmp + ".wal"):
            if os.path.exists(leftover):
                os.remove(leftover)


class CourseWriter:
    """The three tables in one format, written in batches."""

    def __init__(self, output: str, fmt: str) -> None:
        self.files = output_files(output, fmt)
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        self._duck = DuckdbTablesWriter(output) if fmt == "duckdb" else None
        kind = {"jsonl": JsonlTableWriter, "csv": CsvTableWriter, "parquet": ParquetTableWriter}.get(fmt)
        self._writers = {} if self._duck else {name: kind(self.files[name], schema) for name, schema in SCHEMAS.items()}

    def write(self, tables: dict[str, list[dict]]) -> None:
        for name, rows in tables.items():
            if self._duck is not None:
                self._duck.write(name, rows)
            elif rows:
                self._writers[name].write(rows)

    def counts(self) -> dict[str, int]:
        return dict(self._duck.rows) if self._duck else {name: w.rows for name, w in self._writers.items()}

    def close(self) -> None:
        for writer in [self._duck] if self._duck else self._writers.values():
            writer.close()

    def abort(self) -> None:
        for writer in [self._duck] if self._duck else self._writers.values():
            writer.abort()


# --------------------------------------------------------------------------- the run


def _batches(patients: Iterator[tuple[str | None, list[dict]]], size: int) -> Iterator[list[tuple[str | None, list[dict]]]]:
    batch = []
    for item in patients:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def rows_of_batch(batch: list[tuple[str | None, list[dict]]], params: Params) -> dict[str, list[dict]]:
    """The rows of the three tables for a batch of patients, in patient order."""
    params_json = params.to_json()
    out: dict[str, list[dict]] = {name: [] for name in SCHEMAS}
    for patient, reports in batch:
        for name, rows in patient_rows(patient, reports, params, params_json).items():
            out[name].extend(rows)
    return out


def run_course(input_path: str, output: str, params: Params, fmt: str | None = None, workers: int = 1) -> dict:
    """Build the three tables from ``input_path`` into ``output``; returns the rows per table and the files."""
    fmt = output_format(output, fmt)
    if Path(input_path).exists() and Path(output).exists() and os.path.samefile(input_path, output):
        raise CourseInputError(f"{output}: the output would overwrite the input")
    patients = read_patients(input_path)
    first = next(patients, None)  # input problems surface before any output is opened
    writer = CourseWriter(output, fmt)
    try:
        if first is not None:
            from itertools import chain

            batches = _batches(chain([first], patients), PATIENTS_PER_BATCH)
            if workers > 1:
                from .parallel import map_batches

                results = map_batches(batches, params, workers)
            else:
                results = (rows_of_batch(b, params) for b in batches)
            for tables in results:
                writer.write(tables)
    except BaseException:
        writer.abort()
        raise
    writer.close()
    return {"tables": writer.counts(), "files": writer.files, "format": fmt}
