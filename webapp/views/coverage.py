"""政策工作人员：覆盖分析 — which enterprises the measures serve, which clauses match nobody, what a change does.

Thin: every number comes from ``recommender.coverage``; this page only collects choices and shows tables.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import altair as alt
import pandas as pd
import streamlit as st

from recommender import coverage as cv
from recommender import roster as roster_module
from recommender.corpus_models import CONDITION_FIELDS, OPS_BY_TYPE, Condition
from recommender.engine import Recommender
from recommender.profile import LABELS, Profile
from recommender.rules import requirement
from recommender.vocab import BENEFITS, INDUSTRIES, REGIONS, STAGES
from webapp.ui import push_view
from webapp.ui.style import page_header

SYNTHETIC, UPLOAD = "合成企业样本", "上传企业名单"
NEW = -1  # "add a condition" among a clause's conditions
ROW_HEIGHT = 18  # heatmap pixels per segment: every label readable
OP_LABELS = {  # in the order offered
    "gte": "≥",
    "gt": ">",
    "lte": "≤",
    "lt": "<",
    "in": "为其中之一",
    "not_in": "不为其中任何一个",
    "contains_any": "包含其中任一词",
    "any_of": "具备其中之一",
    "all_of": "同时具备",
    "none_of": "均不具备",
    "is": "是/否",
}
DISTRIBUTIONS = {
    "注册地": ("regions", cv.DEFAULT_REGIONS, REGIONS),
    "行业": ("industries", cv.DEFAULT_INDUSTRIES, INDUSTRIES),
    "发展阶段": ("stages", cv.DEFAULT_STAGES, STAGES),
    "企业规模": ("sizes", cv.DEFAULT_SIZES, cv.SIZE_CLASSES),
    "诉求": ("needs", cv.DEFAULT_NEEDS, BENEFITS),
}


# --- cached work ------------------------------------------------------------------------------


@st.cache_resource(show_spinner="正在读取政策库…")
def corpus() -> cv.CorpusView:
    return cv.CorpusView.from_recommender(Recommender.load())


@st.cache_data(show_spinner="正在生成合成企业…", max_entries=8)
def synthetic(size: int, seed: int, weights_json: str, missing_rate: float) -> list[Profile]:
    return cv.synthetic_population(size, seed, missing_rate=missing_rate, **json.loads(weights_json))


@st.cache_data(show_spinner="正在读取名单…", max_entries=4)
def read_uploaded(data: bytes, filename: str) -> tuple[list[Profile], list[str], list[str]]:
    roster = roster_module.read_roster(data, filename)
    return roster.profiles, [str(b) for b in roster.bad], list(roster.ignored_columns)


@st.cache_resource(show_spinner="正在逐企业评估全部措施…", max_entries=6)
def coverage(population_key: str, as_of: dt.date, valid_only: bool, _profiles: list[Profile]) -> cv.Coverage:
    return cv.compute_coverage(_profiles, corpus(), as_of=as_of, valid_only=valid_only)


@st.cache_data(show_spinner="正在计算条款相似度…", max_entries=8)
def duplicates(threshold: float, measures_only: bool) -> pd.DataFrame:
    view = corpus()
    return cv.near_duplicates(view.clauses, threshold, measures_only, documents=view.documents)


# --- small helpers ----------------------------------------------------------------------------


def download(frame: pd.DataFrame, label: str, filename: str) -> None:
    st.download_button(
        f"下载{label}（CSV）",
        cv.csv_bytes(frame),
        file_name=filename,
        mime="text/csv",
        key=f"dl_{filename}",
        disabled=frame.empty,
        on_click="ignore",
    )


def weight_editor(title: str, default: dict[str, float], allowed: tuple[str, ...]) -> dict[str, float]:
    frame = pd.DataFrame({"取值": list(allowed), "权重": [float(default.get(k, 0.0)) for k in allowed]})
    edited = st.data_editor(
        frame,
        key=f"weights_{title}",
        hide_index=True,
        disabled=["取值"],
        column_config={"权重": st.column_config.NumberColumn("权重", min_value=0.0, step=1.0)},
    )
    return {str(k): float(w) for k, w in zip(edited["取值"], edited["权重"], strict=True) if pd.notna(w) and w > 0}


def clause_label(view: cv.CorpusView, clause_id: str) -> str:
    clause = view.clause(clause_id)
    text = clause.title or clause.text
    return f"{clause_id}｜{view.documents[clause.policy_id].short_title}｜{text[:28]}{'…' if len(text) > 28 else ''}"


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def condition_text(cond: Condition) -> str:
    return f"{LABELS.get(cond.field, cond.field)}{requirement(cond)}"


# --- population -------------------------------------------------------------------------------


def choose_population() -> tuple[str, list[Profile]] | None:
    """The population key (for caches) and its profiles; None when nothing usable was given."""
    sources = [SYNTHETIC, UPLOAD]
    source = st.radio("企业样本", sources, horizontal=True, key="cov_source")
    if source == SYNTHETIC:
        st.session_state.setdefault("cov_size", 2000)
        st.session_state.setdefault("cov_seed", 0)
        st.session_state.setdefault("cov_missing", 0.0)
        c1, c2, c3 = st.columns(3)
        size = c1.number_input("企业数", min_value=10, max_value=20000, step=100, key="cov_size")
        seed = c2.number_input("随机种子", min_value=0, max_value=2**31 - 1, step=1, key="cov_seed")
        missing = c3.slider(
            "信息缺失率", 0.0, 0.5, step=0.05, key="cov_missing", help="随机留空园区、人数、收入等字段的比例"
        )
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
        empty = [title for title, (name, _, _) in DISTRIBUTIONS.items() if not weights[name]]
        if empty:
            st.error(f"请至少为一个取值设置正的权重：{'、'.join(empty)}")
            return None
        weights_json = json.dumps(weights, ensure_ascii=False, sort_keys=True)
        profiles = synthetic(int(size), int(seed), weights_json, float(missing))
        key = "synthetic:" + hashlib.sha256(f"{size}|{seed}|{missing}|{weights_json}".encode()).hexdigest()[:16]
        download(cv.population_frame(profiles), "合成企业名单", "合成企业名单.csv")
        return key, profiles
    upload = st.file_uploader("企业名单（CSV 或 Excel .xlsx；表头为档案字段名或中文名）", type=["csv", "xlsx"])
    if upload is None:
        st.info("请上传企业名单，或选择“合成企业样本”。")
        return None
    data = upload.getvalue()
    try:
        profiles, bad, ignored = read_uploaded(data, upload.name)
    except roster_module.RosterError as exc:
        st.error(f"{upload.name}：{exc}")
        return None
    if ignored:
        st.caption(f"未识别、已忽略的列：{'、'.join(ignored)}")
    if bad:
        with st.expander(f"有 {len(bad)} 行无法读取（其余 {len(profiles)} 行已读入）"):
            frame = pd.DataFrame({"问题": bad})
            st.dataframe(frame, hide_index=True)
            download(frame, "无法读取的行", "名单问题行.csv")
    if not profiles:
        st.error("名单中没有可用的企业。")
        return None
    return "upload:" + hashlib.sha256(data).hexdigest()[:16], profiles


# --- sections ---------------------------------------------------------------------------------


def heatmap(table: pd.DataFrame, dims: list[str]) -> None:
    st.session_state.setdefault("cov_min_n", 5)
    min_n = st.number_input("热力图只显示企业数不少于", min_value=1, step=1, key="cov_min_n")
    shown = table[table["企业数"] >= min_n].copy()
    st.caption(
        f"颜色为细分内每家企业平均可用的该类措施数（白色至深蓝），红色为 0。显示 {len(shown)} 个细分，"
        f"共 {len(table)} 个；完整数据见下表及下载。"
    )
    if shown.empty:
        st.info("没有达到该企业数的细分，请调低上面的数字。")
    else:
        shown["segment"] = cv.segment_label(shown, dims).to_numpy()
        long = shown.melt(
            id_vars=["segment", "企业数", "人均可用措施数"],
            value_vars=list(BENEFITS),
            var_name="benefit",
            value_name="value",
        ).rename(columns={"企业数": "n", "人均可用措施数": "total"})
        order = list(shown["segment"])
        chart = (
            alt.Chart(long)
            .mark_rect(stroke="white", strokeWidth=0.5)
            .encode(
                x=alt.X(
                    "benefit:N",
                    sort=list(BENEFITS),
                    title="支持类型",
                    axis=alt.Axis(orient="top", labelAngle=-45, labelOverlap=False),
                ),
                y=alt.Y(
                    "segment:N",
                    sort=order,
                    title=" × ".join(cv.DIMENSIONS[d] for d in dims),
                    axis=alt.Axis(labelLimit=320, labelOverlap=False, labelFontSize=11),
                ),
                color=alt.condition(
                    "datum.value == 0",
                    alt.value("#f4c7c3"),
                    alt.Color("value:Q", title="人均可用措施数", scale=alt.Scale(scheme="blues", domainMin=0)),
                ),
                tooltip=[
                    alt.Tooltip("segment:N", title="细分"),
                    alt.Tooltip("benefit:N", title="支持类型"),
                    alt.Tooltip("value:Q", title="人均可用该类措施数", format=".2f"),
                    alt.Tooltip("total:Q", title="人均可用措施总数", format=".2f"),
                    alt.Tooltip("n:Q", title="企业数"),
                ],
            )
            .properties(height=max(120, ROW_HEIGHT * len(order)))
        )
        st.altair_chart(chart, width="stretch")
    means = {name: st.column_config.NumberColumn(format="%.2f") for name in ["人均可用措施数", *BENEFITS]}
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            **means,
            "无可用措施企业占比": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1),
        },
    )
    download(table, "细分×支持类型表", "细分覆盖表.csv")


def unmatched_section(cov: cv.Coverage, include_partial: bool) -> None:
    items = cv.unmatched_measures(cov, include_partial)
    if items:
        st.markdown(
            f"**{len(items)} 条措施在样本中没有企业可用**，原因如下（条件逐条统计满足/不满足/无法判断的企业数）："
        )
        summary = cv.unmatched_table(items)
        st.dataframe(summary, hide_index=True)
        download(summary, "无人匹配条款", "无人匹配条款.csv")
        detail = cv.unmatched_conditions_table(items)
        st.dataframe(detail, hide_index=True)
        download(detail, "无人匹配条款的条件统计", "无人匹配条款条件.csv")
    else:
        st.success("样本中每条措施都至少有一家企业可用。下表按可申请企业数从少到多列出全部措施。")
    measures = cv.measure_table(cov).sort_values(["可申请", "需补充条件"], kind="stable")
    with st.expander("全部措施的匹配企业数", expanded=not items):
        st.dataframe(measures, hide_index=True)
        download(measures, "措施匹配统计", "措施匹配统计.csv")
    view = cov.corpus
    clause_id = st.selectbox(
        "查看一条措施的各条件有多少企业满足",
        list(measures["条款"]),
        key="cov_inspect",
        format_func=lambda i: clause_label(view, i),
    )
    clause = view.clause(clause_id)
    counts = cv.condition_counts(cov.rules, clause, view.documents[clause.policy_id])
    if counts:
        st.dataframe(cv.conditions_table([(clause_id, counts)]), hide_index=True)
    else:
        st.caption("该措施没有任何条件（也不限区域）：所有企业都可申请。")


def duplicates_section() -> None:
    st.session_state.setdefault("cov_threshold", cv.DEFAULT_DUPLICATE_THRESHOLD)
    st.session_state.setdefault("cov_dup_measures", True)
    c1, c2 = st.columns([2, 1])
    threshold = c1.slider("相似度阈值（TF-IDF 余弦）", 0.2, 0.95, step=0.05, key="cov_threshold")
    measures_only = c2.checkbox("只比较企业可用措施", key="cov_dup_measures")
    pairs = duplicates(float(threshold), bool(measures_only))
    st.caption(f"不同文件之间文字相近的条款共 {len(pairs)} 对，可考虑合并或统一口径。")
    st.dataframe(pairs, hide_index=True)
    download(pairs, "近似重复条款", "近似重复条款.csv")
    for row in pairs.head(5).itertuples(index=False):
        with st.expander(f"相似度 {row[0]:.2f}：{row[1]} ↔ {row[4]}"):
            a, b = st.columns(2)
            a.markdown(f"**{row[2]}** `{row[1]}`")
            a.write(row[3])
            b.markdown(f"**{row[5]}** `{row[4]}`")
            b.write(row[6])


def value_widget(field_name: str, current: object, key: str) -> object:
    """A widget for a condition's value, of the field's kind, starting at ``current``."""
    kind = cv.editable_value_kind(field_name)
    label = f"新的取值（{LABELS.get(field_name, field_name)}）"
    if kind == "number":
        return st.number_input(label, value=float(current) if current is not None else 0.0, key=key)
    if kind == "bool":
        return st.radio(
            label,
            [True, False],
            index=0 if current in (True, None) else 1,
            key=key,
            format_func=_yes_no,
            horizontal=True,
        )
    options = cv.value_options(field_name)
    current_list = list(current) if isinstance(current, list) else []
    if options is not None:
        return st.multiselect(label, options, default=[v for v in current_list if v in options], key=key)
    text = st.text_input(label + "，多个用顿号分隔", value="、".join(current_list), key=key)
    return [w.strip() for w in text.replace("，", "、").replace(",", "、").split("、") if w.strip()]


def whatif_section(cov: cv.Coverage, include_partial: bool) -> None:
    view = cov.corpus
    kind = st.radio("改变什么", ["条款的一个条件", "文件的适用区域"], horizontal=True, key="cov_wi_kind")
    change: cv.Change | None = None
    try:
        if kind == "文件的适用区域":
            ids = sorted({c.policy_id for c in cov.measures})
            policy_id = st.selectbox(
                "文件", ids, key="cov_wi_doc", format_func=lambda p: f"{view.documents[p].short_title}（{p}）"
            )
            doc = view.documents[policy_id]
            regions = st.multiselect(
                "适用的区", list(REGIONS), default=list(doc.applies_to.regions), key=f"cov_wi_regions_{policy_id}"
            )
            if not regions and not doc.applies_to.parks:
                st.warning("不选任何区表示不限区域：全市企业都会满足该文件的区域条件。")
            if doc.applies_to.parks:
                st.caption(f"该文件另按园区限定：{'、'.join(doc.applies_to.parks)}（{doc.applies_to.zone or ''}）")
            if list(regions) != list(doc.applies_to.regions):
                change = cv.RegionEdit(policy_id, tuple(regions))
        else:
            ids = [c.id for c in cov.measures]
            clause_id = st.selectbox("条款", ids, key="cov_wi_clause", format_func=lambda i: clause_label(view, i))
            clause = view.clause(clause_id)
            st.caption(clause.text)
            doc = view.documents[clause.policy_id]
            area = "、".join(doc.applies_to.regions) or doc.applies_to.zone or "不限"
            st.caption(f"文件适用区域：{area}（在“文件的适用区域”中修改）")
            options = [*range(len(clause.eligibility)), NEW]
            picked = st.selectbox(
                "条件",
                options,
                key=f"cov_wi_cond_{clause_id}",
                format_func=lambda i: "＋ 新增一个条件" if i == NEW else condition_text(clause.eligibility[i]),
            )
            if picked == NEW:
                fields = list(CONDITION_FIELDS)
                c1, c2 = st.columns(2)
                field_name = c1.selectbox(
                    "字段", fields, key=f"cov_wi_newfield_{clause_id}", format_func=lambda f: LABELS.get(f, f)
                )
                op = c2.selectbox(
                    "运算",
                    [o for o in OP_LABELS if o in OPS_BY_TYPE[CONDITION_FIELDS[field_name][0]]],
                    key=f"cov_wi_newop_{clause_id}_{field_name}",
                    format_func=lambda o: OP_LABELS[o],
                )
                value = value_widget(field_name, None, f"cov_wi_newvalue_{clause_id}_{field_name}")
                if value not in (None, []):
                    change = cv.ConditionEdit(clause_id, None, cv.new_condition(field_name, op, value))
            else:
                cond = clause.eligibility[picked]
                st.caption(f"原文：“{cond.quote}”")
                remove = st.checkbox("删除这个条件", key=f"cov_wi_remove_{clause_id}_{picked}")
                if remove:
                    change = cv.ConditionEdit(clause_id, picked, None)
                else:
                    value = value_widget(cond.field, cond.value, f"cov_wi_value_{clause_id}_{picked}")
                    if value != cond.value and value not in (None, []):
                        change = cv.ConditionEdit(clause_id, picked, cv.with_value(cond, value))
    except ValueError as exc:
        st.error(f"取值无效：{exc}")
        return
    if change is None:
        st.info("改变上面的取值，即可看到哪些企业获得或失去资格。")
        return
    result = cv.what_if(cov, change, include_partial)
    st.markdown(f"**假设：** {result.description}")
    summary = result.summary()
    cols = st.columns(4)
    for col, name in zip(cols, ["获得资格企业数", "失去资格企业数", "新覆盖企业数", "不再被覆盖企业数"], strict=True):
        col.metric(name, summary[name])
    st.caption(
        f"涉及 {summary['涉及措施数']} 条措施；企业×措施：获得 {summary['获得资格（企业×措施）']}，"
        f"失去 {summary['失去资格（企业×措施）']}。“新覆盖”指原本没有任何可用措施、改变后有了的企业。"
    )
    who = cv.what_if_table(cov, result)
    st.dataframe(who, hide_index=True)
    download(who, "假设分析企业名单", "假设分析.csv")


# --- the page ---------------------------------------------------------------------------------


def main() -> None:
    page_header(
        "政策覆盖分析",
        "面向政策工作人员：哪些类型的企业没有措施可用、哪些条款无人匹配、哪些条款彼此重复、改一个门槛会怎样、"
        "一条措施该通知档案库中的哪些企业",
    )
    analysis, audience, changes = st.tabs(["覆盖分析", "谁该知道这条措施", "政策变化推送"])
    with audience:
        push_view.audience_section()
    with changes:
        push_view.push_section()
    with analysis:
        coverage_analysis()


def coverage_analysis() -> None:
    view = corpus()
    st.subheader("① 企业样本")
    population = choose_population()
    if population is None:
        return
    key, profiles = population

    st.subheader("② 分析设置")
    st.session_state.setdefault("cov_as_of", dt.date.today())
    st.session_state.setdefault("cov_valid_only", False)
    st.session_state.setdefault("cov_partial", False)
    st.session_state.setdefault("cov_dims", ["region", "industry", "stage"])
    c1, c2, c3 = st.columns(3)
    as_of = c1.date_input("评估日期", key="cov_as_of")
    valid_only = c2.checkbox("只统计评估日有效的文件", key="cov_valid_only")
    include_partial = c3.checkbox("“需补充条件”也算可用", key="cov_partial", help="默认只把“可申请”算作可用")
    dims = st.multiselect(
        "细分维度", list(cv.DIMENSIONS), key="cov_dims", format_func=cv.DIMENSIONS.get, help="细分 = 所选维度的组合"
    )
    if not dims:
        st.warning("请至少选择一个细分维度。")
        return

    cov = coverage(key, as_of, valid_only, profiles)
    table = cv.segment_table(cov, dims, include_partial)
    empty = cv.uncovered_segments(table)
    unmatched = cv.unmatched_measures(cov, include_partial)
    expired = int((~cov.valid).sum())
    if expired:
        st.info(
            f"评估日 {as_of.isoformat()} 有 {expired} 条措施所在文件已过期，仍计入统计（在措施表“有效”列标为 False）；"
            "勾选“只统计评估日有效的文件”可排除。"
        )
    st.subheader("③ 结果")
    m = st.columns(5)
    m[0].metric("企业数", len(profiles))
    m[1].metric("参与统计的措施", len(cov.measures))
    m[2].metric("细分数", len(table))
    m[3].metric("无措施的细分", len(empty))
    m[4].metric("无人匹配的措施", len(unmatched))

    tabs = st.tabs(["覆盖热力图", "无措施的细分", "无人匹配的条款", "近似重复条款", "假设分析", "诉求满足情况"])
    with tabs[0]:
        heatmap(table, dims)
    with tabs[1]:
        if empty.empty:
            st.success("每个细分都至少有一家企业有可用措施。")
        else:
            where = " × ".join(cv.DIMENSIONS[d] for d in dims)
            st.markdown(f"以下 **{len(empty)}** 个细分（{where}）中没有任何企业有可用措施：")
        st.dataframe(empty, hide_index=True)
        download(empty, "无措施的细分", "无措施细分.csv")
    with tabs[2]:
        unmatched_section(cov, include_partial)
    with tabs[3]:
        duplicates_section()
    with tabs[4]:
        whatif_section(cov, include_partial)
    with tabs[5]:
        needs = cv.needs_table(cov, include_partial)
        st.dataframe(
            needs,
            hide_index=True,
            column_config={"满足率": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)},
        )
        download(needs, "诉求满足情况", "诉求满足情况.csv")
    st.caption(f"政策库：{len(view.documents)} 份文件，{len(view.measures)} 条企业可用措施。")


main()
