"""Label Studio tasks: written by `dvt review export --format labelstudio`, read back as gold.

A task is Label Studio's JSON export format: ``data`` (the report text and its ids),
``annotations`` (reviewers' choices) and ``predictions`` (the model's labels and its evidence
spans), against the labeling config :data:`LABEL_CONFIG` (a ``label`` choice for the report,
``side_left`` / ``side_right`` / ``side_unspecified`` choices, a ``note`` text area and
``evidence`` span labels by segment group). Reading takes a task's last annotation that is not
cancelled; a side with no choice is a side the report does not examine.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..core.model import GROUPS
from .types import LABELS, SIDES

LABEL_FIELD = "label"
SIDE_FIELDS = {side: f"side_{side}" for side in SIDES}
NOTE_FIELD = "note"
EVIDENCE_FIELD = "evidence"

_choices = "".join(f'<Choice value="{label}"/>' for label in LABELS)
LABEL_CONFIG = (
    '<View>\n  <Labels name="evidence" toName="text">'
    + "".join(f'<Label value="{group}"/>' for group in GROUPS)
    + '</Labels>\n  <Text name="text" value="$text"/>\n'
    + f'  <Choices name="{LABEL_FIELD}" toName="text" choice="single" required="true">{_choices}</Choices>\n'
    + "".join(f'  <Choices name="{field}" toName="text" choice="single">{_choices}</Choices>\n' for field in SIDE_FIELDS.values())
    + f'  <TextArea name="{NOTE_FIELD}" toName="text"/>\n</View>\n'
)


def _choice(field: str, value: str) -> dict:
    return {"from_name": field, "to_name": "text", "type": "choices", "value": {"choices": [value]}}


def label_results(label: str, side_labels: Mapping[str, str | None], note: str | None = None) -> list[dict]:
    """Annotation results for a report label, its side labels and a note."""
    results = [_choice(LABEL_FIELD, label)]
    results += [_choice(SIDE_FIELDS[side], value) for side in SIDES if (value := side_labels.get(side))]
    if note:
        results.append({"from_name": NOTE_FIELD, "to_name": "text", "type": "textarea", "value": {"text": [note]}})
    return results


def evidence_results(findings: Sequence[Mapping[str, Any]]) -> list[dict]:
    """Span results for the vein mentions of findings, labelled by segment group."""
    return [{
        "id": f"f{i}", "from_name": EVIDENCE_FIELD, "to_name": "text", "type": "labels",
        "value": {"start": f["evidence"]["start"], "end": f["evidence"]["end"], "text": f["evidence"]["text"], "labels": [f["group"]]},
        "meta": {"text": [f"{f.get('segment') or 'DVT'} {f['side']} {f['status']}"]},
    } for i, f in enumerate(findings)]


def is_task(value: object) -> bool:
    return isinstance(value, dict) and isinstance(value.get("data"), dict) and "annotations" in value


def gold_from_task(task: Mapping[str, Any], where: str) -> dict:
    """{id, label, side_labels} from a task's last annotation that is not cancelled."""
    data = task["data"]
    report_id = data.get("report_id", data.get("id", task.get("id")))
    kept = [a for a in task.get("annotations") or () if isinstance(a, dict) and not a.get("was_cancelled")]
    if not kept:
        raise ValueError(f"{where}: task {report_id!r} has no annotation")
    chosen: dict[str, str] = {}
    for result in kept[-1].get("result") or ():
        choices = (result.get("value") or {}).get("choices") if isinstance(result, dict) else None
        if choices:
            chosen[result.get("from_name")] = choices[0]
    if LABEL_FIELD not in chosen:
        raise ValueError(f"{where}: task {report_id!r}: its annotation has no {LABEL_FIELD!r} choice")
    return {"id": report_id, "label": chosen[LABEL_FIELD], "side_labels": {side: chosen.get(field) for side, field in SIDE_FIELDS.items()}}
