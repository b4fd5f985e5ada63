"""Fields pulled out of clause text: responsible departments and quantitative targets."""

from __future__ import annotations

import re

from ..corpus_models import Target

DEPT_NOTE = re.compile(
    r"[（(](?:牵头部门|牵头单位|责任单位|责任部门)[：:](?P<lead>[^；;]+?)"
    r"(?:[；;](?:配合部门|配合单位)[：:](?P<support>.+?))?[）)]\s*$"
)
COMPLETE_NAME = re.compile(r"^(区|各|市|公安|金山|相关)\S*(局|委|办|中心|会|镇|园区|部|院)$")
_NO_DISTRICT_PREFIX = ("区", "市", "各", "自贸", "度假", "张江", "临港", "公安", "金山", "相关", "科协", "管理局")
_TARGET = re.compile(
    r"(?P<op>不少于|不低于|超过|超|达到|达|突破)(?P<num>\d+(?:\.\d+)?)"
    r"(?P<unit>万平方米|亿元|万户|万人|万|家|个|件|场|名|人|户|次|亿|%)(?P<tail>以上|左右)?"
)
_OPS = {"不少于": ">=", "不低于": ">=", "超过": ">", "超": ">", "突破": ">", "达到": ">=", "达": ">="}


def with_district(name: str) -> str:
    """ "商务委" in a list headed by "区科经委" means "区商务委"."""
    if name.endswith(("委", "局", "办", "部")) and (
        name.startswith("市场") or not name.startswith(_NO_DISTRICT_PREFIX)
    ):
        return "区" + name
    return name


def split_department_note(text: str) -> tuple[str, list[str], list[str]]:
    """Take "（牵头部门：…；配合部门：…）" (or 责任单位 / 牵头单位, half-width brackets) off the end of an article."""
    m = DEPT_NOTE.search(text)
    if not m:
        return text, [], []
    lead = [with_district(d) for d in re.split(r"[、，]", m.group("lead")) if d]
    support = [with_district(d) for d in re.split(r"[、，]", m.group("support") or "") if d]
    return text[: m.start()].rstrip(), lead, support


def _bare(name: str) -> str:
    return name[1:] if name.startswith("区") and len(name) > 2 else name


def _mend_one(fragment: str, known: set[str]) -> list[str] | None:
    bare = {_bare(k): k for k in sorted(known, reverse=True)}  # sorted: the same answer on every run
    frag = _bare(fragment)
    if frag in bare:
        return [bare[frag]]
    for test in (
        lambda b: b.startswith(frag),  # cut at the end: "财" → 区财政局
        lambda b: b.endswith(frag),  # cut at the start
        lambda b: len(frag) >= 3 and b[0] == frag[0] and b.endswith(frag[-2:]),  # "自理局"
    ):
        hits = [k for b, k in bare.items() if test(b)]
        if len(hits) == 1:
            return hits
    heads = [b for b in bare if frag.startswith(b) and b != frag]
    if heads:  # two names run together, the second cut short: "区教育局各管理局"
        head = max(heads, key=len)
        rest = _mend_one(frag[len(head) :], known)
        return [bare[head], *rest] if rest is not None else None
    tails = [b for b in bare if frag.endswith(b) and b != frag]
    if tails:  # two names run together, the first cut short: "自贸区各度假区管委会"
        tail = max(tails, key=len)
        head = _mend_one(frag[: -len(tail)], known) if frag[: -len(tail)] else []
        return (head or []) + [bare[tail]] if head is not None else None
    return None


def repair_departments(names: list[str], known: set[str]) -> tuple[list[str], bool]:
    """Mend department names cut at table cell edges, using the names the document spells in full.

    Returns the names and whether any fragment could not be mended (kept as printed).
    """
    out: list[str] = []
    unmended = False
    for raw in names:
        mended = _mend_one(raw, known) if known else None
        if mended is None:
            unmended |= bool(known) and not COMPLETE_NAME.match(raw)
            mended = [raw]
        out += [with_district(name) for name in mended]
    return list(dict.fromkeys(out)), unmended


def targets(text: str) -> list[Target]:
    """Quantitative targets such as "每年导入优质企业不少于100家"."""
    found: list[Target] = []
    for m in _TARGET.finditer(text):
        start = max(text.rfind(c, 0, m.start()) for c in "，。；：") + 1
        phrase = text[start : m.end()]
        op = "≈" if m.group("tail") == "左右" else _OPS[m.group("op")]
        found.append(Target(text=phrase, op=op, value=float(m.group("num")), unit=m.group("unit")))
    return found
