"""Eligibility conditions proposed from a clause's own words, each with the words it rests on.

A proposal is a ``Condition`` (``corpus_models``) a policy person then accepts, edits or rejects.
Precision comes before recall: a pattern proposes a condition only where the words state it of the
enterprise ("对已认定的高新技术企业…", "职工人数不超过500人", "成立未满三年"), never where they
describe cultivating it ("培育高新技术企业", "申报高新技术企业"). Numbers are the text's own
numbers in the fact's unit (亿元 → 万元 ×10000, % → fraction); nothing is invented.

Free-text conditions for the enterprise to confirm (``confirm``) are not proposed: their wording is
a reviewer's judgement.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from ..corpus_models import Condition
from ..paths import LEXICON
from ..profile import MONEY_FIELDS  # in 万元; the others count people or patents
from ..quantities import QuantityError, numeral
from ..yamlio import load_yaml

SMALL_AND_MEDIUM = ["中型", "小型", "微型"]
_SENTENCE = re.compile(r"[^。；！？]+[。；！？]?")
_NUM = r"(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"


@lru_cache(maxsize=1)
def _lexicon() -> dict:
    data, _ = load_yaml(LEXICON / "conditions.yaml")
    return data


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    """The word lists of ``conditions.yaml`` compiled once (they are read for every sentence)."""
    lex = _lexicon()
    return {
        "cultivation": re.compile("|".join(lex["cultivation_before"])),
        "topic": re.compile("^(?:" + "|".join(lex["title_topic_after"]) + ")"),
        "beneficiary": re.compile("(?:" + "|".join(lex["beneficiary_before"]) + ")"),
        "focus": re.compile("(?:" + "|".join(lex["industry_focus_before"]) + ")"),
    }


@lru_cache(maxsize=1)
def _longest_first(name: str) -> list[tuple[str, Any]]:
    """The (word, meaning) pairs of the ``name`` list of ``conditions.yaml``, longest word first."""
    return sorted(_lexicon()[name].items(), key=lambda kv: -len(kv[0]))


def _number(text: str) -> float | None:
    """An Arabic or Chinese numeral as a number (``quantities.numeral``: 三, 十二, 两百), None if it is not one."""
    try:
        return numeral(text)
    except QuantityError:
        return None


def _sentences(text: str) -> Iterator[str]:
    for m in _SENTENCE.finditer(text):
        if m.group().strip():
            yield m.group().strip()


def _phrase_start(sentence: str, start: int) -> int:
    """Where the comma-delimited phrase holding position ``start`` of ``sentence`` begins."""
    return max(sentence.rfind(c, 0, start) for c in "，。；：") + 1


def _clause_span(sentence: str, start: int, end: int) -> str:
    """The comma-delimited phrase of ``sentence`` around [start, end): the quote a condition rests on."""
    left = _phrase_start(sentence, start)
    rights = [i for i in (sentence.find(c, end) for c in "，。；") if i >= 0]
    return sentence[left : min(rights) if rights else len(sentence)]


def _titles(sentence: str) -> Iterator[Condition]:
    """Titles the enterprise must hold (any_of) or must not hold (none_of, "非高新技术企业")."""
    cultivation, topic, beneficiary = (_patterns()[k] for k in ("cultivation", "topic", "beneficiary"))
    found: dict[str, list[str]] = {}
    quotes: dict[str, str] = {}
    spans: list[tuple[int, int]] = []
    for alias, title in _longest_first("titles"):
        for m in re.finditer(re.escape(alias), sentence):
            if any(s <= m.start() and m.end() <= e for s, e in spans):
                continue  # part of a longer name already read ("专精特新企业" in "专精特新中小企业")
            spans.append((m.start(), m.end()))
            before = sentence[_phrase_start(sentence, m.start()) : m.start()]
            if before.endswith("非"):
                op = "none_of"
            elif topic.match(sentence[m.end() :]) or cultivation.search(before) or not beneficiary.search(before):
                continue
            else:
                op = "any_of"
            names = [title] if isinstance(title, str) else title
            found.setdefault(op, []).extend(n for n in names if n not in found[op])
            quotes.setdefault(op, _clause_span(sentence, m.start(), m.end()))
    for op, titles in found.items():
        yield Condition(field="qualifications", op=op, value=titles, quote=quotes[op])


def _size(sentence: str) -> Iterator[Condition]:
    """ "中小企业" / "中小微企业" named as those served → size_class in 中型/小型/微型."""
    beneficiary, topics = _patterns()["beneficiary"], tuple(_lexicon()["size_topic_after"])
    for m in re.finditer(r"中小微?型?(?:科技)?企业", sentence):
        after = sentence[m.end() : m.end() + 4]
        before = sentence[max(0, m.start() - 12) : m.start()]
        if before.endswith(("大", "科技型", "创新型", "专精特新")) or after.startswith(topics):
            continue
        if beneficiary.search(before) or re.search(r"(需求|成本|负担|发展服务|融资)", sentence[m.end() : m.end() + 12]):
            yield Condition(
                field="size_class", op="in", value=SMALL_AND_MEDIUM, quote=_clause_span(sentence, m.start(), m.end())
            )
            return


def _foreign(sentence: str) -> Iterator[Condition]:
    """ "外商投资企业" / "外资企业" named as those served → foreign_invested is true."""
    m = re.search(r"(为|对|支持|鼓励|服务)[^，。；]{0,8}?(外商投资企业|外资企业)", sentence)
    if m:
        yield Condition(field="foreign_invested", op="is", value=True, quote=_clause_span(sentence, m.start(), m.end()))


_NUMERIC = re.compile(
    r"(?P<field>职工人数|职工总数|从业人员|员工人数|研发人员|科技人员|营业收入|销售收入|主营业务收入|研发投入|研发费用|"
    r"资产总额|发明专利)(?P<gap>[^，。；占比给%\d]{0,8}?)"
    r"(?P<op>不超过|不高于|不少于|不低于|低于|高于|超过|达到|在)?"  # none: its tail says ("1亿元以下")
    r"(?P<num>" + _NUM[1:-1] + r")\s*(?P<unit>亿元|万元|元|人|名|件|项)(?!%)(?P<tail>以上|以下|以内|\(含\)|（含）)?"
)


_TARGET = re.compile(r"(?:到|至)\d{4}年|力争|\d+(?:\.\d+)?[万]?家")
_CHANGE = re.compile(r"新增|增加|减少|增长|增幅|较上年|同比|净增")


_OPS = {"不超过": "lte", "不高于": "lte", "不少于": "gte", "不低于": "gte", "低于": "lt", "高于": "gt", "超过": "gt"}


def _threshold(m: re.Match[str], sentence: str) -> Condition | None:
    """One ``_NUMERIC`` match as a condition in the fact's unit, or None when it states no level."""
    if _CHANGE.search(sentence[max(0, m.start() - 2) : m.start()]) or _CHANGE.search(m.group("gap")):
        return None  # "新增职工人数不少于50人", "营业收入较上年增长超过1000万元": a change, not a level
    field, unit = _lexicon()["numeric_fields"][m.group("field")], m.group("unit")
    value = _number(m.group("num"))
    if value is None or (field in MONEY_FIELDS) != unit.endswith("元"):
        return None  # "营业收入…30人": the number is not the field's
    value *= {"亿元": 10000, "元": 1 / 10000}.get(unit, 1)
    word, tail = m.group("op"), m.group("tail") or ""
    op = _OPS.get(word or "")
    if word in ("达到", "在", None):  # "营业收入1亿元以下", "在500人以内", "达到1000万元"
        op = "lte" if tail in ("以下", "以内") else "gte" if tail == "以上" or word == "达到" else None
    if op is None:
        return None
    return Condition(field=field, op=op, value=value, hard=True, quote=_clause_span(sentence, m.start(), m.end()))


def _numeric(sentence: str) -> Iterator[Condition]:
    """ "职工人数不超过500人", "研发投入不低于1000万元" → a number condition in the fact's unit."""
    if _TARGET.search(sentence):
        return  # "到2025年，营业收入超过100亿元的企业达到10家": the district's target, not a condition
    found = list(_NUMERIC.finditer(sentence))
    if len(found) > 1 and "或" in sentence:
        return  # "职工人数不超过1000人或营业收入不超过4亿元": either is enough, which a rule of all cannot say
    for m in found:
        if (condition := _threshold(m, sentence)) is not None:
            yield condition


def _share(sentence: str) -> Iterator[Condition]:
    """ "研发投入占营业收入比例不低于3%" → rd_ratio gte 0.03."""
    for m in re.finditer(
        r"研发(?:投入|费用)[^，。；]{0,6}?占[^，。；]{0,12}?(?:比例|比重)?(?P<op>不低于|不少于|达到|超过)(?P<num>\d+(?:\.\d+)?)%",
        sentence,
    ):
        op = "gt" if m.group("op") == "超过" else "gte"
        value = round(float(m.group("num")) / 100, 6)
        yield Condition(
            field="rd_ratio", op=op, value=value, hard=True, quote=_clause_span(sentence, m.start(), m.end())
        )


def _age(sentence: str) -> Iterator[Condition]:
    """ "成立未满三年" → age_years lt 3; "成立3年以内" / "成立不超过3年" / "成立未满3年（含）" → lte 3."""
    m = re.search(
        r"(?:成立|注册|设立)(?:时间)?(?P<op>未满|不满|不足|不超过)?"
        + _NUM
        + r"(?:个)?年(?P<tail>以内|内)?(?P<incl>[（(]含[）)])?",
        sentence,
    )
    if not m or not (m.group("op") or m.group("tail")):
        return
    value = _number(m.group(2))
    if value is None or not 0 < value < 100:
        return  # "注册在2020年以后" is a year, not an age
    op = "lt" if m.group("op") in ("未满", "不满", "不足") and not m.group("incl") else "lte"
    yield Condition(field="age_years", op=op, value=value, hard=True, quote=_clause_span(sentence, m.start(), m.end()))


FIRST_HNTE_ASSUMED = "原文未规定期限，按首次认定后一年内理解，以主管部门申报通知为准"


def _hnte_first(sentence: str) -> Iterator[Condition]:
    """ "首次认定…的高新技术企业" → recognised as HNTE within the last year (soft; unknown if not). The year
    is this reading's, not the policy's: the condition says so (``assumed``, shown as 待核实)."""
    m = re.search(r"首次(?:认定|获评|通过认定)[^，。；]{0,10}?(?:的)?高新技术企业", sentence)
    # "首次认定和重新认定的高新技术企业": those renewed too, not the first recognition only
    renewed = re.search(r"首次(?:认定|获评|通过认定)[和及与、或]\s*(?:重新认定|复审|再次认定)", sentence)
    if m and not renewed and not re.search(r"(培育|申报|争取|力争)", sentence[max(0, m.start() - 6) : m.start()]):
        yield Condition(
            field="hnte_age_years",
            op="lte",
            value=1,
            otherwise="unknown",
            quote=_clause_span(sentence, m.start(), m.end()),
            assumed=FIRST_HNTE_ASSUMED,
        )


def _outside(sentence: str, regions: list[str]) -> Iterator[Condition]:
    """ "区外…企业", "异地…企业迁入" in a district's document → registered outside that district now."""
    if len(regions) != 1:
        return
    m = re.search(r"(区外|异地|外省市|外区)[^，。；]{0,8}?(企业|机构)", sentence)
    if m:
        yield Condition(
            field="region", op="not_in", value=list(regions), quote=_clause_span(sentence, m.start(), m.end())
        )


def _industries(sentence: str) -> Iterator[Condition]:
    """An industry the clause is for ("支持生物医药创新成果落地", "重点发展基础及应用软件") → industry in …."""
    focus = _patterns()["focus"]
    hits: dict[str, str] = {}
    for word, category in _longest_first("industry_words"):
        for m in re.finditer(re.escape(word), sentence):
            if sentence[m.end() : m.end() + 4].startswith(("业协会", "协会", "机构")):
                continue  # an association or an institution, not an industry
            if focus.search(sentence[max(0, m.start() - 10) : m.start()]) and category not in hits:
                hits[category] = _clause_span(sentence, m.start(), m.end())
    if hits:
        yield Condition(field="industry", op="in", value=list(hits), quote=next(iter(hits.values())))


_AMOUNT = re.compile(r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)万?元")
_RAISED = re.compile(r"提高至|提高到|增加至|增加到|增至|上浮|翻倍|再给予|另给予|额外给予")


def _higher_tier(sentence: str, quote: str | None) -> bool:
    """Whether the words ``quote`` rests on only raise an amount already given to a wider group ("给予20万元奖励，
    成立不满3年的企业奖励30万元", "其中成立未满三年的，奖励提高至30万元"): a bonus, not a condition of the
    measure (proposed as one, it shut the older firms out of the base reward)."""
    at = sentence.find(quote) if quote else -1
    if at < 0:
        return False
    before, after = sentence[:at], sentence[at:]
    if sentence.lstrip().startswith("其中"):  # a sentence of its own after "；": a part of the group before
        return bool(_AMOUNT.search(after))
    given = bool(_AMOUNT.search(before))  # an amount already given earlier in the sentence
    return given and (bool(_AMOUNT.search(quote or "")) or bool(_RAISED.search(after)))


def propose_conditions(text: str, regions: list[str] | None = None) -> list[Condition]:
    """The conditions ``text`` states of the enterprise, one per field and operator, first quote kept.

    ``regions``: the document's districts (a "区外企业" condition needs the district named). Returns
    ``Condition`` objects: stated thresholds and age limits hard, "首次认定" soft (unknown when not
    met), the rest with the field's defaults. Patterns and word lists: ``policies/lexicon/conditions.yaml``.
    """
    out: dict[tuple[str, str], Condition] = {}
    for sentence in _sentences(text):
        for proposer in (_titles, _size, _foreign, _numeric, _share, _age, _hnte_first, _industries):
            for cond in proposer(sentence):
                if not _higher_tier(sentence, cond.quote):
                    out.setdefault((cond.field, cond.op), cond)
        for cond in _outside(sentence, regions or []):
            out.setdefault((cond.field, cond.op), cond)
    return list(out.values())


# what a scope article (适用范围, 支持对象) says the document is for: "本办法适用于……的人工智能企业"
_SCOPE = re.compile(r"(?:适用于|(?:适用|支持|扶持)对象[为是]|支持范围为)(?P<who>[^。；]+)")
_PRIORITY = re.compile(r"[，,]?(?:重点|优先|鼓励|特别是|尤其是|尤其)")
_EVERY = re.compile(r"各类|各种|各行业|所有|全部|一切")
SCOPE_QUOTE = "适用范围"  # how a condition taken from the document's scope is cited ("适用范围：……")


def propose_scope_conditions(text: str, regions: list[str] | None = None) -> list[Condition]:
    """The conditions a scope article (``text``) states of every enterprise the document covers, for each of its
    measures: those ``propose_conditions`` finds in a sentence saying 适用于 / 支持对象为, and the industries
    named after those words, which need no word such as 支持 before them (the phrase says whom the document is
    for: "适用于……具有独立法人资格的人工智能企业" → industry in [人工智能]). The district is the document's
    area already. Each quote is "适用范围：" and the words it rests on. [] when the text names no one."""
    out: dict[tuple[str, str], Condition] = {}
    for sentence in _sentences(text):
        m = _SCOPE.search(sentence)
        if m is None:
            continue
        who = _PRIORITY.split(m.group("who"), maxsplit=1)[0]  # "重点支持人工智能" is a priority, not a limit
        found = propose_conditions(sentence[: m.start("who")] + who, regions)
        hits = {category: word for word, category in _longest_first("industry_words") if word in who}
        if hits and not _EVERY.search(who):  # "各类企业" is every enterprise whatever words follow
            found.append(Condition(field="industry", op="in", value=list(hits), quote=who))
        for cond in found:
            quoted = cond.model_copy(update={"quote": f"{SCOPE_QUOTE}：{cond.quote or who}"})
            out.setdefault((cond.field, cond.op), quoted)
    return list(out.values())
