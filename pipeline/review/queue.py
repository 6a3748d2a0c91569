"""The review queue: which reports to show, in which order, with counts for the filter bar.

Order: reports the model is unsure about first (label INDETERMINATE or a ``possible`` finding),
then the rest, each by position. Filters combine (AND):

=============  ==========================================================================
label          the report label (or, with ``side``, that side's label); ``ERROR`` for
               reports whose extraction failed
side           left / right / unspecified: with ``label``, filter that side's label;
               alone, reports that examine that side
flag           uncertain, error, disagree (model differs from gold), undecided / decided /
               corrected (by the current reviewer)
id             reports whose id contains this text
=============  ==========================================================================
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from ..evaluation.types import LABELS, SIDES
from .store import ReviewError, ReviewStore

FLAGS = ("uncertain", "error", "disagree", "undecided", "decided", "corrected")
ERROR_LABEL = "ERROR"
MAX_PAGE = 1000

_FLAG_SQL = {
    "uncertain": "r.uncertain = 1",
    "error": "r.error IS NOT NULL",
    "disagree": "r.disagrees = 1",
    "undecided": "mine.row IS NULL",
    "decided": "mine.row IS NOT NULL",
    "corrected": "mine.row IS NOT NULL AND (mine.label IS NOT r.label OR mine.side_left IS NOT r.side_left"
                 " OR mine.side_right IS NOT r.side_right OR mine.side_unspecified IS NOT r.side_unspecified)",
}


@dataclass(frozen=True)
class QueueFilter:
    label: str | None = None
    side: str | None = None
    flag: str | None = None
    id_contains: str | None = None

    @classmethod
    def parse(cls, query: dict[str, str]) -> QueueFilter:
        """From request parameters; unknown values are a 400 with the allowed ones."""
        label = query.get("label") or None
        side = query.get("side") or None
        flag = query.get("flag") or None
        if label is not None and label not in (*LABELS, ERROR_LABEL):
            raise ReviewError(f"label filter must be one of {', '.join((*LABELS, ERROR_LABEL))}")
        if side is not None and side not in SIDES:
            raise ReviewError(f"side filter must be one of {', '.join(SIDES)}")
        if flag is not None and flag not in FLAGS:
            raise ReviewError(f"flag filter must be one of {', '.join(FLAGS)}")
        id_contains = query.get("id") or None
        if id_contains is not None and len(id_contains) > 200:
            raise ReviewError("id search must be at most 200 characters")
        return cls(label, side, flag, id_contains)

    def where(self) -> tuple[str, list]:
        clauses, params = [], []
        column = f"r.side_{self.side}" if self.side else "r.label"
        if self.label == ERROR_LABEL:
            clauses.append("r.error IS NOT NULL")
        elif self.label:
            clauses.append(f"{column} = ?")
            params.append(self.label)
        elif self.side:
            clauses.append(f"{column} IS NOT NULL")
        if self.flag:
            clauses.append(_FLAG_SQL[self.flag])
        if self.id_contains:
            clauses.append("instr(r.id, ?) > 0")
            params.append(self.id_contains)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _from(reviewer: str) -> tuple[str, list]:
    # One reviewer's rows of the current_decisions view, narrowed before grouping: through the view
    # itself SQLite groups every reviewer's decisions first, three times slower on a big queue.
    mine = "SELECT * FROM decisions WHERE decision_id IN (SELECT MAX(decision_id) FROM decisions WHERE reviewer = ? GROUP BY row)"
    return f"FROM reports r LEFT JOIN ({mine}) mine ON mine.row = r.row", [reviewer]


def queue_page(store: ReviewStore, reviewer: str, filters: QueueFilter, offset: int = 0, limit: int = 200) -> dict:
    """One page of the filtered queue, and how many match."""
    if not 0 <= offset or not 1 <= limit <= MAX_PAGE:
        raise ReviewError(f"offset must be >= 0 and limit 1-{MAX_PAGE}")
    source, params = _from(reviewer)
    where, wparams = filters.where()
    with store.connect() as db:
        total = db.execute(f"SELECT COUNT(*) {source}{where}", params + wparams).fetchone()[0]
        rows = db.execute(
            f"SELECT r.row, r.id, r.label, r.side_left, r.side_right, r.side_unspecified, r.error IS NOT NULL AS failed,"
            f" r.uncertain, r.disagrees, r.gold_label, mine.label AS decided_label {source}{where}"
            f" ORDER BY r.uncertain DESC, r.row LIMIT ? OFFSET ?", params + wparams + [limit, offset]).fetchall()
    return {
        "total": total, "offset": offset,
        "items": [{
            "row": r["row"], "id": json.loads(r["id"]), "label": r["label"],
            "side_labels": {side: r[f"side_{side}"] for side in SIDES},
            "error": bool(r["failed"]), "uncertain": bool(r["uncertain"]), "disagrees": bool(r["disagrees"]),
            "gold_label": r["gold_label"], "decided_label": r["decided_label"],
        } for r in rows],
    }


def queue_counts(store: ReviewStore, reviewer: str) -> dict:
    """Counts for the filter bar: reports per label and per flag (for this reviewer)."""
    source, params = _from(reviewer)
    with store.connect() as db:
        labels = {row[0] or ERROR_LABEL: row[1] for row in db.execute("SELECT label, COUNT(*) FROM reports GROUP BY label")}
        flags = {flag: db.execute(f"SELECT COUNT(*) {source} WHERE {sql}", params).fetchone()[0] for flag, sql in _FLAG_SQL.items()}
        total = db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
    return {"total": total, "labels": {label: labels.get(label, 0) for label in (*LABELS, ERROR_LABEL)}, "flags": flags}


def next_row(store: ReviewStore, reviewer: str, filters: QueueFilter, after: int | None = None) -> int | None:
    """The first report in queue order (after ``after``'s place) the reviewer has not decided."""
    source, params = _from(reviewer)
    where, wparams = filters.where()
    where += (" AND " if where else " WHERE ") + "mine.row IS NULL"
    order = " ORDER BY r.uncertain DESC, r.row LIMIT 1"
    with store.connect() as db:
        if after is not None:
            place = db.execute("SELECT uncertain FROM reports WHERE row = ?", (after,)).fetchone()
            if place is not None:
                later = " AND (r.uncertain < ? OR (r.uncertain = ? AND r.row > ?))"
                found = db.execute(f"SELECT r.row {source}{where}{later}{order}", params + wparams + [place[0], place[0], after]).fetchone()
                if found is not None:
                    return found[0]
        found = db.execute(f"SELECT r.row {source}{where}{order}", params + wparams).fetchone()  # from the top (wraps around)
        return found[0] if found is not None else None
