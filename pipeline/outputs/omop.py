"""OMOP CDM v5.4 ``NOTE_NLP`` rows from JSONL records.

One row per finding (decisive and superseded; ``term_modifiers`` says which), none for error
rows. Columns, order and types follow the v5.4 DDL (OHDSI/CommonDataModel,
inst/ddl/5.4/*/OMOPCDM_*_5.4_ddl.sql); ids are 64-bit (the DDL's ``integer`` holds them on
every CDM database that uses bigint ids; see docs/schema.md). Everything is deterministic:

- ``note_id``: the report id when it is an integer (a JSON number, or a string of canonical
  decimal digits, e.g. ``"123"`` but not ``"0123"``) within 1..2^63-1; else a stable 63-bit hash
  of the id (BLAKE2b-64 of its UTF-8 JSON text, top bit cleared, 0 mapped to 1). The original id
  is kept in ``term_modifiers`` (``report_id=...``).
- ``note_nlp_id``: a 63-bit BLAKE2b hash of (note_id, report row, decisive/superseded, finding
  index, rules_hash): the same input and rules give the same ids in every run.
- ``nlp_date`` / ``nlp_datetime``: the ``nlp_date`` argument (``--nlp-date``), else the
  ``SOURCE_DATE_EPOCH`` environment variable, else 1970-01-01 00:00:00 (a fixed "not given"
  value). Never the clock: a rerun is byte-identical.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re

import pyarrow as pa

from .._version import __version__
from ..core.record import FindingRecord, Record
from .tables import BATCH_ROWS, batches, id_text, iter_findings, read_records, table_writer

NOTE_NLP_SCHEMA = pa.schema([
    pa.field("note_nlp_id", pa.int64(), nullable=False),
    pa.field("note_id", pa.int64(), nullable=False),
    pa.field("section_concept_id", pa.int32()),
    pa.field("snippet", pa.string()),
    pa.field("offset", pa.string()),
    pa.field("lexical_variant", pa.string(), nullable=False),
    pa.field("note_nlp_concept_id", pa.int32()),
    pa.field("note_nlp_source_concept_id", pa.int32()),
    pa.field("nlp_system", pa.string()),
    pa.field("nlp_date", pa.date32(), nullable=False),
    pa.field("nlp_datetime", pa.timestamp("us")),
    pa.field("term_exists", pa.string()),
    pa.field("term_temporal", pa.string()),
    pa.field("term_modifiers", pa.string()),
], metadata={"dvt.table": "note_nlp", "omop.cdm_version": "5.4"})

# The v5.4 DDL: (column, DDL type, NOT NULL). Checked by the tests against NOTE_NLP_SCHEMA.
NOTE_NLP_DDL = (
    ("note_nlp_id", "integer", True),
    ("note_id", "integer", True),
    ("section_concept_id", "integer", False),
    ("snippet", "varchar(250)", False),
    ("offset", "varchar(50)", False),
    ("lexical_variant", "varchar(250)", True),
    ("note_nlp_concept_id", "integer", False),
    ("note_nlp_source_concept_id", "integer", False),
    ("nlp_system", "varchar(250)", False),
    ("nlp_date", "date", True),
    ("nlp_datetime", "TIMESTAMP", False),
    ("term_exists", "varchar(1)", False),
    ("term_temporal", "varchar(50)", False),
    ("term_modifiers", "varchar(2000)", False),
)
VARCHAR_LIMITS = {name: int(kind[8:-1]) for name, kind, _ in NOTE_NLP_DDL if kind.startswith("varchar")}

# status -> (term_exists, term_temporal, certainty)
STATUS_MAP = {
    "present": ("Y", "present", "definite"),
    "absent": ("N", "present", "definite"),
    "possible": ("N", "present", "possible"),
    "historical": ("Y", "past", "definite"),
    "hypothetical": ("N", None, "hypothetical"),
    "indication": ("N", None, "hypothetical"),
    "not_evaluated": (None, "present", "not_evaluated"),
}
CONCEPT_UNMAPPED = 0
DEFAULT_NLP_DATETIME = dt.datetime(1970, 1, 1)
_MAX63 = (1 << 63) - 1
_CANONICAL_INT = re.compile(r"[1-9][0-9]{0,18}")


def _hash63(text: str) -> int:
    value = int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big") & _MAX63
    return value or 1


def note_id_for(report_id: object) -> int:
    """The int64 note_id of a report id (see the module docstring)."""
    if isinstance(report_id, bool):
        return _hash63(json.dumps(report_id))
    if isinstance(report_id, int) and 0 < report_id <= _MAX63:
        return report_id
    if isinstance(report_id, str) and _CANONICAL_INT.fullmatch(report_id) and int(report_id) <= _MAX63:
        return int(report_id)
    return _hash63(json.dumps(report_id, ensure_ascii=False, sort_keys=True))


def note_nlp_id_for(note_id: int, report_row: int, decisive: bool, index: int, rules_hash: str) -> int:
    return _hash63(f"{note_id}\x1f{report_row}\x1f{'d' if decisive else 's'}\x1f{index}\x1f{rules_hash}")


def resolve_nlp_datetime(value: str | dt.date | dt.datetime | None = None) -> dt.datetime:
    """``--nlp-date`` (YYYY-MM-DD or an ISO datetime), else SOURCE_DATE_EPOCH, else 1970-01-01."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if value:
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"--nlp-date: {value!r} is not a date (YYYY-MM-DD) or ISO datetime") from None
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return parsed
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).replace(tzinfo=None)
    return DEFAULT_NLP_DATETIME


def _escape(value: object) -> str:
    text = "" if value is None else (value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    return text.replace("%", "%25").replace(";", "%3B").replace("=", "%3D")


def _cut(text: str, column: str) -> str:
    limit = VARCHAR_LIMITS[column]
    return text if len(text) <= limit else text[: limit - 1] + "…"


def term_modifiers(record: Record, finding: FindingRecord, decisive: bool, certainty: str) -> str:
    """``key=value`` pairs joined by ``;`` (``%``, ``;`` and ``=`` in values are %-escaped)."""
    ev = finding["evidence"]
    modifiers = ",".join(m["category"] for m in ev.get("modifiers") or [])
    pairs = [
        ("status", finding["status"]),
        ("side", finding["side"]),
        ("segment", finding.get("segment")),
        ("group", finding["group"]),
        ("acuity", finding.get("acuity")),
        ("occlusion", finding.get("occlusion")),
        ("change", finding.get("change")),
        ("certainty", certainty),
        ("section", finding.get("section")),
        ("decisive", "true" if decisive else "false"),
        ("context", modifiers),
        ("report_id", id_text(record["id"])),
    ]
    return _cut(";".join(f"{k}={_escape(v)}" for k, v in pairs), "term_modifiers")


def snippet(finding: FindingRecord) -> str:
    """The cue and mention words in text order (records do not carry the report text)."""
    ev = finding["evidence"]
    cue = ev.get("cue")
    if not cue:
        return ev["text"]
    if cue["start"] <= ev["start"] and cue["end"] >= ev["end"]:
        return cue["text"]
    if ev["start"] <= cue["start"] and ev["end"] >= cue["end"]:
        return ev["text"]
    first, second = (cue, ev) if cue["start"] < ev["start"] else (ev, cue)
    return f"{first['text']} … {second['text']}"


def nlp_system(record: Record) -> str:
    return _cut(f"dvt-duplex {record.get('pipeline_version') or __version__} rules {record['rules_hash']}", "nlp_system")


def note_nlp_rows(record: Record, report_row: int, when: dt.datetime) -> list[dict[str, object]]:
    if record.get("error") is not None:
        return []
    note_id = note_id_for(record["id"])
    system = nlp_system(record)
    rows: list[dict[str, object]] = []
    for decisive, index, finding in iter_findings(record):
        exists, temporal, certainty = STATUS_MAP[finding["status"]]
        ev = finding["evidence"]
        rows.append({
            "note_nlp_id": note_nlp_id_for(note_id, report_row, decisive, index, record["rules_hash"]),
            "note_id": note_id,
            "section_concept_id": CONCEPT_UNMAPPED,
            "snippet": _cut(snippet(finding), "snippet"),
            "offset": str(ev["start"]),
            "lexical_variant": _cut(ev["text"], "lexical_variant"),
            "note_nlp_concept_id": CONCEPT_UNMAPPED,
            "note_nlp_source_concept_id": CONCEPT_UNMAPPED,
            "nlp_system": system,
            "nlp_date": when.date(),
            "nlp_datetime": when,
            "term_exists": exists,
            "term_temporal": temporal,
            "term_modifiers": term_modifiers(record, finding, decisive, certainty),
        })
    return rows


def _csv_row(row: dict) -> dict:
    out = dict(row)
    out["nlp_date"] = row["nlp_date"].isoformat()
    out["nlp_datetime"] = row["nlp_datetime"].isoformat(sep=" ")
    return out


def write_note_nlp(jsonl_path: str, path: str, kind: str, nlp_date=None) -> int:
    """Convert a JSONL output into a NOTE_NLP table (``kind`` csv or parquet); returns the row count."""
    when = resolve_nlp_datetime(nlp_date)
    writer = table_writer(kind, path, NOTE_NLP_SCHEMA)
    try:
        for first, batch in batches(read_records(jsonl_path), BATCH_ROWS):
            rows = [row for i, r in enumerate(batch) for row in note_nlp_rows(r, first + i, when)]
            writer.write([_csv_row(r) for r in rows] if kind == "csv" else rows)
    except BaseException:
        writer.abort()
        raise
    writer.close()
    return writer.rows
