"""Read prediction and gold files for `dvt evaluate`.

Predictions: JSONL from `dvt extract` (LABELS.md section 6), or a CSV/Parquet
reports table with at least ``id`` and ``label`` (no findings, so no segment
metrics). Gold: JSONL with ``id``, ``label`` and optionally ``side_labels``,
``positive_segments``, ``chronic_segments``, ``svt``, ``svt_near_junction``; or
a CSV/Parquet table with ``id``, ``label`` and optionally ``side_label_left``,
``side_label_right``, ``svt``, ``svt_near_junction`` and ``;``-separated
``positive_segments`` / ``chronic_segments``; or a Label Studio JSON export
(a list of tasks, as `dvt review export --format labelstudio` writes; see
labelstudio.py). Invalid input raises ValueError naming the file and the line or row.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any, Iterator, Mapping, cast

import pandas as pd

from ..core.record import FindingRecord, Record
from .labelstudio import gold_from_task, is_task
from .types import (
    KNOWN_SEGMENTS,
    LABELS,
    SIDES,
    Finding,
    GoldRecord,
    PredRecord,
    Predictions,
)

JSON_SUFFIXES = {".jsonl", ".ndjson", ".json"}
TABLE_SUFFIXES = {".csv", ".tsv", ".parquet", ".pq"}
_NULLS = {"", "null", "none", "nan", "na", "n/a"}
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}
_SIDE_COLUMNS: dict[str, str] = {side: f"side_label_{side}" for side in SIDES}

Row = tuple[str, dict[str, Any]]  # (location for messages, record)


# ------------------------------------------------------------------------ raw rows


def _is_json(path: Path) -> bool:
    suffix = path.suffix.lower()
    if suffix in JSON_SUFFIXES:
        return True
    if suffix in TABLE_SUFFIXES:
        return False
    raise ValueError(f"{path}: unsupported file type {suffix!r} (use .jsonl, .csv or .parquet)")


def _json_rows(path: Path) -> Iterator[Row]:
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        for i, record in enumerate(_loads(text, f"{path}"), start=1):
            where = f"{path} item {i}"
            yield where, gold_from_task(record, where) if is_task(record) else _as_record(record, where)[1]
        return
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            where = f"{path} line {n}"
            yield _as_record(_loads(line, where), where)


def _loads(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where}: invalid JSON ({exc.msg})") from None


def _as_record(value: Any, where: str) -> Row:
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected a JSON object, got {type(value).__name__}")
    return where, value


def _table_rows(path: Path) -> tuple[list[str], Iterator[Row]]:
    suffix = path.suffix.lower()
    if suffix in {".parquet", ".pq"}:
        try:
            frame = pd.read_parquet(path)
        except ImportError as exc:
            raise ValueError(f"{path}: reading Parquet needs a working pyarrow ({exc})") from exc
    else:
        sep = "\t" if suffix == ".tsv" else ","
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep)
    columns = [str(c) for c in frame.columns]
    records = frame.to_dict(orient="records")
    # Row numbers count the header as line 1, as a spreadsheet shows them.
    return columns, ((f"{path} row {i}", r) for i, r in enumerate(records, start=2))


# ------------------------------------------------------------------- value parsing


def _is_null(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in _NULLS
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _id(record: Mapping[str, Any], where: str) -> str:
    value = record.get("id")
    if _is_null(value):
        raise ValueError(f"{where}: missing id")
    return str(value).strip()


def _label(value: Any, where: str, *, nullable: bool) -> str | None:
    if _is_null(value):
        if nullable:
            return None
        raise ValueError(f"{where}: missing label")
    label = str(value).strip().upper()
    if label not in LABELS:
        raise ValueError(f"{where}: unknown label {value!r} (expected one of {', '.join(LABELS)})")
    return label


def _bool(value: Any, where: str, field: str) -> bool | None:
    if isinstance(value, bool):
        return value
    if _is_null(value):
        return None
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{where}: {field} must be true/false, got {value!r}")


def _side_labels(value: Any, where: str) -> dict[str, str | None] | None:
    if _is_null(value):
        return None
    if isinstance(value, str):
        value = _loads(value, where)
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: side_labels must be an object")
    return {
        side: _label(value[side], f"{where} side_labels.{side}", nullable=True)
        for side in SIDES
        if side in value
    }


def _segment(text: str, where: str) -> str:
    side, sep, segment = text.strip().lower().partition(":")
    if not sep or side not in SIDES or segment not in KNOWN_SEGMENTS:
        raise ValueError(f"{where}: bad segment {text!r} (expected 'side:segment', e.g. 'left:popliteal')")
    return f"{side}:{segment}"


def _segments(value: Any, where: str, field: str, *, table: bool = False) -> frozenset[str] | None:
    """Parse 'side:segment' keys; None when not annotated (a blank table cell is none found)."""
    if hasattr(value, "tolist"):  # Parquet list columns arrive as numpy arrays
        value = value.tolist()
    if value is None or (not isinstance(value, (list, tuple)) and _is_null(value)):
        return frozenset() if table and value is not None else None
    items = re.split(r"[;|,\s]+", value) if isinstance(value, str) else list(value)
    return frozenset(_segment(str(item), f"{where} {field}") for item in items if str(item).strip())


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _span(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _finding(raw: FindingRecord, where: str) -> Finding:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: each finding must be an object")
    evidence = _span(raw.get("evidence"))
    cue, sentence = _span(evidence.get("cue")), _span(evidence.get("sentence"))
    return Finding(
        segment=raw.get("segment"),
        side=str(raw.get("side") or "unspecified").lower(),
        status=raw.get("status"),
        acuity=raw.get("acuity"),
        group=raw.get("group"),
        section=raw.get("section"),
        text=evidence.get("text"),
        start=_int(evidence.get("start")),
        end=_int(evidence.get("end")),
        cue=cue.get("text"),
        sentence_start=_int(sentence.get("start")),
        sentence_end=_int(sentence.get("end")),
    )


def _findings(value: Any, where: str) -> tuple[Finding, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ValueError(f"{where}: findings must be a list")
    return tuple(_finding(f, f"{where} finding {i}") for i, f in enumerate(value))


# ---------------------------------------------------------------------- predictions


def _add_unique(records: dict[str, Any], seen: dict[str, str], key: str, value: Any, where: str, path: Path) -> None:
    """Store `value` under id `key`, refusing a second record with the same id."""
    here = where.removeprefix(f"{path} ")
    if key in records:
        raise ValueError(f"{path}: duplicate id {key!r} ({seen[key]} and {here})")
    records[key] = value
    seen[key] = here


def _pred_from_json(where: str, r: Record) -> PredRecord:
    """A record as ``dvt extract`` writes it; each field is checked as it is read."""
    error = r.get("error")
    return PredRecord(
        id=_id(r, where),
        label=_label(r.get("label"), where, nullable=True),
        side_labels=_side_labels(r.get("side_labels"), where) or {},
        findings=_findings(r.get("findings"), where),
        svt=_bool(r.get("svt"), where, "svt"),
        svt_near_junction=_bool(r.get("svt_near_junction"), where, "svt_near_junction"),
        error=None if _is_null(error) else str(error),
    )


def _pred_from_table(where: str, r: Mapping[str, Any]) -> PredRecord:
    sides = {
        side: _label(r[col], f"{where} {col}", nullable=True)
        for side, col in _SIDE_COLUMNS.items()
        if col in r
    }
    error = r.get("error")
    return PredRecord(
        id=_id(r, where),
        label=_label(r.get("label"), where, nullable=True),
        side_labels=sides,
        svt=_bool(r.get("svt"), where, "svt"),
        svt_near_junction=_bool(r.get("svt_near_junction"), where, "svt_near_junction"),
        error=None if _is_null(error) else str(error),
    )


def load_predictions(path: str | Path) -> Predictions:
    """Read `dvt extract` output (JSONL) or a reports table (CSV/Parquet)."""
    path = Path(path)
    records: dict[str, PredRecord] = {}
    seen: dict[str, str] = {}
    if _is_json(path):
        keys: set[str] = set()
        for where, raw in _json_rows(path):
            keys.update(raw)
            _add_unique(records, seen, _id(raw, where), _pred_from_json(where, cast(Record, raw)), where, path)
        return Predictions(
            records, "findings" in keys, "side_labels" in keys, "svt" in keys, "svt_near_junction" in keys
        )
    columns, rows = _table_rows(path)
    _require(path, columns, ("id", "label"))
    for where, raw in rows:
        _add_unique(records, seen, _id(raw, where), _pred_from_table(where, raw), where, path)
    has_sides = any(col in columns for col in _SIDE_COLUMNS.values())
    return Predictions(records, False, has_sides, "svt" in columns, "svt_near_junction" in columns)


def _require(path: Path, columns: list[str], needed: tuple[str, ...]) -> None:
    missing = [c for c in needed if c not in columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}; found {', '.join(columns)}")


# ----------------------------------------------------------------------------- gold


def _gold_sides_from_table(r: Mapping[str, Any], where: str) -> dict[str, str | None] | None:
    sides = {
        side: _label(r[col], f"{where} {col}", nullable=True)
        for side, col in _SIDE_COLUMNS.items()
        if col in r
    }
    return sides or None


def _gold(where: str, r: Mapping[str, Any], *, table: bool) -> GoldRecord:
    sides = _gold_sides_from_table(r, where) if table else _side_labels(r.get("side_labels"), where)
    return GoldRecord(
        id=_id(r, where),
        label=_label(r.get("label"), where, nullable=False),  # type: ignore[arg-type]
        side_labels=sides,
        positive_segments=_segments(r.get("positive_segments"), where, "positive_segments", table=table),
        chronic_segments=_segments(r.get("chronic_segments"), where, "chronic_segments", table=table),
        svt=_bool(r.get("svt"), where, "svt"),
        svt_near_junction=_bool(r.get("svt_near_junction"), where, "svt_near_junction"),
    )


def load_gold(path: str | Path) -> list[GoldRecord]:
    """Read gold labels (JSONL, or a CSV/Parquet table with id,label columns)."""
    path = Path(path)
    records: dict[str, GoldRecord] = {}
    seen: dict[str, str] = {}
    table = not _is_json(path)
    if table:
        columns, rows = _table_rows(path)
        _require(path, columns, ("id", "label"))
    else:
        rows = _json_rows(path)
    for where, raw in rows:
        _add_unique(records, seen, _id(raw, where), _gold(where, raw, table=table), where, path)
    return list(records.values())
