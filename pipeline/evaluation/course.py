"""Scoring ``dvt course`` output against gold course tables (``dvt evaluate --course``).

Events are matched on (patient, leg, event type, report at which the event is seen): per type
precision, recall and F1. Episode outcomes: every gold episode with a surveillance status (a
distal index) is looked up by (patient, leg, index report); its predicted status, or
``(no episode)``, gives accuracy and a confusion table; likewise the outcome at days 42 and 90.
Tables are read from a prefix as ``dvt course`` writes them (``course.jsonl`` ->
``course.leg_events.jsonl``; ``.csv``, ``.parquet``; or one ``.duckdb`` file).
"""
from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

NO_EPISODE = "(no episode)"
OUTCOMES = ("surveillance_status", "outcome_day42", "outcome_day90")


def load_course_table(prefix: str | Path, table: str) -> list[dict]:
    """One course table of a ``dvt course`` output named by its ``-o`` path."""
    path = Path(prefix)
    ext = path.suffix.lower().lstrip(".") or "jsonl"
    if ext in ("duckdb", "db"):
        import duckdb

        con = duckdb.connect(str(path), read_only=True)
        try:
            cur = con.execute(f"SELECT * FROM {table}")
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row)) for row in cur.fetchall()]
        finally:
            con.close()
    file = path.with_suffix(f".{table}.{ext}") if path.suffix else Path(f"{path}.{table}.jsonl")
    if not file.exists():
        raise ValueError(f"{file}: no such file (expected the {table} table of a dvt course output)")
    if ext == "parquet":
        import pyarrow.parquet as pq

        return pq.read_table(file).to_pylist()
    if ext == "csv":
        with open(file, encoding="utf-8", newline="") as handle:
            return [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(handle)]
    return [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"gold": tp + fn, "predicted": tp + fp, "tp": tp, "precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def evaluate_course(pred_prefix: str | Path, gold_prefix: str | Path) -> dict:
    """Event P/R/F1 per type and episode-outcome accuracy with confusion tables."""
    key = lambda e: (str(e["patient_id"]), e["leg"], e["event"], str(e["report_id"]))  # noqa: E731
    gold = {key(e) for e in load_course_table(gold_prefix, "leg_events")}
    pred = {key(e) for e in load_course_table(pred_prefix, "leg_events")}
    events = {}
    for kind in sorted({k[2] for k in gold | pred}):
        g, p = {k for k in gold if k[2] == kind}, {k for k in pred if k[2] == kind}
        events[kind] = _prf(len(g & p), len(p - g), len(g - p))
    events["ALL"] = _prf(len(gold & pred), len(pred - gold), len(gold - pred))
    at = lambda e: (str(e["patient_id"]), e["leg"], str(e["index_report_id"]))  # noqa: E731
    predicted = {at(e): e for e in load_course_table(pred_prefix, "leg_episodes")}
    distal = [e for e in load_course_table(gold_prefix, "leg_episodes") if e.get("surveillance_status")]
    outcomes = {}
    for column in OUTCOMES:
        confusion: Counter = Counter()
        for e in distal:
            found = predicted.get(at(e)) or {}
            confusion[(e[column], found.get(column) or NO_EPISODE)] += 1
        right = sum(n for (g, p), n in confusion.items() if g == p)
        outcomes[column] = {"episodes": len(distal), "accuracy": round(right / len(distal), 4) if distal else 0.0,
                            "confusion": [{"gold": g, "predicted": p, "n": n} for (g, p), n in sorted(confusion.items())]}
    missed = sorted(gold - pred)[:20]
    extra = sorted(pred - gold)[:20]
    return {"events": events, "outcomes": outcomes, "missed_events": [list(k) for k in missed], "extra_events": [list(k) for k in extra],
            "pred": str(pred_prefix), "gold": str(gold_prefix)}


def render_course(result: dict, console) -> None:
    """Event and outcome tables on a rich console."""
    from rich.table import Table

    table = Table(title=f"Course events ({result['pred']} vs {result['gold']})")
    for column in ("event", "gold", "predicted", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column == "event" else "right")
    for kind, m in result["events"].items():
        table.add_row(kind, str(m["gold"]), str(m["predicted"]), f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}")
    console.print(table)
    for column, m in result["outcomes"].items():
        console.print(f"{column}: accuracy {m['accuracy']:.3f} over {m['episodes']} gold distal episodes")
        for row in m["confusion"]:
            if row["gold"] != row["predicted"]:
                console.print(f"  gold {row['gold']} -> predicted {row['predicted']}: {row['n']}", highlight=False)
    for name in ("missed_events", "extra_events"):
        if result[name]:
            console.print(f"{name.replace('_', ' ')} (first 20): " + "; ".join(" ".join(k) for k in result[name]), highlight=False)
