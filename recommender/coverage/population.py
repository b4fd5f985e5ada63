"""A seeded synthetic population of Shanghai enterprises, for policy staff to test coverage on.

The same arguments give the same list; every distribution can be changed on the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..eligibility.size import sector_of, size_table
from ..profile import LABELS, Profile
from ..vocab import BENEFITS, INDUSTRIES, REGIONS, STAGES

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
        if p > 0 and rng.random() < p:  # no draw at p = 0: the same seed gives the same population
            held.append(title)

    hnte_fit = tech and age >= 1 and ip > 0 and rd_ratio >= 0.03 and rd_staff_ratio >= 0.10
    draw("高新技术企业", 0.55 if hnte_fit else 0.02 if tech and age >= 1 else 0.0)
    hnte = "高新技术企业" in held
    draw("科技型中小企业", (0.8 if hnte else 0.35) * (sme and tech))
    draw("创新型中小企业", (0.35 if hnte else 0.04) * sme)
    draw("专精特新中小企业", (0.3 if hnte else 0.08) * (sme and revenue >= 1000 and rd_expense >= 100 and age >= 2))
    draw('专精特新"小巨人"', 0.15 * ("专精特新中小企业" in held and revenue >= 5000))
    draw("科技小巨人", 0.06 * (hnte and revenue >= 3000))
    draw("科技小巨人培育", 0.08 * (hnte and revenue >= 1000 and "科技小巨人" not in held))
    draw("技术先进型服务企业", 0.05 * (industry in {"软件和信息服务", "科技服务", "人工智能"} and hnte))
    pudong = region == "浦东新区"
    draw("GOI", (0.15 if pudong else 0.0) * (size == "大型" and tech))
    draw("GOI赋能企业", (0.08 if pudong else 0.005) * (sme and tech))
    draw("外资研发中心", 0.2 * (foreign and tech and size in {"中型", "大型"}))
    draw("在孵企业", {"初创期": 0.3 if tech else 0.1, "成长期": 0.05}.get(stage, 0.0))
    draw("孵化载体", 0.15 * (industry == "科技服务" and size in {"中型", "大型"}))
    return held


def _enterprise(
    rng: np.random.Generator,
    number: int,
    where: tuple[str, str, str],
    size_w: Mapping[str, float],
    need_w: Mapping[str, float],
    missing_rate: float,
    reference: dt.date,
) -> Profile:
    """Enterprise ``number`` of a population, its (region, industry, stage) drawn: the rest drawn from ``rng``."""
    region, industry, stage = where
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
        "name": f"合成企业{number:05d}",
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
    return Profile.model_validate(data)


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
    progress: Callable[[int, int], object] | None = None,
) -> list[Profile]:
    """``size`` enterprises drawn from the stated distributions; the same arguments give the same list.

    Region, industry and stage are drawn independently from their weights; the size class from
    the size weights times ``STAGE_SIZE_AFFINITY`` for the stage; staff and revenue inside the
    class's bounds of ``policies/criteria/size_class.yaml`` (so the engine finds the class drawn,
    where it can class the industry at all); R&D, IP, titles and needs with plausible rates.
    ``missing_rate`` leaves that share of the optional numbers and of the park blank.
    ``progress(done, total)`` is called as the enterprises are made (about 50 times, and at the end);
    it does not change what is drawn. ValueError for a negative size, a rate outside [0, 1] or an unknown value.
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
    step = max(1, size // 50)
    for i in range(size):
        if progress is not None and i % step == 0:
            progress(i, size)
        where = (str(region_of[i]), str(industry_of[i]), str(stage_of[i]))
        profiles.append(_enterprise(rng, i + 1, where, size_w, need_w, missing_rate, reference))
    if progress is not None:
        progress(size, size)
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


def _list_cell(items: list[str] | None) -> str | None:
    """A list field as a roster cell: blank when not stated, "无" when empty, else "、"-joined."""
    return None if items is None else "、".join(items) or "无"


def population_frame(profiles: Sequence[Profile]) -> pd.DataFrame:
    """The population as a roster table people read: the profile fields' Chinese labels as columns (``LABELS``,
    which the roster reader takes back), lists joined with 、, yes/no as 是/否."""
    rows = []
    for p in profiles:
        row = p.model_dump(mode="json")
        row["qualifications"] = _list_cell(p.qualifications)
        row["qualification_dates"] = "；".join(f"{k}:{v.isoformat()}" for k, v in p.qualification_dates.items())
        row["needs"] = _list_cell(p.needs)
        rows.append({LABELS[k]: ({True: "是", False: "否"}[v] if isinstance(v, bool) else v) for k, v in row.items()})
    return pd.DataFrame(rows, columns=[LABELS[k] for k in Profile.model_fields])
