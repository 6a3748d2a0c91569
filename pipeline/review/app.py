"""The review app's requests and answers, apart from HTTP (see server.py for the transport).

==========================  ===============================================================
GET  /api/info              the review: source file, gold, labels, filters, reviewers
POST /api/session           {"reviewer"}: take the app (one reviewer at a time) -> token
POST /api/session/end       release it (the page does this when it closes)
GET  /api/queue             ?label=&side=&flag=&offset=&limit= -> a page of the queue + counts
GET  /api/next              ?after=ROW&label=&side=&flag= -> the next undecided report
GET  /api/reports/ROW       the report: labels, findings, highlighted text, gold, decisions, the patient's exams
POST /api/decisions         {"row", "action": accept|correct, "label", "side_labels", "note"}
GET  /api/stats             decisions per reviewer, agreement between reviewers and with the model
==========================  ===============================================================

Every /api request but info and session carries the session token in ``X-Review-Session``.
Errors are JSON ``{"error": message}`` with a 4xx status; nothing is written on an error.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable

from ..evaluation.types import LABELS, SIDES
from .highlight import offset_problems, record_marks, render_html
from ..core.record import Record
from .queue import ERROR_LABEL, FLAGS, QueueFilter, next_row, queue_counts, queue_page
from .section_spans import section_headers
from .stats import review_stats
from .store import ReviewError, ReviewStore, check_reviewer

MAX_BODY_BYTES = 64_000
MAX_INT = 2**62  # rows, offsets: far beyond any review, within SQLite's 64-bit integers


@dataclass
class Response:
    status: int
    body: Any  # dict/list -> JSON; bytes as they are
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        try:
            return json.dumps(self.body, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate (an id read from a JSON escape): keep it as an escape
            return json.dumps(self.body).encode("ascii")


def _error(exc: ReviewError) -> Response:
    return Response(exc.status, {"error": str(exc)})


def _int(value: str | None, name: str, default: int | None = None) -> int | None:
    if value in (None, ""):
        return default
    if len(value) > 20:  # int() of thousands of digits is slow, and no row is that far
        raise ReviewError(f"{name} must be an integer from 0 to {MAX_INT}")
    try:
        number = int(value)
    except ValueError:
        raise ReviewError(f"{name} must be an integer") from None
    if not -MAX_INT <= number <= MAX_INT:
        raise ReviewError(f"{name} must be an integer from 0 to {MAX_INT}")
    return number


def _decision_dict(row) -> dict:
    return {
        "reviewer": row["reviewer"], "action": row["action"], "label": row["label"],
        "side_labels": {side: row[f"side_{side}"] for side in SIDES}, "note": row["note"], "decided_at": row["decided_at"],
    }


class ReviewApp:
    """Answers review requests against one :class:`ReviewStore`."""

    def __init__(self, store: ReviewStore, default_reviewer: str = "") -> None:
        self.store = store
        self.default_reviewer = default_reviewer
        self._routes: dict[tuple[str, str], Callable[..., Response]] = {
            ("GET", "info"): self.info, ("POST", "session"): self.open_session, ("POST", "session/end"): self.end_session,
            ("GET", "queue"): self.queue, ("GET", "next"): self.next, ("GET", "reports"): self.report,
            ("POST", "decisions"): self.decide, ("GET", "stats"): self.stats,
        }

    def handle(self, method: str, path: str, query: dict[str, str], body: bytes, token: str | None) -> Response:
        """Route one /api request; every refusal is a JSON error, never an exception."""
        parts = path.strip("/").split("/")
        if parts[:1] != ["api"]:
            return Response(404, {"error": f"no such path: {path}"})
        name, arg = "/".join(parts[1:]), None
        if parts[1:2] == ["reports"] and len(parts) == 3:
            name, arg = "reports", parts[2]
        handler = self._routes.get((method, name))
        if handler is None:
            allowed = [m for (m, n) in self._routes if n == name]
            return Response(405 if allowed else 404, {"error": f"{method} {path} is not part of the review API"})
        try:
            data = self._json_body(body) if method == "POST" else {}
            return handler(query=query, data=data, token=token, arg=arg)
        except ReviewError as exc:
            return _error(exc)
        except Exception:  # noqa: BLE001 - a request the checks above missed: a JSON answer, no traceback
            return Response(500, {"error": "the request could not be handled"})

    @staticmethod
    def _json_body(body: bytes) -> dict:
        if len(body) > MAX_BODY_BYTES:
            raise ReviewError(f"request body over {MAX_BODY_BYTES} bytes", 413)
        try:
            data = json.loads(body.decode("utf-8") or "{}")
            json.dumps(data, ensure_ascii=False).encode("utf-8")  # lone surrogates (\\ud800) cannot be stored
        except (UnicodeError, json.JSONDecodeError, RecursionError):
            raise ReviewError("request body must be a JSON object of valid UTF-8 text") from None
        if not isinstance(data, dict):
            raise ReviewError("request body must be a JSON object")
        return data

    # ------------------------------------------------------------------------------ handlers

    def info(self, **_: Any) -> Response:
        meta = self.store.meta()
        return Response(200, {
            "source": meta.get("source"), "gold": meta.get("gold"), "sampling": meta.get("sampling"), "total": self.store.report_count(),
            "labels": list(LABELS), "error_label": ERROR_LABEL, "sides": list(SIDES), "flags": list(FLAGS),
            "reviewers": self.store.reviewers(), "default_reviewer": self.default_reviewer,
        })

    def open_session(self, data: dict, **_: Any) -> Response:
        reviewer = check_reviewer(data.get("reviewer"))
        token = self.store.open_session(reviewer)
        return Response(200, {"token": token, "reviewer": reviewer, "resume_row": next_row(self.store, reviewer, QueueFilter())})

    def end_session(self, data: dict, token: str | None, **_: Any) -> Response:
        token = token or data.get("token")
        if token is not None and not isinstance(token, str):
            raise ReviewError("token must be text")
        return Response(200, {"ended": self.store.close_session(token)})

    def queue(self, query: dict[str, str], token: str | None, **_: Any) -> Response:
        reviewer = self.store.session_reviewer(token)
        page = queue_page(self.store, reviewer, QueueFilter.parse(query), _int(query.get("offset"), "offset", 0),
                          _int(query.get("limit"), "limit", 200))
        return Response(200, {**page, "counts": queue_counts(self.store, reviewer)})

    def next(self, query: dict[str, str], token: str | None, **_: Any) -> Response:
        reviewer = self.store.session_reviewer(token)
        return Response(200, {"row": next_row(self.store, reviewer, QueueFilter.parse(query), _int(query.get("after"), "after"))})

    def report(self, token: str | None, arg: str, **_: Any) -> Response:
        reviewer = self.store.session_reviewer(token)
        row = _int(arg, "report row")
        found = self.store.report(row)
        record, text = json.loads(found["record"]), found["text"] or ""
        if found["sections"] is None:
            sections = section_headers(text)
            self.store.save_sections(row, sections)
        else:
            sections = json.loads(found["sections"])
        mine = self.store.current_decisions(reviewer, row)
        return Response(200, {
            "row": row, "id": json.loads(found["id"]), "record": record, "text_available": found["text"] is not None,
            "html": render_html(text, record_marks(record, sections)), "sections": sections,
            "sentences": [text[f["evidence"]["sentence"]["start"]:f["evidence"]["sentence"]["end"]] for f in record.get("findings") or ()],
            "problems": offset_problems(text, record) if found["text"] is not None else [],
            "gold": {"label": found["gold_label"], "side_labels": json.loads(found["gold_sides"]) if found["gold_sides"] else None} if found["gold_label"] else None,
            "decision": _decision_dict(mine[-1]) if mine else None,
            "history": [_decision_dict(d) for d in self.store.history(row)],
            "patient_exams": self._patient_exams(record),
        })

    def _patient_exams(self, record: Record) -> list[dict]:
        """The patient's reports in this review by exam date (when dvt extract carried patient and date), for context."""
        patient = record.get("patient_id")
        if patient is None or not isinstance(patient, (str, int, float)):
            return []
        exams = [{"row": row, "id": r.get("id"), "exam_date": r.get("exam_date"), "label": r.get("label"), "side_labels": r.get("side_labels")}
                 for row, r in self.store.patient_reports(patient)]
        return sorted(exams, key=lambda e: (str(e["exam_date"] or ""), e["row"]))

    def decide(self, data: dict, token: str | None, query: dict[str, str], **_: Any) -> Response:
        unknown = set(data) - {"row", "action", "label", "side_labels", "note"}
        if unknown:
            raise ReviewError(f"unknown field(s): {', '.join(sorted(unknown))}")
        row = data.get("row")
        if not isinstance(row, int) or isinstance(row, bool) or not 0 <= row <= MAX_INT:
            raise ReviewError("row must be an integer (the report's position)")
        decision = self.store.decide(token, row, data.get("action"), data.get("label"), data.get("side_labels"), data.get("note"))
        following = next_row(self.store, decision.reviewer, QueueFilter.parse(query), after=row)
        return Response(200, {"saved": {"row": row, "action": decision.action, "label": decision.label,
                                        "side_labels": decision.side_labels, "note": decision.note}, "next_row": following})

    def stats(self, token: str | None, **_: Any) -> Response:
        self.store.session_reviewer(token)
        return Response(200, review_stats([self.store]))
