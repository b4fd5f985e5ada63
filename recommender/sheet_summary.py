"""The one-page summary a consultation sheet opens with: the best measures and whom to contact, the readiness
gaps in brief and the next steps, in words taken from the consultation (``recommender.consultation``).

Nothing here is new: every line is a count, a title, a status, a department or a gap the consultation holds,
shortened (a gap is named by its first words) and pointing to the part of the sheet that gives it in full.
``recommender.sheets`` writes it into the Word sheet.
"""

from __future__ import annotations

from dataclasses import dataclass

from .consultation import EXPIRED, LEAD, UNREVIEWED, Consultation, MeasureView, ReadinessItem, state_label

SUMMARY_MEASURES = 5  # measures in the summary's table, the best ranked; all of them are in 二、推荐措施
SUMMARY_READINESS = 5  # pending readiness items in the summary's table, the first steps; all are in 三、…
GAP_HEADS = 2  # gaps a readiness row names; the others are counted
HEAD_CHARS = 16  # a gap is named by its first words: at most this many characters
UNLOCK_TITLES = 3  # titles the step about titles names
CONTACTS = 3  # departments a measure's row names (a clause may name seven); 等 when there are more
NO_GAPS = "请对照认定条件准备材料"  # a pending item whose checker gave no gap (as in 三、资质培育行动计划)
CUTS = ("：", "，")  # a gap's name ends at the first of these ("请补充研发费用（万元）：…")
NOT_MET_CHARS = 30  # a gap not met keeps its figure and what is needed: "发明专利 3 项，需 ≥ 4 项"


@dataclass(frozen=True)
class MeasureLine:
    """One measure of the summary's table."""

    rank: int
    title: str
    status: str  # 可申请, 需补充条件 … (``MeasureView.status_label``)
    contact: str  # ``contact_brief``


@dataclass(frozen=True)
class ReadinessLine:
    """One qualification or tax treatment still to be worked on, numbered as in 三、资质培育行动计划."""

    step: int
    name: str
    status: str  # 未满足, 信息不足（待核实） … (``ReadinessItem.status_label``)
    missing: str  # ``gap_brief``


@dataclass(frozen=True)
class Summary:
    """What the first page of a sheet says, in order."""

    overview: str  # how many measures are listed, by status, and where the details are
    measures: list[MeasureLine]  # the first SUMMARY_MEASURES listed
    held: list[str]  # "name（status）" of the readiness items already met or held
    readiness: list[ReadinessLine] | None  # the first pending ones; None when no readiness check was available
    steps: list[str]


def pending(c: Consultation) -> list[ReadinessItem]:
    """The readiness items still to be worked on, in the order of the action plan: titles that would unlock
    measures first, then other titles, then tax treatments ([] without a readiness check); and a title named by
    another one's gaps as the title to win first (专精特新中小企业 asks for 创新型中小企业) comes before it."""
    open_ = (r for r in c.readiness or [] if r.pending)
    items = sorted(open_, key=lambda r: (r.name not in c.unlocking, r.kind != "title"))
    ordered: list[ReadinessItem] = []

    def place(item: ReadinessItem, seen: frozenset[str]) -> None:
        if item in ordered or item.name in seen:  # placed, or a loop in the rules: keep the order above
            return
        for name in item.requires:
            for first in (r for r in items if r.name == name):
                place(first, seen | {item.name})
        ordered.append(item)

    for item in items:
        place(item, frozenset())
    return ordered


def contact_brief(m: MeasureView) -> str:
    """Whom to contact about ``m``, short: its lead departments, else the others it names (the first CONTACTS,
    "等" if there are more), else the issuer (``MeasureView.contact`` gives them all, with 牵头 / 配合)."""
    departments = m.lead_departments or m.other_departments
    if departments:
        return "、".join(departments[:CONTACTS]) + ("等" if len(departments) > CONTACTS else "")
    return f"发文单位：{m.issuer}" if m.issuer else "文件未列明责任部门"


def _head(gap: str, not_met: bool = False) -> str:
    """A gap named by its first words: up to the first of CUTS, at most HEAD_CHARS characters; one cut shorter
    ends in …, before a bracket opened in its second half ("科技小巨人企业的申报条件…", not "…条件（营业…").
    A gap ``not_met`` keeps what is needed (up to its first "：", NOT_MET_CHARS): cut at "，" it named the
    enterprise's own figure alone ("发明专利 3 项" for 需 ≥ 4 项, a break-it trial)."""
    head = gap.removesuffix("（待核实）")
    for mark in CUTS[:1] if not_met else CUTS:
        head = head.split(mark, 1)[0]
    most = NOT_MET_CHARS if not_met else HEAD_CHARS
    if len(head) <= most:
        return head
    cut = head[: most - 1]
    bracket = cut.rfind("（")
    return (cut[:bracket] if bracket >= most // 2 else cut) + "…"


def gap_brief(item: ReadinessItem) -> str:
    """``item``'s gaps in one short line: the first GAP_HEADS named by their first words (those not met before
    those unknown; alternatives, "或：…", left to the details), "等 N 项" when there are more; NO_GAPS when
    the checker gave none."""
    states = item.gap_states if len(item.gap_states) == len(item.gaps) else [""] * len(item.gaps)
    ordered = sorted(zip(item.gaps, states, strict=True), key=lambda gs: gs[1] != "not_met")
    heads = list(dict.fromkeys(_head(g, s == "not_met") for g, s in ordered if not g.startswith("或：")))
    if not heads:
        return NO_GAPS
    more = f" 等 {len(heads)} 项" if len(heads) > GAP_HEADS else ""
    return "；".join(heads[:GAP_HEADS]) + more


def _overview(c: Consultation) -> str:
    scope = c.scope or ""  # the library's reach: a district it does not cover, or whose documents all ended
    if not c.measures:
        return f"在 {c.as_of.isoformat()} 有效的政策中，暂未找到适用于本企业的措施。{scope}"
    table = f"下表为前 {SUMMARY_MEASURES} 条，" if len(c.measures) > SUMMARY_MEASURES else ""
    return f"{listed_counts(c)}。{table}各条的符合依据、尚缺条件和政策出处见第二部分。{scope}"


def listed_counts(c: Consultation) -> str:
    """How many measures in force the sheet lists, by state, and of how many in all when it lists the first ones
    only: "在 2026-12-01 有效的相关措施共 16 条，本单按匹配程度列出前 10 条：可申请 9 条，可关注 1 条" (the
    counts are of those listed: a count of 0 is left out, never said as if of all)."""
    counts = "，".join(f"{state_label(k)} {v} 条" for k, v in c.counts().items() if v)
    day = c.as_of.isoformat()
    if c.in_force > len(c.measures):
        return f"在 {day} 有效的相关措施共 {c.in_force} 条，本单按匹配程度列出前 {len(c.measures)} 条：{counts}"
    return f"按匹配程度列出 {len(c.measures)} 条在 {day} 有效的措施：{counts}"


ENDED_TITLES = 3  # measures an ended document's line names


def ended_lines(c: Consultation) -> list[str]:
    """One line per document of the relevant measures whose document has ended at ``c.as_of``: how many, the
    first ENDED_TITLES by rank, and whom to ask whether it goes on (the departments those measures name, as
    ``contact_brief``, else the issuer)."""
    by_document: dict[str, list[MeasureView]] = {}
    for m in c.expired:
        if m.state == EXPIRED:
            by_document.setdefault(m.result.document.policy_id, []).append(m)
    lines = []
    for measures in by_document.values():
        doc = measures[0].result.document
        named = "、".join(m.title for m in measures[:ENDED_TITLES]) + ("等" if len(measures) > ENDED_TITLES else "")
        departments = list(dict.fromkeys(d for m in measures for d in m.lead_departments or m.other_departments))
        ask = "、".join(departments[:CONTACTS]) + ("等部门" if len(departments) > CONTACTS else "")
        ended = f"{doc.valid_to.isoformat()} 到期" if doc.valid_to else "已到期"
        lines.append(
            f"《{doc.short_title}》（{ended}）{len(measures)} 条：{named}。"
            f"可向{ask or '发文单位' + doc.issuer}咨询是否延续或有新一轮政策。"
        )
    return lines


def _measure_steps(c: Consultation) -> list[str]:
    """The next steps the listed measures ask for, by their display state."""
    counts = c.counts()  # eligible, partial, unknown, lead, unreviewed
    label = {state: f"“{state_label(state)}”" for state in counts}
    eligible, open_ = counts["eligible"], [state for state in ("partial", "unknown") if counts[state]]
    steps = []
    if eligible:
        steps.append(f"申报：{eligible} 条{label['eligible']}，向所列联系部门了解申报时间和材料，以当年申报通知为准。")
    if open_:
        which = "或".join(label[state] for state in open_)
        steps.append(f"补充：{sum(counts[s] for s in open_)} 条{which}，按第二部分各条“尚缺条件”补齐后再核对。")
    if counts[UNREVIEWED]:
        steps.append(f"核实：{counts[UNREVIEWED]} 条{label[UNREVIEWED]}，以原文为准并向所列部门确认。")
    if counts[LEAD]:
        steps.append(f"了解：{counts[LEAD]} 条{label[LEAD]}的措施或线索，系统无法判断能否申报，可联系所列部门了解。")
    if not c.measures:
        steps.append("补充企业信息后可重新匹配；新政策发布后也可再查询。")
    return steps


def _title_steps(c: Consultation, items: list[ReadinessItem]) -> list[str]:
    """The next steps toward titles: those that unlock measures, then the readiness items pending."""
    steps = []
    if c.unlocking:
        named = "、".join(f"{t}（{len(rs)} 条）" for t, rs in list(c.unlocking.items())[:UNLOCK_TITLES])
        others = "等" if len(c.unlocking) > UNLOCK_TITLES else ""
        steps.append(f"培育资质：取得{named}{others}资质后可再申请措施，见第三部分。")
    if items:
        first = f"（上表为前 {SUMMARY_READINESS} 项）" if len(items) > SUMMARY_READINESS else ""
        steps.append(f"资质准备：{len(items)} 项资质或税收优惠尚缺条件{first}，按第三部分的步骤逐项准备。")
    return steps


def _short_titles(measures: list[MeasureView]) -> list[tuple[MeasureView, str]]:
    """Each measure with its title as the summary's table shows it: the clause's own title, short, unless another
    measure of the table has it too; then its heading, which tells them apart (``Clause.heading``)."""
    own = [m.own_title or m.title for m in measures]
    return [(m, title if own.count(title) == 1 else m.title) for m, title in zip(measures, own, strict=True)]


def summary(c: Consultation) -> Summary:
    """The first page of ``c``'s sheet (``Summary``): its overview, the best SUMMARY_MEASURES measures, the
    readiness items held and the first SUMMARY_READINESS pending (numbered as in the action plan), and the
    next steps, the last of which is always to fill in and sign the record (四、辅导记录)."""
    items = pending(c)
    shown = c.measures[:SUMMARY_MEASURES]
    return Summary(
        overview=_overview(c),
        measures=[MeasureLine(m.rank, title, m.status_label, contact_brief(m)) for m, title in _short_titles(shown)],
        held=[f"{r.name}（{r.status_label}）" for r in c.readiness or [] if not r.pending],
        readiness=None
        if c.readiness is None
        else [
            ReadinessLine(i, r.name, r.status_label, gap_brief(r)) for i, r in enumerate(items[:SUMMARY_READINESS], 1)
        ],
        steps=[
            *_measure_steps(c),
            *_title_steps(c, items),
            "记录：在第四部分写下企业诉求和约定的下一步，双方签字。",
        ],
    )
