"""Coverage analysis for policy staff: who the measures serve, who they miss, what a change would do.

Everything here works on a *population* (an uploaded roster's profiles or a seeded synthetic
one) and a *corpus view* (clauses and documents, copied, never the cached engine's own objects).
Rules are evaluated condition by condition over the whole population: each distinct condition
is checked once per enterprise with ``rules.check`` and the per-clause status is combined the
way ``rules.evaluate`` combines it (hard not met → ineligible, hard unknown → unknown, soft open
→ partial, else eligible); ``tests/test_coverage.py`` checks that the two agree.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .corpus import is_valid
from .corpus_models import CONDITION_FIELDS, Clause, Condition, DocumentMeta
from .criteria.size import sector_of, size_class, size_table
from .profile import LABELS, Profile
from .rules import Facts, check, conditions_for, requirement
from .vocab import BENEFITS, INDUSTRIES, QUALIFICATIONS, REGIONS, STAGES

if TYPE_CHECKING:
    from .engine import Recommender

# --- the synthetic population ---------------------------------------------------------------

SIZE_CLASSES: tuple[str, ...] = ("微型", "小型", "中型", "大型")

# Stated distributions (relative weights, not statistics): a plausible mix of Shanghai
# enterprises of the kind these policies address. The page lets a person change every one.
DEFAULT_REGIONS: dict[str, float] = {
    "浦东新区": 22,
    "闵行区": 9,
    "嘉定区": 8,
    "松江区": 8,
    "宝山区": 6,
    "青浦区": 6,
    "徐汇区": 6,
    "杨浦区": 5,
    "奉贤区": 5,
    "静安区": 4,
    "普陀区": 4,
    "金山区": 4,
    "长宁区": 3,
    "黄浦区": 3,
    "虹口区": 2,
    "崇明区": 2,
    "上海市外": 3,
}
DEFAULT_INDUSTRIES: dict[str, float] = {
    "软件和信息服务": 14,
    "商贸服务": 12,
    "高端装备": 10,
    "科技服务": 9,
    "生物医药": 6,
    "人工智能": 6,
    "集成电路": 5,
    "新材料": 5,
    "新能源": 4,
    "智能网联汽车": 4,
    "数字内容": 4,
    "文化创意": 4,
    "金融服务": 4,
    "生命健康": 3,
    "节能环保": 3,
    "现代农业": 2,
    "航空航天": 1,
    "其他": 2,
}
DEFAULT_STAGES: dict[str, float] = {"初创期": 30, "成长期": 40, "成熟期": 22, "拟上市": 5, "已上市": 3}
DEFAULT_SIZES: dict[str, float] = {"微型": 45, "小型": 35, "中型": 15, "大型": 5}

# How likely each size class is at each stage (multiplies the stated size weights): a start-up
# is rarely large, a listed company rarely micro.
STAGE_SIZE_AFFINITY: dict[str, tuple[float, float, float, float]] = {
    "初创期": (1.0, 0.5, 0.08, 0.01),
    "成长期": (1.0, 1.0, 0.5, 0.1),
    "成熟期": (0.5, 1.0, 1.0, 0.6),
    "拟上市": (0.1, 0.6, 1.0, 1.0),
    "已上市": (0.02, 0.2, 0.8, 1.5),
}
# Years since founding, by stage: (low, high).
STAGE_AGE: dict[str, tuple[float, float]] = {
    "初创期": (0.2, 3.0),
    "成长期": (2.0, 10.0),
    "成熟期": (6.0, 25.0),
    "拟上市": (4.0, 15.0),
    "已上市": (8.0, 30.0),
}
TECH_INDUSTRIES = frozenset(
    {
        "集成电路",
        "生物医药",
        "人工智能",
        "软件和信息服务",
        "高端装备",
        "新材料",
        "新能源",
        "智能网联汽车",
        "节能环保",
        "航空航天",
        "科技服务",
        "数字内容",
    }
)
# Named parks by district, with the share of the district's enterprises in each; the rest
# are in no named park or did not say. Every district has some part of 张江高新区 (一区二十二园).
PARKS: dict[str, list[tuple[str, float]]] = {
    "浦东新区": [("张江科学城", 0.30), ("金桥", 0.12), ("临港新片区", 0.12), ("外高桥", 0.08), ("陆家嘴", 0.08)],
    "徐汇区": [("漕河泾开发区", 0.30), ("徐汇滨江", 0.12)],
    "闵行区": [("漕河泾开发区浦江高科技园", 0.15), ("紫竹高新区", 0.15)],
    "金山区": [("碳谷绿湾", 0.25), ("金山工业区", 0.25)],
    "嘉定区": [("嘉定工业区", 0.30)],
    "松江区": [("G60科创走廊", 0.30)],
    "杨浦区": [("杨浦滨江", 0.20)],
    "宝山区": [("宝山工业园区", 0.20)],
    "青浦区": [("市西软件信息园", 0.15)],
    "奉贤区": [("东方美谷", 0.20)],
}
ZHANGJIANG_SUBPARK_SHARE = 0.08  # outside 浦东: "张江高新区XX园"
# Stated needs: relative weights of what enterprises ask for (one to three each).
DEFAULT_NEEDS: dict[str, float] = {
    "资金补贴": 30,
    "融资贷款": 18,
    "人才引进": 16,
    "场地空间": 12,
    "税收优惠": 14,
    "市场拓展": 12,
    "资质认定": 10,
    "技术合作": 8,
    "知识产权": 8,
    "住房落户": 6,
    "股权投资": 6,
    "培训辅导": 5,
    "政务服务": 4,
    "上市辅导": 3,
    "法律服务": 3,
}
REFERENCE_DATE = dt.date(2025, 12, 31)  # the synthetic "last full year" ends here
# Bounds (employees, revenue in 万元) drawn within for each size class, per sector, so that the
# class the engine computes is the class drawn; industries outside the table use 工业's.
_MICRO_FLOOR = {"employees": 2, "revenue": 5}
_TOP = {"工业": {"employees": 8000, "revenue": 500000}, "软件和信息技术服务业": {"employees": 5000, "revenue": 200000}}


def _weights(
    stated: Mapping[str, float] | None, default: Mapping[str, float], allowed: Iterable[str]
) -> dict[str, float]:
    """The stated weights in the vocabulary's order (so that the draw does not depend on dict order)."""
    weights = dict(default if stated is None else stated)
    order = list(allowed)
    unknown = sorted(set(weights) - set(order))
    if unknown:
        raise ValueError(f"分布中有不认识的取值：{'、'.join(unknown)}")
    if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise ValueError("分布的权重应为非负数，且不能全为 0")
    return {k: float(weights[k]) for k in order if weights.get(k, 0) > 0}


def _choose(rng: np.random.Generator, weights: Mapping[str, float], n: int) -> np.ndarray:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def _log_uniform(rng: np.random.Generator, low: float, high: float) -> float:
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


def _size_bounds(industry: str, size: str) -> tuple[tuple[float, float], tuple[float, float]]:
    """(employees range, revenue range) inside which the engine classes the enterprise as ``size``."""
    sector = sector_of(industry) or "工业"
    limits = size_table()["sectors"][sector]
    top = _TOP[sector]
    if size == "微型":
        small = limits["小型"]
        return (_MICRO_FLOOR["employees"], small["employees"]), (_MICRO_FLOOR["revenue"], small["revenue"])
    above = {"小型": "中型", "中型": "大型", "大型": None}[size]
    low = limits[size]
    high = limits[above] if above else top
    return (low["employees"], high["employees"]), (low["revenue"], high["revenue"])


def _qualifications(
    rng: np.random.Generator,
    *,
    region: str,
    industry: str,
    stage: str,
    size: str,
    age: float,
    rd_ratio: float,
    rd_staff_ratio: float,
    ip: int,
    revenue: float,
    rd_expense: float,
    foreign: bool,
) -> list[str]:
    """Titles with plausible rates: likelier where the title's criteria roughly hold."""
    tech = industry in TECH_INDUSTRIES
    sme = size != "大型"
    held: list[str] = []

    def draw(title: str, p: float) -> None:
        if p > 0 and rng.random() < p:
            held.append(title)

    hnte_fit = tech and age >= 1 and ip > 0 and rd_ratio >= 0.03 and rd_staff_ratio >= 0.10
    draw("高新技术企业", 0.55 if hnte_fit else 0.02 if tech and age >= 1 else 0.0)
    hnte = "高新技术企业" in held
    if sme and tech:
        draw("科技型中小企业", 0.8 if hnte else 0.35)
    if sme:
        draw("创新型中小企业", 0.35 if hnte else 0.04)
    if sme and revenue >= 1000 and rd_expense >= 100 and age >= 2:
        draw("专精特新中小企业", 0.3 if hnte else 0.08)
    if "专精特新中小企业" in held and revenue >= 5000:
        draw('专精特新"小巨人"', 0.15)
    if hnte and revenue >= 3000:
        draw("科技小巨人", 0.06)
    if hnte and revenue >= 1000 and "科技小巨人" not in held:
        draw("科技小巨人培育", 0.08)
    if industry in {"软件和信息服务", "科技服务", "人工智能"} and hnte:
        draw("技术先进型服务企业", 0.05)
    if size == "大型" and tech:
        draw("GOI", 0.15 if region == "浦东新区" else 0.0)
    if sme and tech:
        draw("GOI赋能企业", 0.08 if region == "浦东新区" else 0.005)
    if foreign and tech and size in {"中型", "大型"}:
        draw("外资研发中心", 0.2)
    draw("在孵企业", {"初创期": 0.3 if tech else 0.1, "成长期": 0.05}.get(stage, 0.0))
    if industry == "科技服务" and size in {"中型", "大型"}:
        draw("孵化载体", 0.15)
    return held


def synthetic_population(
    size: int = 2000,
    seed: int = 0,
    *,
    regions: Mapping[str, float] | None = None,
    industries: Mapping[str, float] | None = None,
    stages: Mapping[str, float] | None = None,
    sizes: Mapping[str, float] | None = None,
    needs: Mapping[str, float] | None = None,
    missing_rate: float = 0.0,
    reference: dt.date = REFERENCE_DATE,
) -> list[Profile]:
    """``size`` enterprises drawn from the stated distributions; the same arguments give the same list.

    Region, industry and stage are drawn independently from their weights; the size class from
    the size weights times ``STAGE_SIZE_AFFINITY`` for the stage; staff and revenue inside the
    class's bounds of ``policies/criteria/size_class.yaml`` (so the engine finds the class drawn,
    where it can class the industry at all); R&D, IP, titles and needs with plausible rates.
    ``missing_rate`` leaves that share of the optional numbers and of the park blank.
    """
    if size < 0:
        raise ValueError("企业数不能为负数")
    if not 0.0 <= missing_rate <= 1.0:
        raise ValueError("缺失率应在 0 到 1 之间")
    region_w = _weights(regions, DEFAULT_REGIONS, REGIONS)
    industry_w = _weights(industries, DEFAULT_INDUSTRIES, INDUSTRIES)
    stage_w = _weights(stages, DEFAULT_STAGES, STAGES)
    size_w = _weights(sizes, DEFAULT_SIZES, SIZE_CLASSES)
    need_w = _weights(needs, DEFAULT_NEEDS, BENEFITS)
    rng = np.random.default_rng(seed)
    region_of = _choose(rng, region_w, size)
    industry_of = _choose(rng, industry_w, size)
    stage_of = _choose(rng, stage_w, size)
    profiles = []
    for i in range(size):
        region, industry, stage = str(region_of[i]), str(industry_of[i]), str(stage_of[i])
        affinity = dict(zip(SIZE_CLASSES, STAGE_SIZE_AFFINITY[stage], strict=True))
        klass_w = {k: w * affinity[k] for k, w in size_w.items()}
        klass = str(_choose(rng, klass_w, 1)[0]) if sum(klass_w.values()) > 0 else str(_choose(rng, size_w, 1)[0])
        tech = industry in TECH_INDUSTRIES
        (e_lo, e_hi), (r_lo, r_hi) = _size_bounds(industry, klass)
        employees = int(_log_uniform(rng, e_lo, e_hi))
        revenue = round(_log_uniform(rng, r_lo, r_hi), 1)
        age = float(rng.uniform(*STAGE_AGE[stage]))
        founded = reference - dt.timedelta(days=int(age * 365.25))
        rd_ratio = float(np.clip(rng.lognormal(np.log(0.06 if tech else 0.01), 0.7), 0.0, 0.8))
        if stage == "初创期":
            rd_ratio = min(0.8, rd_ratio * 1.5)
        rd_expense = round(revenue * rd_ratio, 1)
        staff_share = rng.uniform(0.15, 0.6) if tech else rng.uniform(0.0, 0.1)
        rd_staff = min(employees, round(employees * staff_share))
        scale = {"微型": 0.5, "小型": 2.0, "中型": 6.0, "大型": 25.0}[klass]
        invention = int(rng.poisson(scale if tech else scale / 5))
        other_ip = int(rng.poisson(scale * (2.5 if tech else 0.8)))
        total_assets = round(revenue * float(rng.lognormal(0.0, 0.5)), 1)
        foreign = bool(rng.random() < (0.2 if klass == "大型" else 0.06))
        quals = _qualifications(
            rng,
            region=region,
            industry=industry,
            stage=stage,
            size=klass,
            age=age,
            rd_ratio=rd_ratio,
            rd_staff_ratio=rd_staff / employees if employees else 0.0,
            ip=invention + other_ip,
            revenue=revenue,
            rd_expense=rd_expense,
            foreign=foreign,
        )
        dates = {}
        if "高新技术企业" in quals:
            dates["高新技术企业"] = reference - dt.timedelta(days=int(rng.uniform(0, min(age - 1, 3)) * 365.25))
        high_tech = round(revenue * rng.uniform(0.6, 0.95), 1) if "高新技术企业" in quals else None
        want = list(dict.fromkeys(str(n) for n in _choose(rng, need_w, int(rng.integers(1, 4)))))
        park = _park(rng, region)
        data: dict[str, Any] = {
            "name": f"合成企业{i + 1:05d}",
            "region": region,
            "park": park,
            "industry": industry,
            "stage": stage,
            "founded": founded,
            "employees": employees,
            "rd_staff": rd_staff,
            "revenue": revenue,
            "rd_expense": rd_expense,
            "high_tech_revenue": high_tech,
            "total_assets": total_assets,
            "invention_patents": invention,
            "other_ip": other_ip,
            "qualifications": quals,
            "qualification_dates": dates,
            "foreign_invested": foreign,
            "needs": want,
            "description": f"{region}{industry}企业，处于{stage}，{klass}规模",
        }
        if missing_rate:
            for name in ("park", "employees", "rd_staff", "revenue", "rd_expense", "total_assets", "founded"):
                if rng.random() < missing_rate:
                    data[name] = None
            if data["revenue"] is None:
                data["high_tech_revenue"] = None
        profiles.append(Profile.model_validate(data))
    return profiles


def _park(rng: np.random.Generator, region: str) -> str | None:
    options = list(PARKS.get(region, []))
    if region not in {"浦东新区", "上海市外"}:
        options.append((f"张江高新区{region.removesuffix('区')}园", ZHANGJIANG_SUBPARK_SHARE))
    u = rng.random()
    for name, share in options:
        if u < share:
            return name
        u -= share
    return None


def population_frame(profiles: Sequence[Profile]) -> pd.DataFrame:
    """The population as a roster table (profile field names as columns; lists joined with 、)."""
    rows = []
    for p in profiles:
        row = p.model_dump(mode="json")
        row["qualifications"] = "、".join(p.qualifications)
        row["qualification_dates"] = "；".join(f"{k}:{v.isoformat()}" for k, v in p.qualification_dates.items())
        row["needs"] = "、".join(p.needs)
        rows.append(row)
    return pd.DataFrame(rows, columns=list(Profile.model_fields))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as CSV in UTF-8 with a BOM, so that Excel shows the Chinese."""
    return frame.to_csv(index=False).encode("utf-8-sig")


# --- rule states over a population --------------------------------------------------------

STATES = ("met", "not_met", "unknown")
MET, NOT_MET, UNKNOWN = 0, 1, 2
STATUSES = ("eligible", "partial", "unknown", "ineligible")
ELIGIBLE, PARTIAL, STATUS_UNKNOWN, INELIGIBLE = 0, 1, 2, 3


def condition_key(cond: Condition) -> str:
    """What decides a condition's state (not its quote or hardness)."""
    return json.dumps([cond.field, cond.op, cond.value, cond.otherwise], ensure_ascii=False, sort_keys=True)


class PopulationRules:
    """A population's facts, and each distinct condition's state for every enterprise (memoised)."""

    def __init__(self, profiles: Sequence[Profile], as_of: dt.date) -> None:
        self.profiles = list(profiles)
        self.as_of = as_of
        self.facts = [Facts(p, as_of) for p in self.profiles]
        self._states: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.profiles)

    def states(self, cond: Condition) -> np.ndarray:
        """int8 per enterprise: 0 met, 1 not met, 2 unknown (as ``rules.check``)."""
        key = condition_key(cond)
        cached = self._states.get(key)
        if cached is None:
            codes = {"met": MET, "not_met": NOT_MET, "unknown": UNKNOWN}
            cached = np.fromiter((codes[check(cond, f)[0]] for f in self.facts), dtype=np.int8, count=len(self.facts))
            cached.flags.writeable = False
            self._states[key] = cached
        return cached

    def statuses(self, clause: Clause, doc: DocumentMeta) -> np.ndarray:
        """int8 per enterprise: 0 eligible, 1 partial, 2 unknown, 3 ineligible (as ``rules.evaluate``)."""
        n = len(self.facts)
        hard_fail = np.zeros(n, dtype=bool)
        hard_unknown = np.zeros(n, dtype=bool)
        soft_open = np.zeros(n, dtype=bool)
        for cond in conditions_for(clause, doc):
            s = self.states(cond)
            if cond.is_hard:
                hard_fail |= s == NOT_MET
                hard_unknown |= s == UNKNOWN
            else:
                soft_open |= s != MET
        out = np.full(n, ELIGIBLE, dtype=np.int8)
        out[soft_open] = PARTIAL
        out[hard_unknown] = STATUS_UNKNOWN
        out[hard_fail] = INELIGIBLE
        return out


# --- the corpus as a copyable view --------------------------------------------------------


@dataclass(frozen=True)
class CorpusView:
    """Clauses and documents to analyse; edits (``apply_change``) give a new view, never touch these."""

    clauses: tuple[Clause, ...]
    documents: Mapping[str, DocumentMeta]

    @classmethod
    def from_recommender(cls, engine: Recommender) -> CorpusView:
        return cls(tuple(engine.clauses), dict(engine.documents))

    @property
    def measures(self) -> list[Clause]:
        return [c for c in self.clauses if c.kind == "measure"]

    def clause(self, clause_id: str) -> Clause:
        for c in self.clauses:
            if c.id == clause_id:
                return c
        raise KeyError(f"没有条款 {clause_id}")


# --- coverage -----------------------------------------------------------------------------

DIMENSIONS: dict[str, str] = {
    "region": "注册地",
    "industry": "行业",
    "stage": "发展阶段",
    "size_class": "企业规模",
}


@dataclass
class Coverage:
    """Every enterprise's status for every measure analysed."""

    rules: PopulationRules
    corpus: CorpusView
    measures: list[Clause]
    status: np.ndarray  # enterprises × measures, STATUSES codes
    valid: np.ndarray  # per measure: in force at the as-of date
    segments: pd.DataFrame = field(repr=False)  # per enterprise: the DIMENSIONS values

    @property
    def profiles(self) -> list[Profile]:
        return self.rules.profiles

    @property
    def as_of(self) -> dt.date:
        return self.rules.as_of

    def usable(self, include_partial: bool = False) -> np.ndarray:
        """enterprises × measures: eligible (or partial too)."""
        return self.status <= (PARTIAL if include_partial else ELIGIBLE)

    def benefit_matrix(self) -> np.ndarray:
        """measures × benefit types (BENEFITS order), 1 where the measure offers the type."""
        b = np.zeros((len(self.measures), len(BENEFITS)), dtype=np.int32)
        index = {name: j for j, name in enumerate(BENEFITS)}
        for i, clause in enumerate(self.measures):
            for name in clause.benefits:
                b[i, index[name]] = 1
        return b


def segment_values(profiles: Sequence[Profile]) -> pd.DataFrame:
    """Each enterprise's segment: 注册地, 行业 (controlled list), 发展阶段, 规模 ('未填写'/'无法判定' when missing)."""
    values = {
        "region": [p.region for p in profiles],
        "industry": [p.industry_category or "未填写" for p in profiles],
        "stage": [p.stage or "未填写" for p in profiles],
        "size_class": [size_class(p) or "无法判定" for p in profiles],
    }
    order = {
        "region": list(REGIONS),
        "industry": [*INDUSTRIES, "未填写"],
        "stage": [*STAGES, "未填写"],
        "size_class": ["大型", "中型", "小型", "微型", "无法判定"],
    }
    # categories in the vocabularies' order, so that segments sort as people expect (浦东新区 first)
    return pd.DataFrame({k: pd.Categorical(v, categories=order[k], ordered=True) for k, v in values.items()})


def compute_coverage(
    profiles: Sequence[Profile] | PopulationRules,
    corpus: CorpusView,
    as_of: dt.date | None = None,
    valid_only: bool = False,
) -> Coverage:
    """Status of every measure for every enterprise; ``valid_only`` keeps measures in force at ``as_of``."""
    rules = profiles if isinstance(profiles, PopulationRules) else PopulationRules(profiles, as_of or dt.date.today())
    measures = corpus.measures
    valid = np.array([is_valid(corpus.documents[c.policy_id], rules.as_of) for c in measures], dtype=bool)
    if valid_only:
        measures = [c for c, v in zip(measures, valid, strict=True) if v]
        valid = np.ones(len(measures), dtype=bool)
    status = np.empty((len(rules), len(measures)), dtype=np.int8)
    for j, clause in enumerate(measures):
        status[:, j] = rules.statuses(clause, corpus.documents[clause.policy_id])
    return Coverage(rules, corpus, measures, status, valid, segment_values(rules.profiles))


def enterprise_table(cov: Coverage, include_partial: bool = False) -> pd.DataFrame:
    """Per enterprise: segment, how many measures are eligible / partial, and per benefit type how many usable."""
    usable = cov.usable(include_partial)
    counts = usable.astype(np.int32) @ cov.benefit_matrix()
    frame = pd.DataFrame({"企业名称": [p.name for p in cov.profiles]})
    for dim, label in DIMENSIONS.items():
        frame[label] = cov.segments[dim].to_numpy()
    frame["可申请措施数"] = (cov.status == ELIGIBLE).sum(axis=1)
    frame["需补充条件措施数"] = (cov.status == PARTIAL).sum(axis=1)
    frame["可用措施数"] = usable.sum(axis=1)
    for j, name in enumerate(BENEFITS):
        frame[name] = counts[:, j]
    return frame


def segment_table(
    cov: Coverage, dims: Sequence[str] = ("region", "industry", "stage"), include_partial: bool = False
) -> pd.DataFrame:
    """Segment × benefit type: mean number of usable measures per enterprise in the segment.

    Columns: the dimensions (Chinese labels), 企业数, 人均可用措施数 (distinct measures),
    无可用措施企业占比 (fraction), then one column per benefit type (BENEFITS order).
    """
    dims = list(dims)
    unknown = [d for d in dims if d not in DIMENSIONS]
    if unknown or not dims:
        raise ValueError(f"细分维度应为 {'、'.join(DIMENSIONS)} 中的一个或多个")
    usable = cov.usable(include_partial)
    counts = usable.astype(np.int32) @ cov.benefit_matrix()
    frame = cov.segments[dims].copy()
    frame["企业数"] = 1
    total = usable.sum(axis=1)
    frame["人均可用措施数"] = total
    frame["无可用措施企业占比"] = (total == 0).astype(float)
    for j, name in enumerate(BENEFITS):
        frame[name] = counts[:, j]
    if frame.empty:
        return frame.rename(columns=DIMENSIONS)
    agg = {"企业数": "sum", "人均可用措施数": "mean", "无可用措施企业占比": "mean", **dict.fromkeys(BENEFITS, "mean")}
    table = frame.groupby(dims, sort=True, observed=True).agg(agg).reset_index()
    for dim in dims:
        table[dim] = table[dim].astype(str)
    return table.rename(columns=DIMENSIONS)


def uncovered_segments(table: pd.DataFrame) -> pd.DataFrame:
    """Segments of a ``segment_table`` where no enterprise can use any measure."""
    empty = table[table["人均可用措施数"] == 0]
    keep = [c for c in table.columns if c not in BENEFITS and c not in {"人均可用措施数", "无可用措施企业占比"}]
    return empty[keep].sort_values("企业数", ascending=False, kind="stable").reset_index(drop=True)


def segment_label(table: pd.DataFrame, dims: Sequence[str]) -> pd.Series:
    labels = [DIMENSIONS[d] for d in dims]
    return table[labels].astype(str).agg("·".join, axis=1)


def needs_table(cov: Coverage, include_partial: bool = False) -> pd.DataFrame:
    """Per stated need: how many enterprises ask for it and how many can use at least one measure offering it."""
    usable = cov.usable(include_partial)
    counts = usable.astype(np.int32) @ cov.benefit_matrix()
    rows = []
    for j, name in enumerate(BENEFITS):
        asking = np.array([name in p.needs for p in cov.profiles], dtype=bool)
        served = int((asking & (counts[:, j] > 0)).sum())
        rows.append(
            {
                "诉求": name,
                "提出该诉求的企业数": int(asking.sum()),
                "有对应可用措施的企业数": served,
                "满足率": served / asking.sum() if asking.any() else float("nan"),
                "提供该类支持的措施数": int(sum(name in c.benefits for c in cov.measures)),
            }
        )
    return pd.DataFrame(rows)


def measure_table(cov: Coverage) -> pd.DataFrame:
    """Per measure: how many enterprises are eligible, partial, unknown, ineligible."""
    rows = []
    for j, clause in enumerate(cov.measures):
        doc = cov.corpus.documents[clause.policy_id]
        column = cov.status[:, j]
        rows.append(
            {
                "条款": clause.id,
                "文件": doc.short_title,
                "有效": bool(cov.valid[j]),
                "支持类型": "、".join(clause.benefits),
                "可申请": int((column == ELIGIBLE).sum()),
                "需补充条件": int((column == PARTIAL).sum()),
                "信息不足": int((column == STATUS_UNKNOWN).sum()),
                "不符合": int((column == INELIGIBLE).sum()),
                "条款原文": clause.text,
            }
        )
    return pd.DataFrame(rows)


# --- measures that match nobody -----------------------------------------------------------


@dataclass(frozen=True)
class ConditionCount:
    field: str
    label: str
    requirement: str
    quote: str
    hard: bool
    area: bool  # the document's own area, not a condition of the clause
    met: int
    not_met: int
    unknown: int

    @property
    def nobody_meets(self) -> bool:
        return self.met == 0


@dataclass(frozen=True)
class Unmatched:
    clause: Clause
    document: DocumentMeta
    valid: bool
    partial: int  # enterprises for which only soft conditions are open
    conditions: list[ConditionCount]

    @property
    def blocking(self) -> list[ConditionCount]:
        return [c for c in self.conditions if c.nobody_meets]

    @property
    def reason(self) -> str:
        if self.blocking:
            return "；".join(f"无企业满足：{c.label}{c.requirement}（原文：“{c.quote}”）" for c in self.blocking)
        parts = "；".join(f"{c.label}{c.requirement}（满足 {c.met} 家）" for c in self.conditions)
        return f"每个条件都有企业满足，但没有企业同时满足全部条件：{parts}"


def condition_counts(rules: PopulationRules, clause: Clause, doc: DocumentMeta) -> list[ConditionCount]:
    own = list(clause.eligibility)
    out = []
    for cond in conditions_for(clause, doc):
        s = rules.states(cond)
        need = requirement(cond)
        if cond.field == "park" and doc.applies_to.zone and cond not in own:
            need = f"位于{doc.applies_to.zone}所属园区"
        out.append(
            ConditionCount(
                field=cond.field,
                label=LABELS.get(cond.field, cond.field),
                requirement=need,
                quote=cond.quote,
                hard=cond.is_hard,
                area=cond not in own,
                met=int((s == MET).sum()),
                not_met=int((s == NOT_MET).sum()),
                unknown=int((s == UNKNOWN).sum()),
            )
        )
    return out


def unmatched_measures(cov: Coverage, include_partial: bool = False) -> list[Unmatched]:
    """Measures no enterprise of the population can use, each with every condition's counts."""
    usable = cov.usable(include_partial)
    out = []
    for j in np.flatnonzero(~usable.any(axis=0)):
        clause = cov.measures[j]
        doc = cov.corpus.documents[clause.policy_id]
        out.append(
            Unmatched(
                clause=clause,
                document=doc,
                valid=bool(cov.valid[j]),
                partial=int((cov.status[:, j] == PARTIAL).sum()),
                conditions=condition_counts(cov.rules, clause, doc),
            )
        )
    return out


def unmatched_table(items: Sequence[Unmatched]) -> pd.DataFrame:
    """One row per measure: why nobody matches."""
    return pd.DataFrame(
        [
            {
                "条款": u.clause.id,
                "文件": u.document.short_title,
                "有效": u.valid,
                "原因": u.reason,
                "需补充条件企业数": u.partial,
                "条款原文": u.clause.text,
            }
            for u in items
        ],
        columns=["条款", "文件", "有效", "原因", "需补充条件企业数", "条款原文"],
    )


def unmatched_conditions_table(items: Sequence[Unmatched]) -> pd.DataFrame:
    """One row per (measure, condition): how many enterprises meet, fail or cannot tell."""
    return conditions_table([(u.clause.id, u.conditions) for u in items])


def conditions_table(items: Iterable[tuple[str, Sequence[ConditionCount]]]) -> pd.DataFrame:
    """One row per (clause id, condition count)."""
    columns = [
        "条款",
        "条件字段",
        "条件",
        "满足",
        "不满足",
        "无法判断",
        "无企业满足",
        "硬性",
        "来自文件适用范围",
        "原文",
    ]
    rows = [
        {
            "条款": clause_id,
            "条件字段": c.field,
            "条件": f"{c.label}{c.requirement}",
            "满足": c.met,
            "不满足": c.not_met,
            "无法判断": c.unknown,
            "无企业满足": c.nobody_meets,
            "硬性": c.hard,
            "来自文件适用范围": c.area,
            "原文": c.quote,
        }
        for clause_id, counts in items
        for c in counts
    ]
    return pd.DataFrame(rows, columns=columns)


# --- near-duplicate clauses ---------------------------------------------------------------

DEFAULT_DUPLICATE_THRESHOLD = 0.5


def similarity(clauses: Sequence[Clause]) -> np.ndarray:
    """Cosine similarity of the clauses' texts: TF-IDF over the project tokenizer's terms."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from .text import analyzer

    if not clauses:
        return np.zeros((0, 0))
    vectorizer = TfidfVectorizer(tokenizer=analyzer().tokens, lowercase=False, token_pattern=None)
    matrix = vectorizer.fit_transform([c.text for c in clauses])
    sim = (matrix @ matrix.T).toarray()
    return np.minimum((sim + sim.T) / 2, 1.0)  # exact symmetry despite float rounding


def near_duplicates(
    clauses: Sequence[Clause],
    threshold: float = DEFAULT_DUPLICATE_THRESHOLD,
    measures_only: bool = True,
    documents: Mapping[str, DocumentMeta] | None = None,
) -> pd.DataFrame:
    """Pairs of clauses from different documents whose texts are at least ``threshold`` alike, best first.

    The TF-IDF weights are learnt from all ``clauses``; ``measures_only`` keeps pairs of measures.
    """
    columns = ["相似度", "条款A", "文件A", "条款A原文", "条款B", "文件B", "条款B原文"]
    clauses = list(clauses)
    sim = similarity(clauses)
    keep = np.array([c.kind == "measure" or not measures_only for c in clauses], dtype=bool)
    policy = np.array([c.policy_id for c in clauses], dtype=object)
    rows = []
    if len(clauses):
        upper = np.triu(sim >= threshold, k=1)
        upper &= policy[:, None] != policy[None, :]
        upper &= keep[:, None] & keep[None, :]
        for i, j in zip(*np.nonzero(upper), strict=True):
            a, b = sorted((clauses[i], clauses[j]), key=lambda c: c.id)
            title = (lambda c: documents[c.policy_id].short_title) if documents else (lambda c: c.policy_id)
            rows.append([round(float(sim[i, j]), 4), a.id, title(a), a.text, b.id, title(b), b.text])
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["相似度", "条款A", "条款B"], ascending=[False, True, True], kind="stable").reset_index(
        drop=True
    )


# --- what-if ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConditionEdit:
    """Change, add or remove one condition of a clause.

    ``index`` is the position in ``clause.eligibility`` (None: add ``condition``); ``condition``
    None removes the one at ``index``.
    """

    clause_id: str
    index: int | None = None
    condition: Condition | None = None


@dataclass(frozen=True)
class RegionEdit:
    """Set the districts a document applies to (an empty list means: no district restriction)."""

    policy_id: str
    regions: tuple[str, ...]


Change = ConditionEdit | RegionEdit


def with_value(cond: Condition, value: Any) -> Condition:
    """The same condition (field, operator, quote) with another value, validated."""
    return Condition.model_validate({**cond.model_dump(exclude_none=True), "value": value})


def new_condition(field_name: str, op: str, value: Any, hard: bool | None = None) -> Condition:
    """A condition a person tries out; its quote says it is hypothetical."""
    probe = Condition(field=field_name, op=op, value=value, quote="假设条件")
    label = LABELS.get(field_name, field_name)
    return Condition(field=field_name, op=op, value=value, hard=hard, quote=f"假设条件：{label}{requirement(probe)}")


def apply_change(corpus: CorpusView, change: Change) -> CorpusView:
    """A new view with the change made on copies of the clause or document concerned."""
    if isinstance(change, RegionEdit):
        if change.policy_id not in corpus.documents:
            raise KeyError(f"没有文件 {change.policy_id}")
        bad = [r for r in change.regions if r not in REGIONS]
        if bad:
            raise ValueError(f"不认识的区：{'、'.join(bad)}")
        doc = corpus.documents[change.policy_id]
        applies = doc.applies_to.model_copy(update={"regions": list(dict.fromkeys(change.regions))})
        documents = {**corpus.documents, change.policy_id: doc.model_copy(update={"applies_to": applies})}
        return CorpusView(corpus.clauses, documents)
    clause = corpus.clause(change.clause_id)
    eligibility = list(clause.eligibility)
    if change.index is None:
        if change.condition is None:
            raise ValueError("新增条件时需给出条件")
        eligibility.append(change.condition)
    elif not 0 <= change.index < len(eligibility):
        raise IndexError(f"条款 {clause.id} 没有第 {change.index + 1} 个条件")
    elif change.condition is None:
        del eligibility[change.index]
    else:
        eligibility[change.index] = change.condition
    edited = clause.model_copy(update={"eligibility": eligibility})
    return CorpusView(tuple(edited if c.id == clause.id else c for c in corpus.clauses), corpus.documents)


def describe_change(corpus: CorpusView, change: Change) -> str:
    if isinstance(change, RegionEdit):
        doc = corpus.documents[change.policy_id]
        before = "、".join(doc.applies_to.regions) or "不限区"
        after = "、".join(change.regions) or "不限区"
        return f"《{doc.short_title}》适用区域：{before} → {after}"
    clause = corpus.clause(change.clause_id)

    def show(c: Condition) -> str:
        return f"{LABELS.get(c.field, c.field)}{requirement(c)}"

    if change.index is None:
        return f"{clause.id} 新增条件：{show(change.condition)}" if change.condition else clause.id
    old = show(clause.eligibility[change.index])
    if change.condition is None:
        return f"{clause.id} 删除条件：{old}"
    return f"{clause.id} 条件：{old} → {show(change.condition)}"


@dataclass
class WhatIf:
    description: str
    clause_ids: list[str]  # the measures the change touches (within the coverage analysed)
    before: np.ndarray  # enterprises × those measures: usable before
    after: np.ndarray
    total_before: np.ndarray  # per enterprise: usable measures of the whole coverage
    total_after: np.ndarray

    @property
    def gained(self) -> np.ndarray:
        """Enterprises that can use at least one touched measure they could not use before."""
        return np.flatnonzero((self.after & ~self.before).any(axis=1))

    @property
    def lost(self) -> np.ndarray:
        return np.flatnonzero((self.before & ~self.after).any(axis=1))

    def summary(self) -> dict[str, int]:
        return {
            "涉及措施数": len(self.clause_ids),
            "获得资格企业数": len(self.gained),
            "失去资格企业数": len(self.lost),
            "获得资格（企业×措施）": int((self.after & ~self.before).sum()),
            "失去资格（企业×措施）": int((self.before & ~self.after).sum()),
            "新覆盖企业数": int(((self.total_before == 0) & (self.total_after > 0)).sum()),
            "不再被覆盖企业数": int(((self.total_before > 0) & (self.total_after == 0)).sum()),
        }


def what_if(cov: Coverage, change: Change, include_partial: bool = False) -> WhatIf:
    """Re-evaluate only the measures a change touches, on copies; report who gains and who loses."""
    edited = apply_change(cov.corpus, change)
    if isinstance(change, RegionEdit):
        touched = [j for j, c in enumerate(cov.measures) if c.policy_id == change.policy_id]
    else:
        touched = [j for j, c in enumerate(cov.measures) if c.id == change.clause_id]
    limit = PARTIAL if include_partial else ELIGIBLE
    before = cov.status[:, touched] <= limit
    after = np.empty_like(before)
    for k, j in enumerate(touched):
        clause = edited.clause(cov.measures[j].id)
        after[:, k] = cov.rules.statuses(clause, edited.documents[clause.policy_id]) <= limit
    total_before = cov.usable(include_partial).sum(axis=1)
    total_after = total_before - before.sum(axis=1) + after.sum(axis=1)
    return WhatIf(
        description=describe_change(cov.corpus, change),
        clause_ids=[cov.measures[j].id for j in touched],
        before=before,
        after=after,
        total_before=total_before,
        total_after=total_after,
    )


def what_if_table(cov: Coverage, result: WhatIf) -> pd.DataFrame:
    """Who gains and who loses, with the measures concerned."""
    rows = []
    ids = np.array(result.clause_ids, dtype=object)
    for change, idx in (("获得资格", result.gained), ("失去资格", result.lost)):
        for i in idx:
            p = cov.profiles[i]
            mask = (
                (result.after[i] & ~result.before[i]) if change == "获得资格" else (result.before[i] & ~result.after[i])
            )
            rows.append(
                {
                    "变化": change,
                    "企业名称": p.name,
                    "注册地": p.region,
                    "所在园区": p.park or "",
                    "行业": cov.segments.at[i, "industry"],
                    "发展阶段": cov.segments.at[i, "stage"],
                    "企业规模": cov.segments.at[i, "size_class"],
                    "涉及条款数": int(mask.sum()),
                    "涉及条款": "、".join(ids[mask]),
                    "变化前可用措施数": int(result.total_before[i]),
                    "变化后可用措施数": int(result.total_after[i]),
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "变化",
            "企业名称",
            "注册地",
            "所在园区",
            "行业",
            "发展阶段",
            "企业规模",
            "涉及条款数",
            "涉及条款",
            "变化前可用措施数",
            "变化后可用措施数",
        ],
    )


def editable_value_kind(field_name: str) -> str:
    """choice / text / set / bool / number: how a page should let a person edit a condition's value."""
    return CONDITION_FIELDS[field_name][0]


def value_options(field_name: str) -> list[str] | None:
    """The values a person may pick for a list-valued condition, when the field has a fixed list."""
    return {
        "region": list(REGIONS),
        "industry": list(INDUSTRIES),
        "stage": list(STAGES),
        "size_class": ["大型", "中型", "小型", "微型"],
        "qualifications": list(QUALIFICATIONS),
    }.get(field_name)
