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
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import cast
from pathlib import Path

import pyarrow as pa

from ..core.model import LABELS
from ..outputs.duckdb_out import create_table_sql, pin_identifier
from ..outputs.tables import BATCH_ROWS, CsvTableWriter, ParquetTableWriter, id_text, read_records
from .rules import CHANGES, GROUPS, LEGS, Change, LegState, Params, ReportIn, Scope, StateLabel, gather, state_from_parts
from .tables import SCHEMAS, comparison_of, day_of, patient_rows, problem_of, to_arrow

STATE_LABELS = frozenset(LABELS)

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


COLUMNS = ("row", "id", "patient_id", "exam_date", "exam_date_note", "error", "key_left", "key_right", "comparison")
INPUT_SCHEMA = pa.schema([pa.field("row", pa.int64()), *(pa.field(c, pa.string()) for c in COLUMNS[1:])])
CHUNK_ROWS = 50_000  # reports per unit of work (cut at a patient's end)
ROW_GROUP = 100_000  # output rows per Parquet row group / DuckDB insert (fixed: part of the byte layout)
DUCKDB_MEMORY = "1GB"  # DuckDB's share while it joins and sorts the input


# --------------------------------------------------------------------------- leg state keys
#
# Every report reaches the rules as one row of COLUMNS, sorted by patient. Each examined leg is a key
# string "label|scope|current|chronic|occlusive|nonocclusive|assessed|missing|acute|aoc|changes"
# (lists ';'-joined), built by SQL for tables and by rules.gather for JSONL; equal keys share one
# parsed LegState.


def _key(parts) -> str:
    label, cur, chronic, occ, non, assessed, missing, acute, aoc, changes, scope = parts
    lists = [";".join(sorted(x)) for x in (cur, chronic, occ, non, assessed, missing)]
    return "|".join([label, scope or "", *lists, str(int(acute)), str(int(aoc)), ";".join(f"{s}:{c}" for s, c in sorted(set(changes)))])


def _state(key: str | None, params: Params, cache: dict) -> LegState | None:
    if key is None:
        return None
    state = cache.get(key)
    if state is None:
        label, scope, cur, chronic, occ, non, assessed, missing, acute, aoc, changes = key.split("|")
        split = lambda text: text.split(";") if text else []  # noqa: E731
        state = cache[key] = state_from_parts(cast(StateLabel, label), split(cur), split(chronic), split(occ), split(non), split(assessed), split(missing),
                                              acute == "1", aoc == "1", [cast("tuple[str, Change]", tuple(c.split(":", 1))) for c in split(changes)],
                                              cast("Scope | None", scope or None), params)
    return state


def _jsonl_batches(path: str) -> Iterator[pa.RecordBatch]:
    return record_batches(read_records(path), path)


def record_batches(records: Iterable[dict], source: str) -> Iterator[pa.RecordBatch]:
    """``dvt extract`` records (read from ``source``) as batches of COLUMNS, sorted by patient (nulls
    first) then input order; the records are held in memory."""
    rows = []
    carried = False
    try:
        for n, record in enumerate(records):
            patient = record.get("patient_id")
            carried = carried or "patient_id" in record
            keys = []
            for leg in LEGS:
                parts = gather(record, leg)
                keys.append(None if parts is None else _key(parts))
            rows.append((n, id_text(record.get("id")), None if patient is None else id_text(patient), record.get("exam_date"),
                         record.get("exam_date_note"), record.get("error"), *keys, comparison_of(record)))
    except (OSError, json.JSONDecodeError, AttributeError, TypeError) as exc:
        raise CourseInputError(f"{source}: not readable as dvt extract JSONL ({type(exc).__name__})") from None
    if rows and not carried:
        raise CourseInputError(f"{source}: the records have no patient_id (run dvt extract with --patient-col and --date-col)")
    rows.sort(key=lambda r: (r[2] is not None, r[2] or "", r[0]))
    for at in range(0, len(rows), BATCH_ROWS):
        part = rows[at:at + BATCH_ROWS]
        yield pa.RecordBatch.from_arrays([pa.array(list(c), type=f.type) for c, f in zip(zip(*part), INPUT_SCHEMA)], schema=INPUT_SCHEMA)


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


_KINDS = {  # the key's lists, in order
    "cur": "status = 'present' AND acuity IS DISTINCT FROM 'chronic'",
    "chr": "status = 'present' AND acuity = 'chronic'",
    "occ": "status = 'present' AND acuity IS DISTINCT FROM 'chronic' AND occlusion = 'occlusive'",
    "non": "status = 'present' AND acuity IS DISTINCT FROM 'chronic' AND occlusion = 'nonocclusive'",
    "ass": "status IN ('present', 'absent', 'possible')",
    "mis": "status = 'not_evaluated'",
}
_QUERY = """
WITH f AS (
  SELECT report_row, side, segment, status, acuity, occlusion, {change} AS change FROM findings
  WHERE decisive AND side IN ('left', 'right') AND segment IN ({segments})
), agg AS (
  SELECT report_row, {aggregates} FROM f GROUP BY report_row
)
SELECT r.row_number AS row, CAST(r.id AS VARCHAR) AS id, CAST({patient} AS VARCHAR) AS patient_id, CAST({date} AS VARCHAR) AS exam_date,
       {note} AS exam_date_note, r.error, {key_left} AS key_left, {key_right} AS key_right, {comparison} AS comparison
FROM reports r LEFT JOIN agg ON agg.report_row = r.row_number
ORDER BY patient_id NULLS FIRST, r.row_number
"""


def _aggregates() -> str:
    out = []
    for leg in LEGS:
        out += [f"string_agg(segment, ';' ORDER BY segment) FILTER (WHERE side = '{leg}' AND {where}) AS {kind}_{leg}" for kind, where in _KINDS.items()]
        out.append(f"bool_or(status = 'present' AND acuity IN ('acute', 'subacute', 'acute_on_chronic')) FILTER (WHERE side = '{leg}') AS acute_{leg}")
        out.append(f"bool_or(status = 'present' AND acuity = 'acute_on_chronic') FILTER (WHERE side = '{leg}') AS aoc_{leg}")
        out.append(f"string_agg(segment || ':' || change, ';' ORDER BY segment, change) FILTER (WHERE side = '{leg}' AND change IN ({_quoted(CHANGES)})) AS chg_{leg}")
    return ",\n    ".join(out)


def _key_sql(leg: str, scope: str) -> str:
    lists = ", ".join(f"coalesce({kind}_{leg}, '')" for kind in _KINDS)
    return (f"CASE WHEN r.side_label_{leg} IN ({_quoted(STATE_LABELS)}) AND r.error IS NULL THEN concat_ws('|', r.side_label_{leg}, "
            f"coalesce({scope}, ''), {lists}, CAST(coalesce(acute_{leg}, false) AS INTEGER), CAST(coalesce(aoc_{leg}, false) AS INTEGER), "
            f"coalesce(chg_{leg}, '')) END")


def _quoted(values) -> str:
    return ", ".join(f"'{v}'" for v in sorted(values))


def _table_batches(path: str, fmt: str) -> Iterator[pa.RecordBatch]:
    import duckdb

    con = duckdb.connect()
    spill = tempfile.mkdtemp(prefix="dvt-course-")
    try:
        con.execute("SET threads TO 2")
        con.execute("SET enable_progress_bar = false")
        con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")  # the sort by patient spills to disk beyond this: memory stays flat
        con.execute(f"SET temp_directory = '{_sql_text(spill)}'")
        if fmt == "duckdb":
            if not Path(path).exists():
                raise CourseInputError(f"{path}: no such file")
            con.execute(f"ATTACH '{_sql_text(path)}' AS src (READ_ONLY)")
            con.execute("CREATE VIEW reports AS SELECT * FROM src.reports; CREATE VIEW findings AS SELECT * FROM src.findings")
        elif fmt == "parquet":
            reports, findings = _table_paths(path)
            con.execute(f"CREATE VIEW reports AS SELECT * FROM read_parquet('{_sql_text(reports)}')")
            con.execute(f"CREATE VIEW findings AS SELECT * FROM read_parquet('{_sql_text(findings)}')")
        else:  # CSV holds text: give the columns the join and order use their types back
            reports, findings = _table_paths(path)
            con.execute("CREATE VIEW reports AS SELECT * REPLACE (CAST(row_number AS BIGINT) AS row_number, NULLIF(error, '') AS error) "
                        f"FROM read_csv('{_sql_text(reports)}', header=true, all_varchar=true)")
            con.execute("CREATE VIEW findings AS SELECT * REPLACE (CAST(report_row AS BIGINT) AS report_row, decisive = 'true' AS decisive) "
                        f"FROM read_csv('{_sql_text(findings)}', header=true, all_varchar=true)")
        rcols = {r[0] for r in con.execute("SELECT column_name FROM (DESCRIBE reports)").fetchall()}
        fcols = {r[0] for r in con.execute("SELECT column_name FROM (DESCRIBE findings)").fetchall()}
        if "patient_id" not in rcols:
            raise CourseInputError(f"{path}: the reports table has no patient_id column (run dvt extract with --patient-col and --date-col)")
        query = _QUERY.format(
            patient="r.patient_id", date="r.exam_date" if "exam_date" in rcols else "NULL",
            note="NULLIF(r.exam_date_note, '')" if "exam_date_note" in rcols else "NULL",
            key_left=_key_sql("left", "r.scope_left" if "scope_left" in rcols else "NULL"),
            key_right=_key_sql("right", "r.scope_right" if "scope_right" in rcols else "NULL"),
            change="change" if "change" in fcols else "CAST(NULL AS VARCHAR)", segments=_quoted(GROUPS), aggregates=_aggregates(),
            comparison="NULLIF(CAST(r.comparison_source AS VARCHAR), '')" if "comparison_source" in rcols else "CAST(NULL AS VARCHAR)",
        )
        for batch in con.sql(query).to_arrow_reader(BATCH_ROWS):
            yield batch.cast(INPUT_SCHEMA) if batch.schema != INPUT_SCHEMA else batch
    except duckdb.Error as exc:
        raise CourseInputError(f"{path}: not readable as dvt extract output ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})") from None
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _sql_text(path: str) -> str:
    return path.replace("'", "''")


def input_format(path: str) -> str:
    name = path.lower().removesuffix(".gz")
    for ext, fmt in _EXT.items():
        if name.endswith(ext):
            return fmt
    raise CourseInputError(f"{path}: unknown input (use the .jsonl, .parquet, .csv or .duckdb output of dvt extract)")


def input_batches(path: str) -> Iterator[pa.RecordBatch]:
    """The input as batches of COLUMNS, sorted by patient (nulls first) then input row."""
    fmt = input_format(path)
    return _jsonl_batches(path) if fmt == "jsonl" else _table_batches(path, fmt)


def chunks(batches: Iterable[pa.RecordBatch], rows: int | None = None) -> Iterator[pa.Table]:
    """Tables of about ``rows`` (default CHUNK_ROWS) reports, each ending where a patient ends."""
    rows = rows or CHUNK_ROWS
    held: list[pa.RecordBatch] = []
    count = 0
    for batch in batches:
        held.append(batch)
        count += batch.num_rows
        if count < rows:
            continue
        table = pa.Table.from_batches(held, schema=INPUT_SCHEMA)
        patients = table.column("patient_id")
        last = patients[-1].as_py()
        cut = table.num_rows
        while cut > 0 and patients[cut - 1].as_py() == last:  # the last patient may go on in the next batch
            cut -= 1
            if table.num_rows - cut > rows:  # a patient larger than a chunk: no cut before its end (rare)
                cut = 0
                break
        if cut == 0:
            continue
        yield table.slice(0, cut)
        rest = table.slice(cut)
        held, count = rest.to_batches(), rest.num_rows
    if count:
        yield pa.Table.from_batches(held, schema=INPUT_SCHEMA)


def tables_of_chunk(chunk: pa.Table, params: Params) -> dict[str, pa.Table]:
    """The three tables' rows for a chunk of whole patients (pure given the chunk: runs in any process)."""
    cols = {name: chunk.column(name).to_pylist() for name in COLUMNS}
    cache: dict[str, LegState | None] = {}
    params_json = params.to_json()
    out: dict[str, list[tuple]] = {name: [] for name in SCHEMAS}
    n = chunk.num_rows
    start = 0
    while start < n:
        patient = cols["patient_id"][start] or None
        end = start + 1
        while end < n and (cols["patient_id"][end] or None) == patient:
            end += 1
        reports, dates = [], {}
        for i in range(start, end):
            error, exam_date = cols["error"][i] or None, cols["exam_date"][i] or None
            states = {"left": _state(cols["key_left"][i], params, cache), "right": _state(cols["key_right"][i], params, cache)}
            rid = cols["id"][i]
            reports.append(ReportIn(rid, cols["row"][i], day_of(exam_date), exam_date or "", states,
                                    problem_of(error, patient, exam_date, cols["exam_date_note"][i]), cols["comparison"][i] or None))
            dates[rid] = exam_date
        for name, rows in patient_rows(patient, reports, dates, params, params_json).items():
            out[name].extend(rows)
        start = end
    return {name: to_arrow(name, rows) for name, rows in out.items()}


def tables_of_chunks(pieces: Iterable[pa.Table], params: Params, workers: int = 1) -> Iterator[dict[str, pa.Table]]:
    """:func:`tables_of_chunk` of each chunk, in order; on ``workers`` processes when more than one."""
    if workers > 1:
        from .parallel import map_chunks

        return map_chunks(pieces, params, workers)
    return (tables_of_chunk(c, params) for c in pieces)


# --------------------------------------------------------------------------- writing


class _Rows:
    """Rows of one table to JSONL or CSV (``FILE.tmp`` renamed on close)."""

    def __init__(self, path: str, schema: pa.Schema, kind: str) -> None:
        self.path, self._tmp, self.schema, self.kind = path, path + ".tmp", schema, kind
        self._csv = CsvTableWriter(path, schema) if kind == "csv" else None
        self._handle = None if self._csv else open(self._tmp, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed in close()

    def write(self, table: pa.Table) -> None:
        rows = table.to_pylist()
        if self._csv is not None:
            self._csv.write(rows)
        elif self._handle is not None:
            self._handle.write("".join(json.dumps(r, ensure_ascii=False, separators=(", ", ": ")) + "\n" for r in rows))

    def close(self) -> None:
        if self._csv is not None:
            self._csv.close()
        elif self._handle is not None:
            self._handle.close()
            os.replace(self._tmp, self.path)

    def abort(self) -> None:
        if self._csv is not None:
            self._csv.abort()
        elif self._handle is not None:
            self._handle.close()
            if os.path.exists(self._tmp):
                os.remove(self._tmp)


class _Parquet(ParquetTableWriter):
    """A course table as Parquet, written as Arrow tables in fixed row groups (byte-stable)."""

    def write(self, table: pa.Table) -> None:  # type: ignore[override]  # the course writers take Arrow tables
        self.write_table(table, ROW_GROUP)


class _Duckdb:
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

    def write(self, name: str, table: pa.Table) -> None:
        self._con.register("batch_rows", table)
        self._con.execute(f"INSERT INTO {name} SELECT * FROM batch_rows")
        self._con.unregister("batch_rows")

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
    """The three tables in one format, in fixed blocks of ROW_GROUP rows whatever the chunking."""

    def __init__(self, output: str, fmt: str) -> None:
        self.files = output_files(output, fmt)
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        self._duck = _Duckdb(output) if fmt == "duckdb" else None
        self._writers = {} if self._duck else {
            name: (_Parquet(self.files[name], schema) if fmt == "parquet" else _Rows(self.files[name], schema, fmt)) for name, schema in SCHEMAS.items()}
        self._held: dict[str, list[pa.Table]] = {name: [] for name in SCHEMAS}
        self._counts = dict.fromkeys(SCHEMAS, 0)

    def _emit(self, name: str, table: pa.Table) -> None:
        if self._duck is not None:
            self._duck.write(name, table)
        else:
            self._writers[name].write(table)

    def write(self, tables: dict[str, pa.Table]) -> None:
        for name, table in tables.items():
            self._counts[name] += table.num_rows
            self._held[name].append(table)
            if sum(t.num_rows for t in self._held[name]) >= ROW_GROUP:
                whole = pa.concat_tables(self._held[name])
                full = whole.num_rows - whole.num_rows % ROW_GROUP
                for at in range(0, full, ROW_GROUP):
                    self._emit(name, whole.slice(at, ROW_GROUP))
                self._held[name] = [whole.slice(full)] if full < whole.num_rows else []

    def counts(self) -> dict[str, int]:
        return dict(self._counts)

    def close(self) -> None:
        for name, held in self._held.items():
            if held:
                self._emit(name, pa.concat_tables(held))
        for writer in [self._duck] if self._duck else self._writers.values():
            writer.close()

    def abort(self) -> None:
        for writer in [self._duck] if self._duck else self._writers.values():
            writer.abort()


# --------------------------------------------------------------------------- the run


def run_course(input_path: str, output: str, params: Params, fmt: str | None = None, workers: int = 1) -> dict:
    """Build the three tables from ``input_path`` into ``output``; returns the rows per table and the files."""
    fmt = output_format(output, fmt)
    if Path(input_path).exists() and Path(output).exists() and os.path.samefile(input_path, output):
        raise CourseInputError(f"{output}: the output would overwrite the input")
    pieces = chunks(input_batches(input_path))
    first = next(pieces, None)  # input problems surface before any output is opened
    writer = CourseWriter(output, fmt)
    try:
        if first is not None:
            for tables in tables_of_chunks(chain([first], pieces), params, workers):
                writer.write(tables)
    except BaseException:
        writer.abort()
        raise
    writer.close()
    return {"tables": writer.counts(), "files": writer.files, "format": fmt}
