"""Per-side and report labels from findings: LABELS.md sections 3 and 5, pure Python.

Decision table (one side; the report label is the most severe side label)::

    label            rule                                              example sentence
    PROXIMAL         any present proximal segment                      "Occlusive thrombus in the left SFV."
    IDDVT            no proximal; present axial or unspecified calf     "Nonocclusive thrombus in the peroneal veins."
                     (with or without muscular)                        "Left calf DVT."
    ICMVT            only present muscular calf veins                  "Thrombus in a medial gastrocnemius vein."
    DVT_UNSPECIFIED  DVT asserted, no segment resolvable               "Acute left leg DVT."
    INDETERMINATE    a possible deep finding, or no deep vein           "Calf vein thrombosis cannot be excluded."
                     of the side could be assessed                     "Right: nondiagnostic, deep veins not visualized."
    NEGATIVE         none of the above                                 "The CFV, FV and popliteal veins are compressible."

Rules of section 5 applied here:
    * only current findings count (historical, hypothetical and indication mentions never do);
    * chronic-only thrombus does not count unless ``count_chronic``; acute-on-chronic does;
    * for the same segment and side, an addendum supersedes the impression, which supersedes
      the findings, which supersede a preliminary (sonographer's) read; within one level,
      present > possible > absent > not_evaluated. A re-read supersedes only the findings it
      addresses: a generic "No DVT." never erases a vein named as thrombosed, but an addendum's
      generic denial undoes the earlier generic claims of its side ("thrombus cannot be excluded");
    * superficial and upper-extremity findings never make a DVT label; ``svt`` is a present,
      non-chronic superficial thrombus, ``svt_near_junction`` one at or into the SFJ/SPJ.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .change import FITS
from .model import DEEP_GROUPS, DISTAL_LABELS, GENERIC_DEEP_GROUP, LABELS, Classification, Finding, Group, Label, Scope, Section, Side, Status

if TYPE_CHECKING:
    from .record import SideLabels, SideScopes

CALF_GROUPS: frozenset[Group] = frozenset({"distal_axial", "distal_muscular", "distal_unspecified"})

CURRENT_STATUSES: tuple[Status, ...] = ("present", "possible", "absent", "not_evaluated")
_STATUS_RANK: dict[Status, int] = {"present": 0, "possible": 1, "absent": 2, "not_evaluated": 3}
_AUTHORITY: dict[Section, int] = {"addendum": 0, "impression": 1, "preliminary": 3}


def most_severe(labels: Iterable[Label | None]) -> Label:
    """The most severe of the given labels (NEGATIVE when none)."""
    present = [label for label in labels if label]
    return min(present, key=LABELS.index) if present else "NEGATIVE"


def counts_as_thrombus(finding: Finding, count_chronic: bool = False) -> bool:
    """A present finding that counts toward a label (chronic-only only under the policy)."""
    return finding.status == "present" and (count_chronic or finding.acuity != "chronic")


def _authority(finding: Finding) -> int:
    return _AUTHORITY.get(finding.section, 2)


def _complete(best: Finding, others: list[Finding]) -> None:
    """Fill an unstated acuity/occlusion from other mentions of the same thrombus.

    "IMPRESSION: Left soleal vein thrombosis." decides the label, and the findings'
    "nonocclusive thrombus in a left soleal vein" still says how it looks. The findings of
    one report are built for it alone, so completing them in place is safe.
    """
    if best.acuity in (None, "unspecified"):
        best.acuity = next((f.acuity for f in others if f.acuity not in (None, "unspecified")), best.acuity)
    if best.occlusion is None:
        best.occlusion = next((f.occlusion for f in others if f.occlusion), None)


def _complete_change(best: Finding, group: list[Finding]) -> None:
    """An unstated change from another mention of the same vein and status: "IMPRESSION: left
    popliteal DVT." decides, and the findings' "stable popliteal thrombus" says it is unchanged."""
    if best.change is None:
        other = next((f for f in group if f.change in FITS.get(best.status, ()) and f.status == best.status), None)
        if other is not None:
            best.change, best.change_cue = other.change, other.change_cue


def consolidate(findings: list[Finding]) -> list[Finding]:
    """The findings that decide the labels: one per (segment, side), by authority then severity.

    Generic (segment-less) findings are kept per (side, status).
    """
    current = [f for f in findings if f.status in CURRENT_STATUSES]
    denied_again = {f.side for f in current if f.segment is None and f.status == "absent" and f.section == "addendum"}
    if denied_again:  # "ADDENDUM: ... represents artifact and there is no thrombus": the re-read undoes a generic claim
        current = [f for f in current if not (f.segment is None and f.side in denied_again and f.status in ("present", "possible") and f.section != "addendum")]
    by_key: dict[tuple[str | None, ...], list[Finding]] = {}
    for f in current:
        key = (f.segment, f.side) if f.segment else (None, f.side, f.status)
        by_key.setdefault(key, []).append(f)
    chosen = []
    for group in by_key.values():
        informative = [f for f in group if f.status != "not_evaluated"]
        group = informative or group  # "not well seen" in the impression does not undo what the findings saw
        best_authority = min(_authority(f) for f in group)
        top = [f for f in group if _authority(f) == best_authority]
        top.sort(key=lambda f: (_STATUS_RANK[f.status], f.acuity == "chronic", f.order))
        best = top[0]
        if best.status == "present":
            _complete(best, [f for f in group if f.status == "present" and f.acuity != "chronic"])
        _complete_change(best, group)
        chosen.append(best)
    return _without_restatements(sorted(chosen, key=lambda f: f.order))


def _without_restatements(findings: list[Finding]) -> list[Finding]:
    """Drop a generic calf finding that only restates a named one of the same side:
    "muscular calf vein thrombosis" beside a soleal/gastrocnemius thrombus, and "calf DVT"
    beside a tibial/peroneal thrombus, "proximal DVT" beside a named thrombosed proximal vein; and a sideless finding of a vein already thrombosed on a
    named side ("Summary: DVT in femoral vein." after "LEFT LEG: FV non-compressible"), or a
    sideless vein-less DVT beside any sided thrombosed vein ("Impression: DVT as described.")."""
    new = [f for f in findings if f.status == "present" and f.acuity != "chronic"]  # old scarring restates no new clot
    muscular = {f.side for f in new if f.segment in ("soleal", "gastrocnemius")}
    axial = {f.side for f in new if f.group == "distal_axial"}
    proximal = {f.side for f in new if f.group == "proximal" and f.segment != "proximal_unspecified"}
    def restated(f: Finding, named: set[Side]) -> bool:
        return f.side in named or (f.side == "unspecified" and bool(named))  # a sideless restatement of a sided vein

    sided = {f.segment for f in new if f.side in ("left", "right")}
    if sided - {None}:
        sided.add(None)  # "Impression: DVT as described." after a sided thrombosed vein

    def sideless_again(f: Finding) -> bool:  # "LEFT LEG: ... FV thrombus ... Summary: DVT in femoral vein."
        return f.side == "unspecified" and f.segment in sided and f.acuity != "chronic"

    return [f for f in findings if not (f.status == "present" and ((f.segment == "muscular_calf" and restated(f, muscular)) or (f.segment == "calf_unspecified" and restated(f, axial)) or (f.segment == "proximal_unspecified" and restated(f, proximal)) or sideless_again(f)))]


def side_label(findings: list[Finding], count_chronic: bool = False) -> Label:
    """The label of one side from its consolidated findings (LABELS.md section 3)."""
    deep = [f for f in findings if f.is_deep]
    positive_groups = {f.group for f in deep if counts_as_thrombus(f, count_chronic)}
    if "proximal" in positive_groups:
        return "PROXIMAL"
    if positive_groups & {"distal_axial", "distal_unspecified"}:
        return "IDDVT"
    if "distal_muscular" in positive_groups:
        return "ICMVT"
    if GENERIC_DEEP_GROUP in positive_groups:
        return "DVT_UNSPECIFIED"
    if any(f.status == "possible" for f in deep):
        return "INDETERMINATE"
    assessed = any(f.status in ("present", "absent") for f in deep)
    if not assessed and any(f.status == "not_evaluated" for f in deep):
        return "INDETERMINATE"
    return "NEGATIVE"


def side_scope(findings: list[Finding]) -> Scope:
    """Which deep veins of a side the exam assessed, from its decisive findings (SURVEILLANCE.md A)::

        limited        some deep vein not assessed      "Right CFV, FV, popliteal compressible; calf veins not seen."
        complete       thigh and calf veins             "Left CFV, FV, popliteal, PTV and peroneal compressible."
        proximal_only  thigh veins, no calf vein        "The right CFV is compressible."
        calf_only      calf veins, no thigh vein        "Left posterior tibial and peroneal veins compressible."
        complete       the leg's deep veins, none named "No DVT in the left leg."
    """
    deep = [f for f in findings if f.is_deep]
    if not deep or any(f.status == "not_evaluated" for f in deep):
        return "limited"
    groups = {f.group for f in deep if f.status in ("present", "absent", "possible")}
    thigh, calf = "proximal" in groups, bool(groups & CALF_GROUPS)
    if thigh != calf:
        return "proximal_only" if thigh else "calf_only"
    return "complete"


def _leg_label(decisive: list[Finding], side: Side, examined: bool, count_chronic: bool) -> Label | None:
    """The label of the left or right leg; None when neither examined nor assessed."""
    own = [f for f in decisive if f.side == side and f.group != "upper"]
    assessed = any(f.status != "not_evaluated" for f in own)  # "left CFV not assessed" alone on a right-leg exam
    return side_label(own, count_chronic) if examined or assessed else None


def _leg_scope(decisive: list[Finding], side: Side, label: Label | None) -> Scope | None:
    return side_scope([f for f in decisive if f.side == side]) if label else None


def classify(findings: list[Finding], examined_sides: Iterable[str], count_chronic: bool = False) -> Classification:
    """Label each side and the report from all findings of a report.

    ``examined_sides`` are the sides whose veins the report says were imaged; a side not in it
    gets a null label. The ``unspecified`` side gets a label only for a present or possible
    deep finding, or a sideless nondiagnostic exam when no side was examined (a sideless
    "No DVT." examines no side; "calf veins not seen" beside examined legs changes nothing).
    """
    decisive = consolidate(findings)
    examined = set(examined_sides)
    left, right = (_leg_label(decisive, side, side in examined, count_chronic) for side in ("left", "right"))
    unspecified = [f for f in decisive if f.side == "unspecified"]
    unspecified_label = side_label(unspecified, count_chronic)
    flagged = any(f.is_deep and f.status in ("present", "possible") for f in unspecified)
    nothing_sided = not (left or right)
    side_labels: SideLabels = {
        "left": left, "right": right,
        "unspecified": unspecified_label if unspecified_label != "NEGATIVE" and (flagged or nothing_sided) else None,
    }
    superficial = [f for f in decisive if f.group == "superficial" and counts_as_thrombus(f)]
    thrombosed = {(f.segment, f.side) for f in superficial}
    near_junction = any(f.junction and counts_as_thrombus(f) and (f.segment, f.side) in thrombosed for f in findings)
    label = most_severe((left, right, side_labels["unspecified"]))
    scope: SideScopes = {
        "left": _leg_scope(decisive, "left", side_labels["left"]),
        "right": _leg_scope(decisive, "right", side_labels["right"]),
        "unspecified": _leg_scope(decisive, "unspecified", side_labels["unspecified"]),
    }
    return Classification(
        label=label,
        side_labels=side_labels,
        scope=scope,
        distal=label in DISTAL_LABELS,
        svt=bool(superficial),
        svt_near_junction=near_junction,
        findings=decisive,
    )


__all__ = ["LABELS", "classify", "side_scope", "consolidate", "side_label", "most_severe", "counts_as_thrombus", "DEEP_GROUPS"]
