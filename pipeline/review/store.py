"""The review database: reports under review, every reviewer decision, and who holds the app.

One SQLite file (``dvt review --db review.sqlite``) holds everything a review needs, so it can
be reopened, copied and exported without the original files:

* ``reports``: one row per report of the reviewed output, keyed by its 0-based position
  (``row``; ids may repeat), with the model's record, the report text and optional gold labels.
* ``decisions``: append-only history; a reviewer's current decision on a report is their last
  row for it. Every decision is written in its own transaction as soon as it is made.
* ``lease``: the reviewer who has the app open (one at a time), refreshed while they work.

The file holds report text, which is patient data: keep it where the reports themselves may be.
"""
from __future__ import annotations

import json
import os
import secrets
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Literal, overload

from ..core.model import Label
from ..core.record import Record
from ..evaluation.types import LABELS, SIDES

SCHEMA_VERSION = "1"
LEASE_SECONDS = 90  # a reviewer's hold on the app lapses after this long without a request
MAX_NOTE_CHARS = 5000
ACTIONS = ("accept", "correct")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reports (
    row INTEGER PRIMARY KEY,
    id TEXT NOT NULL,             -- JSON text of the report id
    label TEXT,
    side_left TEXT, side_right TEXT, side_unspecified TEXT,
    error TEXT,
    uncertain INTEGER NOT NULL,   -- label INDETERMINATE or a 'possible' finding: reviewed first
    record TEXT NOT NULL,         -- the dvt extract record (JSON)
    text TEXT,
    sections TEXT,                -- section headers (JSON), filled when first shown
    gold_label TEXT,
    gold_sides TEXT,              -- JSON {left,right,unspecified} or NULL
    disagrees INTEGER NOT NULL DEFAULT 0  -- gold differs from the model (label, or left/right side label)
);
CREATE INDEX IF NOT EXISTS reports_queue ON reports (uncertain DESC, row);
CREATE TABLE IF NOT EXISTS decisions (
    decision_id INTEGER PRIMARY KEY AUTOINCREMENT,
    row INTEGER NOT NULL REFERENCES reports(row),
    reviewer TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('accept', 'correct')),
    label TEXT NOT NULL,
    side_left TEXT, side_right TEXT, side_unspecified TEXT,
    note TEXT,
    decided_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_by_report ON decisions (row, reviewer, decision_id);
CREATE TABLE IF NOT EXISTS lease (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    reviewer TEXT NOT NULL, token TEXT NOT NULL, since TEXT NOT NULL, heartbeat TEXT NOT NULL
);
-- The current decision of each reviewer on each report: their last row.
CREATE VIEW IF NOT EXISTS current_decisions AS
SELECT * FROM decisions WHERE decision_id IN (SELECT MAX(decision_id) FROM decisions GROUP BY row, reviewer);
"""


class ReviewError(Exception):
    """A request the store refuses; ``status`` is the HTTP status it maps to."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Decision:
    """A reviewer's label for a report: the model's (accept) or their own (correct)."""

    row: int
    reviewer: str
    action: str
    label: str
    side_labels: dict[str, str | None]
    note: str | None = None


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def is_uncertain(record: Record) -> bool:
    """INDETERMINATE, or any finding the report only calls possible."""
    return record.get("label") == "INDETERMINATE" or any(f.get("status") == "possible" for f in record.get("findings") or ())


class ReviewStore:
    """Access to one review database; open a short-lived connection per operation (thread-safe)."""

    def __init__(self, path: str | Path, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise ReviewError(f"{self.path}: no such review database")
        if create and not self.path.exists():
            try:  # it will hold report text: readable by its owner only (SQLite gives its -wal and -shm files the same mode)
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except OSError as exc:
                raise ReviewError(f"{self.path}: cannot create the review database ({exc.strerror})", 500) from None
        with self.connect() as db:
            db.executescript(_SCHEMA)
            found = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if found is None:
                db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
            elif found[0] != SCHEMA_VERSION:
                raise ReviewError(f"{self.path}: review database schema {found[0]}, this dvt reads {SCHEMA_VERSION}")

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in autocommit mode; use :meth:`transaction` to write."""
        try:
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        except sqlite3.OperationalError as exc:
            raise ReviewError(f"{self.path}: cannot open the review database ({exc})", 500) from None
        try:
            db.row_factory = sqlite3.Row
            try:
                db.execute("PRAGMA journal_mode = WAL")
            except sqlite3.DatabaseError as exc:
                raise ReviewError(f"{self.path}: not a dvt review database ({exc})", 500) from None
            db.execute("PRAGMA foreign_keys = ON")
            yield db
        finally:
            db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any error: all or nothing."""
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # ------------------------------------------------------------------ metadata and loading

    def meta(self) -> dict[str, str]:
        with self.connect() as db:
            return {r["key"]: r["value"] for r in db.execute("SELECT key, value FROM meta")}

    def report_count(self) -> int:
        with self.connect() as db:
            return db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]

    def add_reports(self, items: Iterable[tuple[int, Record, str | None]], meta: dict[str, str], batch: int = 2000) -> int:
        """Load (row, record, text) triples, ``row`` being the record's position in the extract
        output, in one transaction with ``meta``; returns the count."""
        count = 0
        with self.transaction() as db:
            if db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]:
                raise ReviewError(f"{self.path} already holds reports")
            rows = []
            for row, record, text in items:
                rows.append(_report_row(row, record, text))
                count += 1
                if len(rows) >= batch:
                    db.executemany(_INSERT_REPORT, rows)
                    rows.clear()
            db.executemany(_INSERT_REPORT, rows)
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", sorted(meta.items()))
        return count

    def set_gold(self, gold: Mapping[str, tuple[str, Mapping[str, str | None] | None]], source: str) -> int:
        """Attach gold labels by report id (as gold files write it: text), replacing any earlier; returns how many reports got one."""
        with self.transaction() as db:
            db.execute("UPDATE reports SET gold_label = NULL, gold_sides = NULL, disagrees = 0")
            updates = []
            for r in db.execute("SELECT row, id, label, side_left, side_right FROM reports"):
                key = plain_id(r["id"])
                if key in gold:
                    label, sides = gold[key]
                    updates.append((label, json.dumps(sides) if sides is not None else None,
                                    int(gold_disagrees(label, sides, r["label"], {"left": r["side_left"], "right": r["side_right"]})), r["row"]))
            db.executemany("UPDATE reports SET gold_label = ?, gold_sides = ?, disagrees = ? WHERE row = ?", updates)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('gold', ?)", (source,))
        return len(updates)

    # ------------------------------------------------------------------------------ reading

    def report(self, row: int) -> sqlite3.Row:
        with self.connect() as db:
            found = db.execute("SELECT * FROM reports WHERE row = ?", (row,)).fetchone()
        if found is None:
            raise ReviewError(f"no report at row {row} in this review ({self.report_count()} reports)", 404)
        return found

    def patient_reports(self, patient_id: object) -> list[tuple[int, dict]]:
        """(row, record) of every report of one patient (records carry ``patient_id`` when dvt extract had --patient-col)."""
        with self.connect() as db:
            found = db.execute("SELECT row, record FROM reports WHERE json_extract(record, '$.patient_id') = ? ORDER BY row",
                               (patient_id,)).fetchall()
        return [(r["row"], json.loads(r["record"])) for r in found]

    def save_sections(self, row: int, sections: list[dict]) -> None:
        with self.transaction() as db:
            db.execute("UPDATE reports SET sections = ? WHERE row = ?", (json.dumps(sections), row))

    def current_decisions(self, reviewer: str | None = None, row: int | None = None) -> list[sqlite3.Row]:
        """Each reviewer's last decision per report (optionally one reviewer's, one report's), by row."""
        where: list[str] = []
        params: list[object] = []
        if reviewer is not None:
            where.append("reviewer = ?")
            params.append(reviewer)
        if row is not None:
            where.append("row = ?")
            params.append(row)
        sql = f"SELECT * FROM current_decisions {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY row, decision_id"
        with self.connect() as db:
            return db.execute(sql, params).fetchall()

    def history(self, row: int) -> list[sqlite3.Row]:
        with self.connect() as db:
            return db.execute("SELECT * FROM decisions WHERE row = ? ORDER BY decision_id", (row,)).fetchall()

    def reviewers(self) -> list[str]:
        with self.connect() as db:
            return [r[0] for r in db.execute("SELECT DISTINCT reviewer FROM decisions ORDER BY reviewer")]

    # ---------------------------------------------------------------------- one reviewer at a time

    def open_session(self, reviewer: str, now: datetime | None = None) -> str:
        """Take the app for ``reviewer`` and return the session token their requests carry.

        The same reviewer may take over from their own older session (a reloaded tab); another
        reviewer gets a 409 while the holder has been active in the last LEASE_SECONDS.
        """
        reviewer = check_reviewer(reviewer)
        now = now or _now()
        with self.transaction() as db:
            held = db.execute("SELECT * FROM lease").fetchone()
            if held is not None and held["reviewer"] != reviewer and _parse_iso(held["heartbeat"]) > now - timedelta(seconds=LEASE_SECONDS):
                raise ReviewError(
                    f"{self.path.name} is being reviewed by {held['reviewer']} (since {held['since']}); one reviewer at a time: "
                    f"try again when they close the app, or {LEASE_SECONDS} s after their last action", 409)
            token = secrets.token_urlsafe(18)
            since = held["since"] if held is not None and held["reviewer"] == reviewer else _iso(now)
            db.execute("INSERT OR REPLACE INTO lease VALUES (1, ?, ?, ?, ?)", (reviewer, token, since, _iso(now)))
        return token

    def _check_session(self, db: sqlite3.Connection, token: str | None, now: datetime) -> str:
        held = db.execute("SELECT * FROM lease").fetchone()
        if not token:
            raise ReviewError("no review session: open the app (POST /api/session) first", 401)
        if held is None or held["token"] != token:
            holder = f" by {held['reviewer']}" if held is not None else ""
            raise ReviewError(f"this review session has ended (the app was taken over{holder}); reload to continue", 409)
        db.execute("UPDATE lease SET heartbeat = ? WHERE singleton = 1", (_iso(now),))
        return held["reviewer"]

    def session_reviewer(self, token: str | None, now: datetime | None = None) -> str:
        """The reviewer holding ``token``; refreshes their hold. 401/409 when it is not current."""
        with self.transaction() as db:
            return self._check_session(db, token, now or _now())

    def close_session(self, token: str | None) -> bool:
        with self.transaction() as db:
            return db.execute("DELETE FROM lease WHERE token = ?", (token or "",)).rowcount > 0

    # ------------------------------------------------------------------------------ decisions

    def decide(self, token: str | None, row: int, action: str, label: str | None = None,
               side_labels: dict | None = None, note: str | None = None, now: datetime | None = None) -> Decision:
        """Record the session reviewer's decision on ``row`` in one transaction.

        ``accept`` takes the model's labels (a report whose extraction failed has none to
        accept); ``correct`` takes ``label`` and ``side_labels`` as given.
        """
        if action not in ACTIONS:
            raise ReviewError(f"action must be one of {', '.join(ACTIONS)}")
        if note is not None and (not isinstance(note, str) or len(note) > MAX_NOTE_CHARS):
            raise ReviewError(f"note must be text of at most {MAX_NOTE_CHARS} characters")
        now = now or _now()
        with self.transaction() as db:
            reviewer = self._check_session(db, token, now)
            report = db.execute("SELECT * FROM reports WHERE row = ?", (row,)).fetchone()
            if report is None:
                raise ReviewError(f"no report at row {row}", 404)
            if action == "accept":
                if report["label"] is None:
                    raise ReviewError(f"row {row} has no model label to accept (its extraction failed): correct it instead")
                label = report["label"]
                side_labels = {side: report[f"side_{side}"] for side in SIDES}
            label = check_label(label, "label", nullable=False)
            sides = check_side_labels(side_labels)
            db.execute(
                "INSERT INTO decisions (row, reviewer, action, label, side_left, side_right, side_unspecified, note, decided_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row, reviewer, action, label, sides["left"], sides["right"], sides["unspecified"], note or None, _iso(now)),
            )
        return Decision(row, reviewer, action, label, sides, note or None)


_INSERT_REPORT = (
    "INSERT INTO reports (row, id, label, side_left, side_right, side_unspecified, error, uncertain, record, text)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _report_row(row: int, record: Record, text: str | None) -> tuple:
    sides = record.get("side_labels") or {}
    return (row, json.dumps(record.get("id"), ensure_ascii=False), record.get("label"),
            sides.get("left"), sides.get("right"), sides.get("unspecified"), record.get("error"),
            int(is_uncertain(record)), json.dumps(record, ensure_ascii=False, sort_keys=False), text)


def plain_id(id_json: str) -> str:
    """A stored id as text: a string id as it is, a number as its JSON text (how CSV gold writes both)."""
    value = json.loads(id_json)
    return value if isinstance(value, str) else id_json


def gold_disagrees(gold_label: str, gold_sides: Mapping[str, str | None] | None, label: str | None, sides: Mapping[str, str | None]) -> bool:
    """The model's label differs from gold, or a scored side (left, right) does where gold has sides."""
    if label != gold_label:
        return True
    return gold_sides is not None and any(gold_sides.get(side) != sides.get(side) for side in ("left", "right"))


def check_reviewer(name: object) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > 100 or not name.isprintable():
        raise ReviewError("reviewer must be a name of 1-100 printable characters")
    return name.strip()


@overload
def check_label(value: object, field: str, *, nullable: Literal[False]) -> Label: ...
@overload
def check_label(value: object, field: str, *, nullable: bool) -> Label | None: ...
def check_label(value: object, field: str, *, nullable: bool) -> Label | None:
    if value is None and nullable:
        return None
    if value not in LABELS:
        raise ReviewError(f"{field} must be one of {', '.join(LABELS)}{' or null' if nullable else ''}")
    return value


def check_side_labels(value: object) -> dict[str, str | None]:
    """{left, right, unspecified}: each a label, or null for a side the report does not examine."""
    if value is None:
        value = {}
    if not isinstance(value, dict) or set(value) - set(SIDES):
        raise ReviewError(f"side_labels must be an object with keys among {', '.join(SIDES)}")
    return {side: check_label(value.get(side), f"side_labels.{side}", nullable=True) for side in SIDES}
