"""Coverage as tables people read and download (``safe_output.csv_bytes``): per enterprise, segment, need, measure."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..eligibility.status import ELIGIBLE, INELIGIBLE, PARTIAL, UNKNOWN_STATUS, Status
from ..locator import cited
from ..vocab import BENEFITS
from .analysis import DIMENSIONS, Coverage

VALID = "评估日有效"  # column of the measure tables: the measure's document in force at the as-of date
CLAUSE_ID = "条款编号"  # the last column of the measure tables: the id exports and the command line use


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
    """Each row's segment as one label (浦东新区·软件和信息服务 …)."""
    first, *rest = (table[DIMENSIONS[d]].astype(str) for d in dims)
    return first.str.cat(rest, sep="·") if rest else first


def needs_table(cov: Coverage, include_partial: bool = False) -> pd.DataFrame:
    """Per stated need: how many enterprises ask for it and how many can use at least one measure offering it."""
    usable = cov.usable(include_partial)
    counts = usable.astype(np.int32) @ cov.benefit_matrix()
    column = {name: j for j, name in enumerate(BENEFITS)}
    stated = np.zeros((len(cov.profiles), len(BENEFITS)), dtype=bool)  # enterprises × needs they state
    for i, p in enumerate(cov.profiles):
        for need in p.needs or []:
            if need in column:
                stated[i, column[need]] = True
    rows = []
    for j, name in enumerate(BENEFITS):
        asking = stated[:, j]
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
    """Per measure (where it stands in its document, 第3条 …; its id last): how many enterprises are eligible,
    partial, unknown, ineligible."""
    rows = []
    for j, clause in enumerate(cov.measures):
        doc = cov.corpus.documents[clause.policy_id]
        column = cov.status[:, j]
        rows.append(
            {
                "条款": cited(clause),
                "文件": doc.short_title,
                VALID: bool(cov.valid[j]),
                "支持类型": "、".join(clause.benefits),
                Status.ELIGIBLE.label: int((column == ELIGIBLE).sum()),
                Status.PARTIAL.label: int((column == PARTIAL).sum()),
                Status.UNKNOWN.label: int((column == UNKNOWN_STATUS).sum()),
                Status.INELIGIBLE.label: int((column == INELIGIBLE).sum()),
                "条款原文": clause.text,
                CLAUSE_ID: clause.id,
            }
        )
    return pd.DataFrame(rows)
