"""Synthetic data for the benchmarks: clauses recombined from the real corpus, and enterprise profiles.

A synthetic corpus of N clauses is made from the real one, seeded: each clause's text is 1–4
sentences drawn from the real clauses, its kind, benefit types and eligibility rule are copied
from one real clause, and its document copies a real document's dates and area (the district of
a district document drawn from the 16).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import re
from pathlib import Path
from typing import Any

AS_OF = dt.date(2024, 6, 30)  # the as-of date of every timed recommendation: most documents in force

_SENTENCE = re.compile(r"[^。；]+[。；]?")


def synthetic_policies(n: int, seed: int = 0, per_document: int = 40) -> list[Any]:
    """N clauses recombined from the real corpus (see the module docstring)."""
    from recommender.corpus import load_policies
    from recommender.corpus_models import Clause, DocumentMeta, PolicyFile, Provenance
    from recommender.vocab import REGIONS

    rng = random.Random(seed)
    real = load_policies()
    clauses = [c for p in real for c in p.clauses]
    sentences = sorted({s.strip() for c in clauses for s in _SENTENCE.findall(c.text) if len(s.strip()) > 6})
    titles = sorted({c.title for c in clauses if c.title})
    districts = [r for r in REGIONS if r != "上海市外"]
    out = []
    for k in range((n + per_document - 1) // per_document):
        model = rng.choice(real).document
        applies = model.applies_to.model_dump()
        if applies["regions"]:
            applies["regions"] = [rng.choice(districts)]
        doc = DocumentMeta.model_validate(
            {
                **model.model_dump(),
                "policy_id": f"syn-{k:05d}",
                "title": f"{model.title}（样本{k}）",
                "applies_to": applies,
            }
        )
        built = []
        for j in range(min(per_document, n - k * per_document)):
            template = rng.choice(clauses)
            text = "".join(rng.sample(sentences, rng.randint(1, 4)))
            built.append(
                Clause(
                    id=f"{doc.policy_id}/s{j}",
                    policy_id=doc.policy_id,
                    title=rng.choice(titles),
                    text=text,
                    provenance=Provenance(file="synthetic", lines=(j + 1, j + 1)),
                    kind=template.kind,
                    benefits=list(template.benefits),
                    eligibility=[c.model_copy() for c in template.eligibility],
                    curated=True,
                )
            )
        out.append(PolicyFile(source="synthetic", order=k, document=doc, clauses=built))
    return out


_PHRASES = [
    "芯片设计企业",
    "做工业机器人的",
    "生物医药研发",
    "创新药临床前研究",
    "人工智能算法和大模型应用",
    "新材料研发生产",
    "软件开发和信息服务",
    "机械零部件加工",
    "今年首次认定高新技术企业",
    "想了解区里的资助和贷款",
    "最近资金周转紧张",
    "订单增加，需要扩大车间厂房",
    "招工难，想招聘一线工人",
    "我们的专利被人侵权了",
    "自己没有实验室，做不了检测",
    "需要验证技术可行性、做原型",
    "打算明年申报专精特新",
    "准备科创板上市",
    "想找天使投资",
    "员工培训需要补贴",
    "想办理工商变更，流程太复杂",
    "需要法律合规方面的咨询",
    "想参加展会推广新产品",
    "希望与高校合作研发",
    "海外人才落户和住房",
    "办公室租金太贵",
    "产品想进入政府采购目录",
    "想了解税收优惠和研发费用加计扣除",
]


def synthetic_profiles(n: int, seed: int = 1) -> list[dict[str, Any]]:
    """Enterprise profiles of varied districts, parks, industries, sizes, titles and needs."""
    from recommender.vocab import BENEFITS, INDUSTRIES, QUALIFICATIONS, REGIONS, STAGES

    rng = random.Random(seed)
    regions = ["浦东新区"] * 4 + ["金山区"] * 2 + ["徐汇区"] * 2 + list(REGIONS)
    parks = [None, None, "张江科学城", "漕河泾开发区", "金桥", "临港新片区", "碳谷绿湾", "紫竹高新区"]
    out = []
    for k in range(n):
        profile: dict[str, Any] = {
            "name": f"样本企业{k}",
            "region": rng.choice(regions),
            "park": rng.choice(parks),
            "industry": rng.choice([*INDUSTRIES, None]),
            "stage": rng.choice([*STAGES, None]),
            "qualifications": rng.sample(QUALIFICATIONS[:6], rng.choice([0, 0, 1, 1, 2])),
            "needs": rng.sample(BENEFITS, rng.choice([0, 1, 1, 2, 3])),
            "description": "，".join(rng.sample(_PHRASES, rng.randint(1, 3))) + f"，员工约{rng.randint(3, 900)}人",
        }
        if rng.random() < 0.7:
            profile["employees"] = rng.randint(3, 2000)
            profile["revenue"] = round(rng.lognormvariate(7, 1.5), 1)
        out.append({k: v for k, v in profile.items() if v is not None})
    return out


ROSTER_COLUMNS = {
    "name": "企业名称",
    "region": "注册地",
    "park": "所在园区",
    "industry": "所属行业",
    "stage": "发展阶段",
    "employees": "职工总数",
    "revenue": "营业收入",
    "qualifications": "已有资质",
    "needs": "诉求",
    "description": "企业描述",
}


def write_roster(path: Path, n: int, seed: int = 1) -> Path:
    """A roster of ``n`` synthetic enterprises (``synthetic_profiles``) at ``path``: CSV in UTF-8 with the
    Chinese headers of ROSTER_COLUMNS, or XLSX when ``path`` ends in .xlsx. Written as it is made (a 100k
    roster is some 20 MB of CSV). Returns ``path``."""
    rows = (
        ["、".join(v) if isinstance(v := p.get(f, ""), list) else v for f in ROSTER_COLUMNS]
        for p in synthetic_profiles(n, seed)
    )
    header = list(ROSTER_COLUMNS.values())
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("名单")
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        book.save(path)
        return path
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path
