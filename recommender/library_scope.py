"""What the policy library covers: which districts and parks, which documents, and whether each is in force.

A result list is only as wide as the library: an enterprise in a district no document covers sees
few or no measures, and must be told why rather than shown an empty list. Pages, the command line
and sheets read the same words from here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from .corpus import validity
from .corpus_models import DocumentMeta, PolicyFile
from .text_clean import fold
from .vocab import REGIONS

OUTSIDE = "上海市外"
VALIDITY_LABELS = {"in_force": "有效", "ended": "已到期", "not_yet": "尚未生效"}


@dataclass(frozen=True)
class DocumentScope:
    """One document of the library as the coverage panel lists it."""

    policy_id: str
    title: str
    short_title: str
    issuer: str
    doc_number: str | None
    area: str  # 浦东新区 / 张江高新区（张江、漕河泾…） / 全市
    valid_from: dt.date
    valid_to: dt.date | None
    validity: str  # in_force | not_yet | ended at the as-of date
    measures: int  # measures and leads an enterprise may be shown

    @property
    def validity_label(self) -> str:
        """有效 / 已到期 / 尚未生效 at the as-of date."""
        return VALIDITY_LABELS[self.validity]

    @property
    def period(self) -> str:
        """ "2023-05-08 至 2025-12-31", or "2022-03-17 起（未规定截止日期）"."""
        if self.valid_to is None:
            return f"{self.valid_from.isoformat()} 起（未规定截止日期）"
        return f"{self.valid_from.isoformat()} 至 {self.valid_to.isoformat()}"


def area_of(doc: DocumentMeta) -> str:
    """Where a document applies, in words: its districts, its zone and parks, or 全市 when it names neither."""
    where = doc.applies_to
    parts = list(where.regions)
    if where.parks:
        parks = "、".join(where.parks)
        parts.append(f"{where.zone}（按所在园区：{parks}等）" if where.zone else f"园区：{parks}")
    return "、".join(parts) or "全市"


def library_scope(policies: Iterable[PolicyFile], as_of: dt.date) -> list[DocumentScope]:
    """Every document of the library with its area and its validity at ``as_of``, in corpus order."""
    return [
        DocumentScope(
            policy_id=p.document.policy_id,
            title=p.document.title,
            short_title=p.document.short_title,
            issuer=p.document.issuer,
            doc_number=p.document.doc_number,
            area=area_of(p.document),
            valid_from=p.document.valid_from,
            valid_to=p.document.valid_to,
            validity=validity(p.document, as_of),
            measures=sum(c.kind != "internal" for c in p.clauses),
        )
        for p in policies
    ]


def covered_districts(documents: Iterable[DocumentMeta]) -> list[str]:
    """The districts documents name as their area, in the usual order of districts."""
    named = {r for d in documents for r in d.applies_to.regions}
    return [r for r in REGIONS if r in named]


def _zones(documents: list[DocumentMeta]) -> str:
    """The park-based documents' zones and parks: "张江高新区（本库可识别的园区：张江、漕河泾、金桥、紫竹）"."""
    by_zone: dict[str, list[str]] = {}
    for d in documents:
        if d.applies_to.parks and not d.applies_to.regions:
            parks = by_zone.setdefault(d.applies_to.zone or "部分园区", [])
            parks += [p for p in d.applies_to.parks if p not in parks]
    return "；".join(f"{zone}（本库可识别的园区：{'、'.join(parks)}）" for zone, parks in by_zone.items())


ENDED_SECTION = "上一轮政策已到期"  # the pages' section of ended documents' measures


def _ended_note(region: str, own: list[DocumentMeta], as_of: dt.date, by_park: list[DocumentMeta]) -> str | None:
    """When every document of ``region`` is out of force at ``as_of``: which ended or starts, when; and the
    documents in force that apply through the enterprise's park (``by_park``)."""
    states = {d.policy_id: validity(d, as_of) for d in own}
    if "in_force" in states.values():
        return None
    ended = [d for d in own if states[d.policy_id] == "ended"]
    said = [f"《{d.short_title}》{d.valid_to.isoformat()} 到期" for d in ended if d.valid_to]
    said += [f"《{d.short_title}》{d.valid_from.isoformat()} 起施行" for d in own if states[d.policy_id] == "not_yet"]
    text = f"本库收录的{region}政策文件在 {as_of.isoformat()} 均不在有效期内（{'；'.join(said)}）。"
    text += "已到期文件的措施属上一轮政策，可向发文部门咨询是否延续。" if ended else ""
    park = "、".join(f"《{d.short_title}》" for d in by_park if validity(d, as_of) == "in_force")
    return text + (f"按所在园区适用的{park}仍在有效期内。" if park else "")


def district_brief(
    region: str, documents: Iterable[DocumentMeta], as_of: dt.date, park: str | None = None
) -> str | None:
    """``district_note`` in one sentence, for a printed page or a spreadsheet cell (None when it says nothing):
    the district not covered, or its documents all out of force at ``as_of``; the documents are named on the
    pages and in the sheet's list of ended measures."""
    documents = list(documents)
    if district_note(region, documents, as_of, park) is None:
        return None
    if any(region in d.applies_to.regions for d in documents):
        return f"本库收录的{region}政策文件在 {as_of.isoformat()} 均不在有效期内，已到期的可向发文部门咨询是否延续。"
    if region == OUTSIDE:
        return "本库只收录上海市的政策文件，没有上海市外的。"
    return f"本库暂未收录{region}的政策文件，结果不含{region}本区的扶持措施，请向当地主管部门咨询。"


def _by_park(documents: list[DocumentMeta], park: str | None) -> list[DocumentMeta]:
    """The park-based documents whose parks the enterprise's park names (folded: 張江 is 张江)."""
    if not park:
        return []
    return [d for d in documents if any(fold(p) in fold(park) for p in d.applies_to.parks)]


def _park_words(mine: list[DocumentMeta], as_of: dt.date, ask: bool) -> str:
    """What the enterprise's park brings: the park-based documents that apply, in force or ended; else, when
    ``ask``, to fill in the park."""
    live = "、".join(f"《{d.short_title}》" for d in mine if validity(d, as_of) == "in_force")
    ended = "、".join(f"《{d.short_title}》" for d in mine if validity(d, as_of) == "ended")
    said = f"。按企业所在园区适用的{live}已列入结果" if live else ""
    said += f"。按所在园区适用的{ended}已到期（上一轮政策）" if ended else ""
    return said or ("。若企业位于上述园区内，请填写“所在园区”" if ask else "")


def district_note(
    region: str, documents: Iterable[DocumentMeta], as_of: dt.date, park: str | None = None
) -> str | None:
    """What to tell an enterprise of ``region`` (in ``park``) about the library's reach, or None when its
    district is covered by a document in force: "本库暂未收录黄浦区的政策文件……" when no document names it,
    or which of its district's documents ended (or start) when all are out of force at ``as_of``."""
    documents = list(documents)
    if any(not d.applies_to.regions and not d.applies_to.parks for d in documents):  # a city-wide document
        return None
    own = [d for d in documents if region in d.applies_to.regions]
    if own:
        return _ended_note(region, own, as_of, _by_park(documents, park))
    districts = "、".join(r for r in covered_districts(documents) if r != OUTSIDE) or "无"
    zones = _zones(documents)
    library = f"已收录的区级文件：{districts}" + (f"；按园区适用的文件：{zones}" if zones else "")
    if region == OUTSIDE:
        head = "本库只收录上海市的政策文件，没有上海市外的"
    else:
        head = f"本库暂未收录{region}的政策文件，下面的结果不含{region}本区的扶持措施"
    park = _park_words(_by_park(documents, park), as_of, ask=bool(zones) and region != OUTSIDE)
    return f"{head}（{library}）{park}。{region}的政策请向当地主管部门咨询。"
