"""Evaluation of `dvt extract` predictions against gold labels (`dvt evaluate`).

    result = evaluate_files("pred.jsonl", "gold.jsonl", bootstrap=1000, seed=0)
    render(result, Console())
    json.dumps(result.to_dict())
"""

from __future__ import annotations

from pathlib import Path

from .load import load_gold, load_predictions
from .metrics import evaluate, predicted_positive_segments
from .types import DEEP_SEGMENTS, DVT_LABELS, LABELS, EvaluationResult
from .report import render, to_json

__all__ = [
    "DEEP_SEGMENTS",
    "DVT_LABELS",
    "LABELS",
    "EvaluationResult",
    "evaluate",
    "evaluate_files",
    "load_gold",
    "load_predictions",
    "predicted_positive_segments",
    "render",
    "to_json",
]


def evaluate_files(
    pred_path: str | Path,
    gold_path: str | Path,
    *,
    bootstrap: int = 1000,
    seed: int = 0,
) -> EvaluationResult:
    """Load predictions and gold, join on id and compute every available metric.

    Raises ValueError for unreadable or invalid input, including duplicate ids.
    """
    gold = load_gold(gold_path)
    preds = load_predictions(pred_path)
    return evaluate(
        gold, preds, bootstrap=bootstrap, seed=seed, pred_path=str(pred_path), gold_path=str(gold_path)
    )
