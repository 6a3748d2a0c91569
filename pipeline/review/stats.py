"""Decisions per reviewer and agreement: each reviewer with the model, and every two reviewers.

Reviews kept in separate databases (each reviewer with their own file) are compared when they
review the same output (same source digest); a reviewer name found in several files is told
apart by its file name.
"""
from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations

from ..evaluation.agreement import agreement
from ..evaluation.types import SIDES
from .queue import ERROR_LABEL
from .store import ReviewError, ReviewStore

Labels = dict[object, tuple[str, Mapping[str, str | None]]]


def _sides(row) -> dict:
    return {side: row[f"side_{side}"] for side in SIDES}


def model_labels(store: ReviewStore) -> Labels:
    with store.connect() as db:
        return {r["row"]: (r["label"] or ERROR_LABEL, _sides(r))
                for r in db.execute("SELECT row, label, side_left, side_right, side_unspecified FROM reports")}


def reviewer_decisions(stores: list[ReviewStore]) -> dict[str, list]:
    """Current decisions per reviewer over all the stores (which must review the same output)."""
    digests = {store.meta().get("source_digest") for store in stores}
    if len(digests) > 1:
        raise ReviewError("these review databases review different outputs; agreement needs the same reports")
    names = [r for store in stores for r in store.reviewers()]
    out: dict[str, list] = {}
    for store in stores:
        for d in store.current_decisions():
            name = d["reviewer"] if names.count(d["reviewer"]) == 1 or len(stores) == 1 else f"{d['reviewer']} ({store.path.name})"
            out.setdefault(name, []).append(d)
    return out


def review_stats(stores: list[ReviewStore]) -> dict:
    """Counts (decided / accepted / corrected) per reviewer and Cohen's kappa tables."""
    by_reviewer = reviewer_decisions(stores)
    labels: dict[str, Labels] = {name: {d["row"]: (d["label"], _sides(d)) for d in ds} for name, ds in by_reviewer.items()}
    model = model_labels(stores[0])
    counts = {name: {"decided": len(ds), "accepted": sum(d["action"] == "accept" for d in ds),
                     "corrected": sum(d["action"] == "correct" for d in ds)} for name, ds in sorted(by_reviewer.items())}
    return {
        "total": stores[0].report_count(),
        "reviewers": counts,
        "model_agreement": [agreement("dvt", {r: model[r] for r in rows}, name, rows).to_dict() for name, rows in sorted(labels.items())],
        "reviewer_agreement": [agreement(a, labels[a], b, labels[b]).to_dict() for a, b in combinations(sorted(labels), 2)],
    }
