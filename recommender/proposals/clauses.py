"""Proposals for the clauses of a document no person has curated: kind, benefits, audience,
departments and eligibility conditions, each marked unreviewed.

Kind and benefits come from the tagger trained on the curated corpus (``tagger.ClauseTagger``);
conditions from the clause's own words (``conditions.propose_conditions``); departments from the
"（牵头部门：…）" note the ingest already reads, or from "由区科经委负责" in the text; audience from
the enterprises a sentence names after 对/为/支持/鼓励.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..corpus_models import Clause, Condition
from ..paths import LEXICON
from ..tagger import ClauseTagger
from ..vocab import PROPOSED_NOTE
from ..yamlio import load_yaml
from .conditions import propose_conditions, propose_scope_conditions

_DEPARTMENT = re.compile(
    r"(?:由|请|向)?(?P<name>(?:区|市)[\u4e00-\u9fa5]{1,10}?(?:委员会|管委会|委|局|办公室|办|中心))(?:牵头|负责|受理|会同)"
)
_AUDIENCE = re.compile(r"(?:对|为|支持|鼓励|引导|针对|帮助)(?P<who>[^，。；、“”]{1,14}?(?:企业|团队|人才|机构|主体))")
MAX_AUDIENCE = 3


@dataclass
class ClauseProposal:
    """What the product proposes for one clause; each field is one proposal a reviewer decides on."""

    kind: str
    benefits: list[str] = field(default_factory=list)
    audience: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    eligibility: list[Condition] = field(default_factory=list)

    def as_dict(self) -> dict:
        """JSON-ready, conditions as ``{field, op, value, quote}`` (the ``add-document`` contract)."""
        return {
            "kind": self.kind,
            "benefits": list(self.benefits),
            "audience": list(self.audience),
            "departments": list(self.departments),
            "eligibility": [c.model_dump(mode="json", exclude_defaults=True) for c in self.eligibility],
        }


def departments_of(clause: Clause) -> list[str]:
    """The departments a clause names: its "（牵头部门：…）" note, else "由区科经委负责"-style mentions."""
    if clause.departments:
        return list(clause.departments)
    return list(dict.fromkeys(m.group("name") for m in _DEPARTMENT.finditer(clause.text)))


def audience_of(text: str) -> list[str]:
    """Up to ``MAX_AUDIENCE`` enterprises the text names as served ("对新引进的研发机构" → 新引进的研发机构)."""
    found = [m.group("who") for m in _AUDIENCE.finditer(text)]
    return list(dict.fromkeys(w for w in found if len(w) >= 3))[:MAX_AUDIENCE]


@lru_cache(maxsize=1)
def _kind_cues() -> dict[str, re.Pattern[str]]:
    data, _ = load_yaml(LEXICON / "kinds.yaml")
    return {
        "internal_start": re.compile("|".join(data["internal"]["starts"])),
        "internal_head": re.compile("|".join(data["internal"]["heads"])),
        "internal_title": re.compile("|".join(data["internal"]["titles"])),
        "internal_chapter": re.compile(data["internal"]["chapters"]),
        "measure_head": re.compile("|".join(data["measure"]["heads"])),
        "gives": re.compile(data["measure"]["gives"]),
        "benefit": re.compile(data["benefit_words"]),
    }


def kind_by_layout(clause: Clause) -> str | None:
    """The kind a rules-style document's layout settles ("第一条 为了…，根据《…》，制定本办法", "第二条 适用范围",
    any article of 第一章 总则 or 附则 → internal; "支持对象" or "对…企业给予…奖励" → measure), None when it
    settles nothing. Cues: ``lexicon/kinds.yaml``."""
    cue = _kind_cues()
    if clause.chapter and cue["internal_chapter"].search(clause.chapter):
        return "internal"  # 总则 and 附则: purpose, scope, definitions, interpretation, entry into force
    head = f"{clause.title or ''}{clause.text[:30]}"
    housekeeping = (
        cue["internal_start"].search(clause.text)
        or cue["internal_head"].search(head)
        or (clause.title and cue["internal_title"].search(clause.title))
    )
    if housekeeping and not cue["benefit"].search(clause.text[:40]):
        return "internal"
    if cue["measure_head"].search(head) or cue["gives"].search(clause.text):
        return "measure"
    return None


_SCOPE_TITLE = re.compile(r"适用范围|适用对象|支持对象|扶持对象|支持范围")


def scope_conditions(clauses: list[Clause], kinds: list[str], regions: list[str]) -> list[Condition]:
    """What the document's scope articles (internal, titled 适用范围 / 支持对象 …, or saying "本办法适用于…")
    ask of every enterprise it covers (``conditions.propose_scope_conditions``), first statement kept."""
    found: dict[tuple[str, str], Condition] = {}
    for clause, kind in zip(clauses, kinds, strict=True):
        if kind == "internal" and (
            _SCOPE_TITLE.search(clause.title or "")
            or _SCOPE_TITLE.search(clause.text[:12])
            or "适用于" in clause.text[:12]
        ):
            for cond in propose_scope_conditions(clause.text, regions):
                found.setdefault((cond.field, cond.op), cond)
    return list(found.values())


def propose_clauses(clauses: list[Clause], tagger: ClauseTagger, regions: list[str]) -> list[ClauseProposal]:
    """One proposal per clause, in order: the kind its layout settles, else the tagger's. ``regions``:
    the document's districts (for "区外企业"). A measure's or lead's conditions are those its own words state,
    then those the document's scope states of every enterprise (``scope_conditions``: an AI-only document's
    measures ask for an AI enterprise), each quoting its words for the reviewer."""
    predicted = tagger.predict(clauses)
    kinds = [kind_by_layout(clause) or learned for clause, (learned, _) in zip(clauses, predicted, strict=True)]
    scope = scope_conditions(clauses, kinds, regions)
    out = []
    for clause, kind, (_, benefits) in zip(clauses, kinds, predicted, strict=True):
        shown = kind != "internal"
        own = propose_conditions(clause.text, regions) if shown else []
        stated = {(c.field, c.op) for c in own}
        out.append(
            ClauseProposal(
                kind=kind,
                benefits=benefits,
                audience=audience_of(clause.text) if shown else [],
                departments=departments_of(clause),
                eligibility=own + [c for c in scope if shown and (c.field, c.op) not in stated],
            )
        )
    return out


def apply_proposal(clause: Clause, proposal: ClauseProposal) -> Clause:
    """The clause carrying ``proposal`` as its (unreviewed) kind, benefits, audience, departments and rule."""
    return clause.model_copy(
        update={
            "kind": proposal.kind,
            "benefits": list(proposal.benefits),
            "audience": list(proposal.audience),
            "lead_departments": list(proposal.departments),
            "support_departments": [],
            "eligibility": list(proposal.eligibility),
            "note": PROPOSED_NOTE,
            "curated": False,
        },
        deep=True,
    )
