"""Plain, typed data passed between the spaCy adapter and the pure decision logic.

Nothing here imports spaCy: the resolver and the classifier work on these values only,
so they can be tested with hand-made inputs and serialised as plain dicts.
"""
from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import TYPE_CHECKING, Any, Callable, Generic, Literal, TypeVar, get_args

if TYPE_CHECKING:
    from .change import Change
    from .record import FindingRecord, ModifierRecord, SideLabels, SideScopes, SpanRecord

# The values of the record's fields (LABELS.md), each list written once; the tuples are read from the types.
Side = Literal["left", "right", "unspecified"]
Label = Literal["PROXIMAL", "IDDVT", "ICMVT", "DVT_UNSPECIFIED", "INDETERMINATE", "NEGATIVE"]
Status = Literal["present", "absent", "possible", "historical", "hypothetical", "indication", "not_evaluated"]
Acuity = Literal["acute", "subacute", "chronic", "acute_on_chronic", "unspecified"]
Occlusion = Literal["occlusive", "nonocclusive"]
Group = Literal["proximal", "distal_axial", "distal_muscular", "distal_unspecified", "deep_unspecified", "superficial", "upper"]
Section = Literal["exam", "indication", "comparison", "technique", "preliminary", "findings", "impression", "addendum", "plan"]
MentionKind = Literal["segment", "generic_deep", "nonvenous", "side", "thrombus", "normal", "unassessable", "assessable", "explanation"]
Scope = Literal["complete", "proximal_only", "calf_only", "limited"]

SIDES: tuple[Side, ...] = get_args(Side)
LABELS: tuple[Label, ...] = get_args(Label)  # most severe first (LABELS.md section 3)
DVT_LABELS: frozenset[Label] = frozenset(LABELS[:4])
DISTAL_LABELS: frozenset[Label] = frozenset({"IDDVT", "ICMVT"})
STATUSES: tuple[Status, ...] = get_args(Status)
ACUITIES: tuple[Acuity, ...] = get_args(Acuity)
OCCLUSIONS: tuple[Occlusion, ...] = get_args(Occlusion)
GROUPS: tuple[Group, ...] = get_args(Group)
SECTIONS: tuple[Section, ...] = get_args(Section)
MENTION_KINDS: tuple[MentionKind, ...] = get_args(MentionKind)
SCOPES: tuple[Scope, ...] = get_args(Scope)

DEEP_GROUPS: tuple[Group, ...] = GROUPS[:4]  # the groups of named deep veins (LABELS.md section 1)
GENERIC_DEEP_GROUP: Group = "deep_unspecified"  # a deep-vein finding with no resolvable segment
WHOLE_DEEP = "whole_deep"  # the value of a generic deep mention naming all the deep veins of a leg
WHOLE_DEEP_SEGMENTS: dict[str, Group] = {"proximal_unspecified": "proximal", "calf_unspecified": "distal_unspecified"}  # a thrombus there fills both regions
T = TypeVar("T")


class once(Generic[T]):
    """``functools.cached_property`` without its lock (Python < 3.12 takes one lock shared by every
    instance on each first access): computed on first access, then read from the instance."""

    def __init__(self, func: Callable[..., T]) -> None:
        self.func = func
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: object, owner: type | None = None) -> T:
        if instance is None:
            return self  # type: ignore[return-value]
        value = instance.__dict__[self.name] = self.func(instance)
        return value


def quick_init(cls: type[T]) -> type[T]:
    """Give a frozen dataclass an ``__init__`` that fills ``__dict__`` in one step instead of one
    ``object.__setattr__`` per field (5 µs per Mention, built some 20 times per report); same
    parameters, defaults (immutable only) and resulting instance."""
    spec = fields(cls)  # type: ignore[arg-type]  # T is a dataclass by contract
    names = [f.name for f in spec]
    assert all(f.default_factory is MISSING for f in spec), cls
    defaults = {f"_d_{f.name}": f.default for f in spec if f.default is not MISSING}
    params = ", ".join(n if f"_d_{n}" not in defaults else f"{n}=_d_{n}" for n in names)
    body = ", ".join(f"{n!r}: {n}" for n in names)
    namespace: dict[str, Any] = {}
    exec(f"def __init__(self, {params}):\n    self.__dict__.update({{{body}}})", defaults, namespace)  # noqa: S102
    namespace["__init__"].__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = namespace["__init__"]  # type: ignore[method-assign]
    return cls


@quick_init
@dataclass(frozen=True)
class TextSpan:
    """A character span of the original text."""

    start: int
    end: int
    text: str

    def as_dict(self) -> SpanRecord:
        return {"start": self.start, "end": self.end, "text": self.text}


@quick_init
@dataclass(frozen=True)
class Modifier:
    """A ConText modifier (negation, uncertainty, acuity, ...) that reached a target."""

    category: str
    start: int
    end: int
    text: str
    tok_start: int
    tok_end: int
    change: Change | None = None  # the interval change its rule states, when not its category's (``change.py``)

    def as_dict(self) -> ModifierRecord:
        return {"category": self.category, "start": self.start, "end": self.end, "text": self.text}


@quick_init
@dataclass(frozen=True)
class Mention:
    """A matched target: a vein segment, a generic deep-vein reference, a non-venous look-alike,
    a thrombus or normal cue, or a side word.

    ``kind`` is a :data:`MentionKind`: a vein (segment, generic_deep), a look-alike (nonvenous),
    a side word, or a cue (thrombus, normal, unassessable, assessable, explanation).
    ``value`` is the canonical segment, side, or cue phrase; ``group`` the segment group.
    Cues may carry a fixed ``acuity``/``occlusion``; segments a ``junction`` flag (SFJ/SPJ).
    """

    kind: MentionKind
    value: str
    start: int
    end: int
    text: str
    tok_start: int
    tok_end: int
    group: Group | None = None
    acuity: Acuity | None = None
    occlusion: Occlusion | None = None
    junction: bool = False
    implies: str | None = None
    disease: bool = False  # a cue that names the disease ("DVT", "thrombus"), not a sonographic sign
    modifiers: tuple[Modifier, ...] = ()
    covers: tuple[tuple[str, Group], ...] = ()  # a compound name's veins, (segment, group): "iliofemoral"
    change: Change | None = None  # an interval change the cue states by itself ("now compressible")

    @property
    def span(self) -> TextSpan:
        return TextSpan(self.start, self.end, self.text)

    @property
    def not_current(self) -> bool:
        """A modifier puts it in another study or a plan ("h/o", "described", "r/o")."""
        return any(m.category in ("HISTORICAL", "HYPOTHETICAL") for m in self.modifiers)


@quick_init
@dataclass(frozen=True)
class Sentence:
    """One sentence with everything the resolver needs to know about it."""

    start: int
    end: int
    tok_start: int
    tok_end: int
    section: Section
    heading_side: Side | None  # side set by a heading such as "LEFT LEG:"
    paragraph: int  # index of the blank-line-separated block
    section_index: int  # which section (header) of the report the sentence stands in
    tokens: tuple[str, ...]  # lower-cased token texts of the sentence, for clause logic
    mentions: tuple[Mention, ...]
    later_exam: int | None = None  # where it starts telling a later exam than the text before ("a repeat duplex showed ...")
    confirms: bool = False  # ... that confirms what they told ("a formal US confirmed the DVT")
    names_study: bool = False  # it names an imaging study ("duplex", "ultrasound", ...)

    @once
    def named_tokens(self) -> frozenset[int]:
        """Token positions covered by vein and side mentions (computed once per sentence)."""
        return frozenset(i for m in self.mentions if m.kind in ("segment", "generic_deep", "side") for i in range(m.tok_start, m.tok_end))

    @once
    def side_tokens(self) -> frozenset[int]:
        """Token positions covered by side mentions (computed once per sentence)."""
        return frozenset(i for m in self.mentions if m.kind == "side" for i in range(m.tok_start, m.tok_end))


@dataclass
class Finding:
    """A (segment, side) assertion with its evidence."""

    segment: str | None  # None: DVT asserted or denied with no resolvable segment
    group: Group
    side: Side
    status: Status
    acuity: Acuity | None
    occlusion: Occlusion | None
    section: Section
    anchor: TextSpan
    cue: TextSpan | None
    sentence: tuple[int, int]
    modifiers: tuple[Modifier, ...] = ()
    junction: bool = False
    order: int = 0  # position in the report, for stable output
    change: Change | None = None  # interval change against the comparison study (``change.py``)
    change_cue: TextSpan | None = None
    prior: Status | None = None  # a historical finding: what the other exam showed (present / absent), when its cue says

    @property
    def is_deep(self) -> bool:
        return self.group in DEEP_GROUPS or self.group == GENERIC_DEEP_GROUP

    def as_dict(self) -> FindingRecord:
        return {
            "segment": self.segment,
            "group": self.group,
            "side": self.side,
            "status": self.status,
            "acuity": self.acuity,
            "occlusion": self.occlusion,
            "change": self.change,
            "section": self.section,
            "evidence": {
                **self.anchor.as_dict(),
                "cue": self.cue.as_dict() if self.cue else None,
                "sentence": {"start": self.sentence[0], "end": self.sentence[1]},
                "modifiers": [m.as_dict() for m in self.modifiers],
                "change_cue": self.change_cue.as_dict() if self.change_cue else None,
            },
        }


@dataclass
class Classification:
    """The report-level outcome of LABELS.md section 3."""

    label: Label
    side_labels: SideLabels  # None for a side the report does not examine
    scope: SideScopes  # which deep veins of an examined side were assessed
    distal: bool
    svt: bool
    svt_near_junction: bool
    findings: list[Finding] = field(default_factory=list)
