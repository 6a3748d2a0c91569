"""Input columns carried into each record: the patient, the exam date, and any column a user keeps.

``dvt extract --patient-col MRN --date-col STUDY_DT --keep-cols site,accession`` copies those values
into every record (``patient_id``, ``exam_date``, then the kept columns under their own names) and
into the reports table. The exam date is written as an ISO date (``2024-03-05``) or date-time
(``2024-03-05T14:30:00``) when it can be read; otherwise it is kept exactly as written and the row
gets ``exam_date_note`` saying so. Nothing is dropped. Read formats: ISO 8601, ``MM/DD/YYYY``
(US order, as the vascular labs this targets write it) with an optional time, ``YYYYMMDD``, and
date/datetime values of a Parquet column.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .readers import normalize_id

# Record fields a kept column may not overwrite.
RESERVED = frozenset({
    "id", "patient_id", "exam_date", "exam_date_note", "label", "distal", "svt", "svt_near_junction", "side_labels", "findings",
    "superseded_findings", "error", "pipeline_version", "rules_hash", "input_note", "comparison", "scope", "text",
})
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(value: object) -> tuple[str | None, str | None]:
    """(ISO text or the value as written, note) for one exam date; (None, None) when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None, microsecond=0).isoformat(), None
    if isinstance(value, dt.date):
        return value.isoformat(), None
    text = str(value).strip()
    try:
        if len(text) == 10 and text[4] == "-":
            return dt.date.fromisoformat(text).isoformat(), None
        if len(text) > 10 and text[4] == "-":
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None, microsecond=0).isoformat(), None
        if m := _COMPACT.match(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat(), None
        if m := _US.match(text):
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            day = dt.date(year, int(m[1]), int(m[2]))
            if m[4] is None:
                return day.isoformat(), None
            hour = int(m[4]) % 12 + (12 if (m[7] or "").lower() == "pm" else 0) if m[7] else int(m[4])
            return dt.datetime(year, day.month, day.day, hour, int(m[5]), int(m[6] or 0)).isoformat(), None
    except ValueError:
        pass
    return text, "exam date not understood: kept as written"


@dataclass(frozen=True)
class Carry:
    """Which input columns go into each record, and as what."""

    patient_col: str | None = None
    date_col: str | None = None
    keep_cols: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        clash = sorted(set(self.keep_cols) & RESERVED)
        if clash:
            raise ValueError(f"--keep-cols cannot keep {', '.join(clash)}: the record has a field of that name")

    @property
    def columns(self) -> tuple[str, ...]:
        """The input columns to read, each once."""
        return tuple(dict.fromkeys(c for c in (self.patient_col, self.date_col, *self.keep_cols) if c))

    @property
    def fields(self) -> tuple[str, ...]:
        """The record fields (and reports-table columns) this adds, in order."""
        head = (("patient_id",) if self.patient_col else ()) + (("exam_date", "exam_date_note") if self.date_col else ())
        return head + self.keep_cols

    def values(self, raw: dict | None) -> dict:
        """The fields for one row from its raw column values (absent columns are null)."""
        raw = raw or {}
        out: dict = {}
        if self.patient_col:
            patient = normalize_id(raw.get(self.patient_col))
            out["patient_id"] = None if patient == "" else patient
        if self.date_col:
            out["exam_date"], out["exam_date_note"] = parse_date(raw.get(self.date_col))
        for col in self.keep_cols:
            value = raw.get(col)
            out[col] = value if value is None or isinstance(value, (str, int, float, bool)) else str(value)
        return out

    def __bool__(self) -> bool:
        return bool(self.columns)
