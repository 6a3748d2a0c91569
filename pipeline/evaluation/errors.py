"""`dvt evaluate --errors`: every disagreement with the findings that decided it.

For each report whose label, side labels or deep segments differ from gold, the lines show the
labels, the missing and extra segments, then each sentence that holds a finding (its text when
the gold file carries the report ``text``, else its offsets) with the findings under it: side,
segment, status, acuity, mention text, cue text, modifiers and section. It prints report text:
it is for the user's terminal, never for logs.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator, cast

from ..core.record import EvidenceRecord, FindingRecord, Record, SentenceBounds, SpanRecord
from .types import Disagreement, EvaluationResult

INDENT = "    "


def _json_records(path: str | Path) -> Iterator[dict[str, Any]]:
    path = Path(path)
    if path.suffix.lower() not in (".jsonl", ".ndjson", ".json"):
        return
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        return  # a Label Studio export carries no findings and no plain text
    for line in text.splitlines():
        if line.strip():
            record = json.loads(line)
            if isinstance(record, dict) and "id" in record:
                yield record


def _finding_line(f: FindingRecord) -> str:
    evidence: EvidenceRecord | dict[str, None] = f.get("evidence") or {}
    status: str = f.get("status") or "?"
    if f.get("acuity") and status in ("present", "possible"):
        status += f"/{f['acuity']}"
    if f.get("occlusion"):
        status += f"/{f['occlusion']}"
    line = f"{f.get('side')}:{f.get('segment') or f.get('group') or '?'} {status}"
    if evidence.get("text"):
        line += f' mention "{evidence["text"]}"'
    cue: SpanRecord | dict[str, None] = evidence.get("cue") or {}
    if cue.get("text"):
        line += f' cue "{cue["text"]}"'
    mods = [f'{m.get("category")} "{m.get("text")}"' for m in evidence.get("modifiers") or []]
    if mods:
        line += " mods " + ", ".join(mods)
    return line + f" [{f.get('section') or '-'}]"


def _header(d: Disagreement) -> str:
    parts = [f"{d.id}: {d.gold_label} -> {d.pred_label or '(error)'}"]
    parts += [f"{m.side} {m.gold or 'null'} -> {m.pred or 'null'}" for m in d.side_mismatches]
    if d.missing_segments:
        parts.append("missing " + " ".join(d.missing_segments))
    if d.extra_segments:
        parts.append("extra " + " ".join(d.extra_segments))
    if d.error:
        parts.append(f"error: {d.error}")
    return " | ".join(parts)


def _record_lines(record: Record | None, text: str | None) -> list[str]:
    by_sentence: dict[tuple[int, int], list[FindingRecord]] = {}
    for f in (record.get("findings") if record else None) or []:
        evidence: EvidenceRecord | dict[str, None] = f.get("evidence") or {}
        sentence: SentenceBounds | dict[str, int] = evidence.get("sentence") or {}
        by_sentence.setdefault((sentence.get("start", -1), sentence.get("end", -1)), []).append(f)
    lines = []
    for (start, end), findings in sorted(by_sentence.items()):
        shown = " ".join(text[start:end].split()) if text is not None and 0 <= start < end else f"@{start}-{end}"
        lines.append(f"{INDENT}> {shown}")
        lines += [f"{INDENT}{INDENT}{_finding_line(f)}" for f in findings]
    return lines or [f"{INDENT}(no findings)"]


def error_lines(result: EvaluationResult, pred_path: str | Path, gold_path: str | Path) -> list[str]:
    """The disagreements of `result`, each with its findings grouped by sentence."""
    preds = {str(r["id"]): cast(Record, r) for r in _json_records(pred_path)}
    texts = {str(r["id"]): r["text"] for r in _json_records(gold_path) if isinstance(r.get("text"), str)}
    lines = [f"{len(result.disagreements)} disagreement(s)"]
    for d in result.disagreements:
        lines.append(_header(d))
        lines += _record_lines(preds.get(d.id), texts.get(d.id))
    return lines
