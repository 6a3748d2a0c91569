"""Structured truth of a synthetic report and the gold labels computed from it.

The gold follows LABELS.md section 3 and is computed from the sampled truth only,
never from the rendered text. It deliberately re-implements the label precedence instead of
importing pipeline.core.classify, so that a bug there cannot hide in the gold.
"""
from __future__ import annotations

from dataclasses import dataclass, field

SIDES: tuple[str, ...] = ("left", "right")
LABELS: tuple[str, ...] = ("PROXIMAL", "IDDVT", "ICMVT", "DVT_UNSPECIFIED", "INDETERMINATE", "NEGATIVE")
STATUSES: tuple[str, ...] = ("present", "absent", "possible", "not_evaluated")
ACUITIES: tuple[str, ...] = ("acute", "subacute", "chronic", "acute_on_chronic", "unspecified")

# Canonical segments in anatomical (head-to-foot, deep then superficial) order.
GROUP: dict[str, str] = {
    "ivc": "proximal",
    "common_iliac": "proximal",
    "external_iliac": "proximal",
    "internal_iliac": "proximal",
    "common_femoral": "proximal",
    "deep_femoral": "proximal",
    "femoral": "proximal",
    "popliteal": "proximal",
    "proximal_unspecified": "proximal",
    "tibioperoneal_trunk": "distal_axial",
    "posterior_tibial": "distal_axial",
    "peroneal": "distal_axial",
    "anterior_tibial": "distal_axial",
    "calf_unspecified": "distal_unspecified",
    "gastrocnemius": "distal_muscular",
    "soleal": "distal_muscular",
    "muscular_calf": "distal_muscular",
    "great_saphenous": "superficial",
    "small_saphenous": "superficial",
    "superficial_other": "superficial",
}
ORDER: dict[str, int] = {seg: i for i, seg in enumerate(GROUP)}
DEEP_GROUPS = frozenset({"proximal", "distal_axial", "distal_muscular", "distal_unspecified"})


def is_deep(segment: str) -> bool:
    """True for a deep lower-extremity segment."""
    return GROUP[segment] in DEEP_GROUPS


@dataclass(frozen=True)
class Finding:
    """One (segment, side) finding of the current exam, as finally read."""

    segment: str
    side: str  # left / right / unspecified
    status: str = "absent"
    acuity: str = "unspecified"
    occlusion: str | None = None  # occlusive / nonocclusive / None
    near_junction: bool = False  # superficial thrombus at or within 3 cm of the SFJ/SPJ
    note: str | None = None  # wording hint: resolved / stable / new / indeterminate_age
    link: tuple[str, bool] | None = None  # (segment, extends?) said in the same sentence

    @property
    def live(self) -> bool:
        """Present and not chronic-only: counts toward labels with count_chronic off."""
        return self.status == "present" and self.acuity != "chronic"


@dataclass(frozen=True)
class Addendum:
    """An addendum re-reading one finding; `original` is what the body said."""

    kind: str  # upgrade / downgrade
    original: Finding


@dataclass
class Truth:
    """Everything the gold depends on, plus what the renderer must say."""

    laterality: str  # left / right / bilateral
    findings: list[Finding] = field(default_factory=list)
    nondiagnostic: list[str] = field(default_factory=list)  # sides with no deep vein assessable
    dvt_unspecified: list[str] = field(default_factory=list)  # sides with DVT asserted, no segment
    addendum: Addendum | None = None
    comparison: bool = False  # a prior study is compared
    extras: list[tuple[str, str]] = field(default_factory=list)  # (kind, side) mentions that never count
    features: list[str] = field(default_factory=list)

    @property
    def exam_sides(self) -> list[str]:
        return list(SIDES) if self.laterality == "bilateral" else [self.laterality]

    def on(self, side: str) -> list[Finding]:
        """Findings of one side in anatomical order."""
        return sorted((f for f in self.findings if f.side == side), key=lambda f: ORDER[f.segment])

    def feature(self, name: str) -> None:
        if name not in self.features:
            self.features.append(name)


def examined_sides(truth: Truth) -> list[str]:
    """Sides the report examines: the exam's sides plus any side with a finding."""
    seen = set(truth.exam_sides)
    seen.update(f.side for f in truth.findings)
    seen.update(truth.nondiagnostic)
    seen.update(truth.dvt_unspecified)
    return [s for s in (*SIDES, "unspecified") if s in seen]


def side_label(truth: Truth, side: str) -> str:
    """Label of one side per LABELS.md section 3 (count_chronic off)."""
    found = truth.on(side)
    live = {GROUP[f.segment] for f in found if f.live}
    if "proximal" in live:
        return "PROXIMAL"
    if live & {"distal_axial", "distal_unspecified"}:
        return "IDDVT"
    if "distal_muscular" in live:
        return "ICMVT"
    if side in truth.dvt_unspecified:
        return "DVT_UNSPECIFIED"
    if side in truth.nondiagnostic or any(f.status == "possible" and is_deep(f.segment) for f in found):
        return "INDETERMINATE"
    return "NEGATIVE"


def compute_gold(truth: Truth) -> dict:
    """Gold fields (label, side_labels, segments, svt flags) from a truth."""
    examined = examined_sides(truth)
    side_labels = {s: (side_label(truth, s) if s in examined else None) for s in (*SIDES, "unspecified")}
    ranked = [lab for lab in side_labels.values() if lab is not None]
    label = min(ranked, key=LABELS.index) if ranked else "NEGATIVE"
    live = [f for f in truth.findings if f.live]
    svt = [f for f in live if GROUP[f.segment] == "superficial"]
    return {
        "label": label,
        "side_labels": side_labels,
        "positive_segments": sorted({f"{f.side}:{f.segment}" for f in live}),
        "chronic_segments": sorted(
            {f"{f.side}:{f.segment}" for f in truth.findings if f.status == "present" and f.acuity == "chronic"}
        ),
        "svt": bool(svt),
        "svt_near_junction": any(f.near_junction for f in svt),
    }


@dataclass(frozen=True)
class Template:
    """A report layout and what the truth sampler may put in it."""

    name: str
    split: str  # dev / test
    render: object  # Callable[[Truth, Ctx], str]
    protocol: str = "full"  # full / thigh / two_point / three_point / none
    labels: frozenset[str] = frozenset(LABELS)
    unspecified_ok: bool = False  # can say a finding with no side on a bilateral exam
    comparison: str = "no"  # no / ok / required
    addendum: bool = False
    superficial: bool = True
    nondiag_ok: bool = True
    weight: float = 1.0
