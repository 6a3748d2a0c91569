"""Terminal explanation of one report: labels, then each finding with its evidence highlighted."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

STATUS_STYLES = {"present": "bold red", "possible": "bold yellow", "absent": "green", "not_evaluated": "magenta"}
CUE_STYLE = "underline cyan"
MODIFIER_STYLE = "italic blue"
CHANGE_STYLE = "bold underline magenta"
COMPARISON_STYLE = "reverse"


def highlighted(text: str, record: dict) -> Text:
    """The report text with segment mentions, cues and modifiers of decisive findings styled."""
    out = Text(text)
    for finding in record["findings"]:
        evidence = finding["evidence"]
        out.stylize(STATUS_STYLES.get(finding["status"], "bold"), evidence["start"], evidence["end"])
        if evidence["cue"] and evidence["cue"]["start"] != evidence["start"]:
            out.stylize(CUE_STYLE, evidence["cue"]["start"], evidence["cue"]["end"])
        for modifier in evidence["modifiers"]:
            out.stylize(MODIFIER_STYLE, modifier["start"], modifier["end"])
        if evidence.get("change_cue"):
            out.stylize(CHANGE_STYLE, evidence["change_cue"]["start"], evidence["change_cue"]["end"])
    if record.get("comparison"):
        out.stylize(COMPARISON_STYLE, record["comparison"]["start"], record["comparison"]["end"])
    return out


def findings_table(record: dict) -> Table:
    """One row per finding: segment, side, status, acuity, section, evidence and cue."""
    table = Table(title="Findings", show_lines=False)
    for column in ("#", "segment", "side", "status", "acuity", "occlusion", "change", "section", "mention", "cue", "modifiers"):
        table.add_column(column)
    for number, f in enumerate(record["findings"], start=1):
        ev = f["evidence"]
        cue, change_cue = ev["cue"], ev.get("change_cue")
        change = f"{f['change']} ('{change_cue['text']}' [{change_cue['start']}:{change_cue['end']}])" if f.get("change") and change_cue else ""
        table.add_row(
            str(number), f["segment"] or "(DVT, no segment)", f["side"],
            Text(f["status"], style=STATUS_STYLES.get(f["status"], "")), f["acuity"] or "", f["occlusion"] or "", change, f["section"],
            f"{ev['text']} [{ev['start']}:{ev['end']}]", f"{cue['text']} [{cue['start']}:{cue['end']}]" if cue else "",
            ", ".join(f"{m['category'].lower()}:'{m['text']}'" for m in ev["modifiers"]),
        )
    return table


def follow_up_line(record: dict) -> str:
    """The comparison and each examined side's scope, in one line."""
    comparison = record.get("comparison")
    compared = "none stated" if comparison is None else f"{comparison['source']}" + (f" of {comparison['date']}" if comparison["date"] else "") + f" ('{comparison['text']}' [{comparison['start']}:{comparison['end']}])"
    scope = ", ".join(f"{side}={value}" for side, value in (record.get("scope") or {}).items() if value)
    return f"Comparison: {compared}\nScope: {scope or 'none'}"


def render_explanation(text: str, record: dict, console: Console) -> None:
    """Print labels, the highlighted report and the findings table."""
    if record.get("error"):
        console.print(f"[bold red]error:[/] {record['error']}")
        return
    sides = ", ".join(f"{side}={label}" for side, label in record["side_labels"].items() if label)
    console.print(Text.assemble(("Label: ", "bold"), (record["label"], "bold red" if record["label"] not in ("NEGATIVE",) else "bold green"),
                                f"   sides: {sides or 'none examined'}   distal={record['distal']} svt={record['svt']} svt_near_junction={record['svt_near_junction']}"))
    console.print(follow_up_line(record))
    console.print(Text("Legend: ") + Text("present ", STATUS_STYLES["present"]) + Text("possible ", STATUS_STYLES["possible"])
                  + Text("absent ", STATUS_STYLES["absent"]) + Text("not evaluated ", STATUS_STYLES["not_evaluated"])
                  + Text("cue ", CUE_STYLE) + Text("modifier ", MODIFIER_STYLE) + Text("change", CHANGE_STYLE) + Text(" ") + Text("comparison", COMPARISON_STYLE))
    console.rule()
    console.print(highlighted(text, record))
    console.rule()
    console.print(findings_table(record))
