"""企业样本: a synthetic population with editable distributions, or an uploaded roster.

The widgets (``choose_source``) sit in the page's settings box; the population is made or read (``load``) outside
it, so that its progress bar and a roster's problems show even when the box is closed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from recommender import coverage as cv
from recommender.profile import Profile
from recommender.roster import RosterError
from recommender.vocab import BENEFITS, INDUSTRIES, REGIONS, STAGES
from webapp.ui import checked
from webapp.ui.markup import md

from .data import download, read_uploaded, synthetic

SYNTHETIC, UPLOAD = "合成企业样本", "上传企业名单"
SIZES, SEEDS = (10, 20000), (0, 2**31 - 1)  # the 企业数 and 随机种子 taken
SIZE_HELP = f"{SIZES[0]} 至 {SIZES[1]} 家"
DISTRIBUTIONS = {  # tab title: (keyword of cv.synthetic_population, default weights, values allowed)
    "注册地": ("regions", cv.DEFAULT_REGIONS, REGIONS),
    "行业": ("industries", cv.DEFAULT_INDUSTRIES, INDUSTRIES),
    "发展阶段": ("stages", cv.DEFAULT_STAGES, STAGES),
    "企业规模": ("sizes", cv.DEFAULT_SIZES, cv.SIZE_CLASSES),
    "诉求": ("needs", cv.DEFAULT_NEEDS, BENEFITS),
}
Population = tuple[str, Sequence[Profile]]  # (key for the caches, profiles: shared, never changed)


def weight_editor(title: str, default: dict[str, float], allowed: tuple[str, ...]) -> dict[str, float]:
    """An editable table of weights; the values with a positive weight."""
    frame = pd.DataFrame({"取值": list(allowed), "权重": [float(default.get(k, 0.0)) for k in allowed]})
    edited = st.data_editor(
        frame,
        key=f"weights_{title}",
        hide_index=True,
        disabled=["取值"],
        column_config={"权重": st.column_config.NumberColumn("权重", min_value=0.0, step=1.0)},
    )
    return {str(k): float(w) for k, w in zip(edited["取值"], edited["权重"], strict=True) if pd.notna(w) and w > 0}


def _weights() -> dict[str, dict[str, float]]:
    weights: dict[str, dict[str, float]] = {}
    with st.expander("分布设置（相对权重，可直接修改）"):
        st.caption(
            "注册地、行业、发展阶段相互独立抽取；企业规模按发展阶段调整（初创期少有大型、已上市少有微型），"
            "人数和营业收入落在该规模的统计标准区间内；研发、知识产权、资质和诉求按合理比例生成。"
            "权重为示意性设定，不是统计数据。"
        )
        for tab, (title, (name, default, allowed)) in zip(
            st.tabs(list(DISTRIBUTIONS)), DISTRIBUTIONS.items(), strict=True
        ):
            with tab:
                weights[name] = weight_editor(title, default, allowed)
    return weights


@dataclass(frozen=True)
class Synthetic:
    """The synthetic population asked for (made by ``load``, outside the settings box)."""

    size: int
    seed: int
    missing: float
    weights_json: str  # the distributions' weights by keyword argument of cv.synthetic_population

    @property
    def key(self) -> str:
        """The population's key for the caches."""
        digest = hashlib.sha256(f"{self.size}|{self.seed}|{self.missing}|{self.weights_json}".encode())
        return "synthetic:" + digest.hexdigest()[:16]


Source = Synthetic | UploadedFile  # what choose_source asks for


def _synthetic() -> Synthetic | None:
    st.session_state.setdefault("cov_missing", 0.0)
    c1, c2, c3 = st.columns(3)
    # no bounds (Streamlit refuses a value out of them in English): checked below, in Chinese
    with c1:
        size = checked.whole_number_box("企业数", "cov_size", 2000, SIZES, step=100, help=SIZE_HELP)
    with c2:
        seed = checked.whole_number_box("随机种子", "cov_seed", 0, SEEDS)
    missing = c3.slider(
        "信息缺失率", 0.0, 0.5, step=0.05, key="cov_missing", help="随机留空园区、人数、收入等字段的比例"
    )
    weights = _weights()
    if size is None or seed is None:
        return None
    empty = [title for title, (name, _, _) in DISTRIBUTIONS.items() if not weights[name]]
    if empty:
        st.error(f"请至少为一个取值设置正的权重：{'、'.join(empty)}", icon=":material/error:")
        return None
    return Synthetic(size, seed, float(missing), json.dumps(weights, ensure_ascii=False, sort_keys=True))


def choose_source() -> Source | None:
    """The population's widgets (in the caller's container): a synthetic one's settings, or an uploaded roster;
    None when nothing usable was given (the reason shown beside the widgets)."""
    source = st.radio("企业样本", [SYNTHETIC, UPLOAD], horizontal=True, key="cov_source")
    if source == SYNTHETIC:
        return _synthetic()
    # no type=: Streamlit refuses another type in English; the roster's reader names the file and the types
    upload = st.file_uploader("企业名单（CSV 或 Excel .xlsx/.xls；表头为档案字段名或中文名）", key="cov_upload")
    if upload is None:
        st.info("请上传企业名单，或选择“合成企业样本”。", icon=":material/info:")
    return upload


def _uploaded(upload: UploadedFile) -> Population | None:
    data = upload.getvalue()
    try:
        profiles, bad, ignored = read_uploaded(data, upload.name)
    except RosterError as exc:
        st.error(md(f"{upload.name}：{exc}"), icon=":material/error:")
        return None
    if ignored:
        st.caption(f"未识别、已忽略的列：{md('、'.join(ignored))}")
    if bad:
        with st.expander(f"有 {len(bad)} 行无法读取（其余 {len(profiles)} 行已读入）"):
            frame = pd.DataFrame({"问题": bad})
            st.dataframe(frame, hide_index=True)
            download(frame, "无法读取的行", "名单问题行.csv")
    if not profiles:
        st.error("名单中没有可用的企业。", icon=":material/error:")
        return None
    return "upload:" + hashlib.sha256(data).hexdigest()[:16], profiles


def load(source: Source) -> Population | None:
    """The population key (for caches) and its profiles: the synthetic one made (a progress bar meanwhile), or the
    roster read (its problems shown); None when the roster has no usable enterprise."""
    if isinstance(source, Synthetic):
        return source.key, synthetic(source.size, source.seed, source.weights_json, source.missing)
    return _uploaded(source)


def describe(source: Source, profiles: Sequence[Profile]) -> str:
    """The population in a few words, for the line that says what the figures are about."""
    if isinstance(source, Synthetic):
        missing = f"，信息缺失率 {source.missing:.0%}" if source.missing else ""
        return f"合成企业样本 {len(profiles)} 家（随机种子 {source.seed}{missing}；示意数据，非统计数据）"
    return f"上传的企业名单“{md(source.name)}” {len(profiles)} 家"


def population_download(source: Source, profiles: Sequence[Profile]) -> None:
    """下载合成企业名单（CSV）, for a synthetic population (an uploaded roster is the person's own file)."""
    if isinstance(source, Synthetic):
        download(lambda: cv.population_frame(profiles), "合成企业名单", "合成企业名单.csv")
