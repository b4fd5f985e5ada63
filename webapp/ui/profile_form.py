"""The enterprise profile form: every field of the profile spec, values kept in st.session_state.

Widgets keep their values for the whole session (``persist_state="session"``), across page
switches and failed submissions. An empty number is *unknown*, never zero.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import streamlit as st
from pydantic import ValidationError

from recommender.places import park_elsewhere
from recommender.profile import LABELS, STAND_INS, FieldError, Profile, ProfileError, json_of, parse_profile
from recommender.profile_fields import extra_fields, field_kind, is_ratio
from recommender.quantities import number_text
from recommender.vocab import BENEFITS, INDUSTRIES, QUALIFICATIONS, REGIONS, STAGES

from .checked import ANY_DAY
from .markup import md

PREFIX = "pf_"
SUBMITTED = "submitted_profile"  # the last valid Profile submitted (or loaded from the registry)
SUBMITTED_VALUES = "submitted_values"  # the form's values (``form_values``) when SUBMITTED was set
ERRORS = "profile_errors"  # list[FieldError] of the last submission that failed
OPEN = "profile_form_open"
UPLOAD = "profile_upload"  # the key of the 载入档案 uploader (its hint states LIMITS.profile_kb: style.OWN_LIMITS)
PARSED = "profile_form_parsed"  # (form values, their Profile or None): the form parsed once per change
YES_NO = {"未填写": None, "是": True, "否": False}
NO_TITLES = "无"  # the qualifications option that says "none" (an empty choice is "not stated")
MONEY = ("revenue", "rd_expense", "high_tech_revenue", "total_assets")
HELP = {
    "name": "营业执照上的企业全称",
    "region": "企业注册地所在的区",
    "park": "如：张江科学城、漕河泾开发区、临港新片区、金桥、碳谷绿湾；不在园区可不填",
    "industry": "可从列表中选择，也可直接输入，如“芯片设计”",
    "founded": "营业执照上的成立日期",
    "employees": "上年度末职工总数",
    "rd_staff": "直接从事研发和相关技术创新活动的人员",
    "revenue": "上一完整年度营业收入，单位：万元",
    "rd_expense": "上一完整年度研发费用，单位：万元",
    "high_tech_revenue": "上一年度高新技术产品（服务）收入，单位：万元",
    "total_assets": "上年度末资产总额，单位：万元",
    "other_ip": "实用新型、外观设计、软件著作权、集成电路布图设计等",
    "needs": "希望得到哪些方面的支持，可多选",
    "description": "主营业务、技术方向、当前遇到的困难或诉求，用自己的话写即可",
}


def key(field: str) -> str:
    """The st.session_state key of ``field``'s widget (``PREFIX`` + field name)."""
    return PREFIX + field


def _date_key(title: str) -> str:
    return f"{PREFIX}qdate_{QUALIFICATIONS.index(title)}"


def _label(field: str, required: bool = False) -> str:
    return LABELS[field] + (" *" if required else "")


# --- values ↔ profile ------------------------------------------------------------------------


def _from_widget(field: str, value: Any) -> Any:
    kind = field_kind(field)
    if kind == "bool":
        return YES_NO.get(value or "未填写")
    if value is None:
        return None
    if kind == "text":
        return value.strip() or None
    if kind == "date":
        return value.isoformat()
    if kind == "int":  # a float widget: a whole number as int, else as typed (the profile says 应为整数)
        return int(value) if float(value).is_integer() and abs(value) < 2**53 else value
    if kind == "float":
        # rounded to shed float noise (35.1 / 100 = 0.35100000000000003), not what was typed: 99.999999 % stays
        return round(value / 100, 10) if is_ratio(field) else float(value)
    if kind == "list":
        return list(value) or None
    return value


def _to_widget(field: str, value: Any) -> Any:
    kind = field_kind(field)
    if kind == "bool":
        return next(label for label, v in YES_NO.items() if v is value)
    if kind == "list":
        if value is None:
            return []
        return list(value) if value or field != "qualifications" else [NO_TITLES]
    if kind == "float" and value is not None and is_ratio(field):
        return round(value * 100, 8)
    if kind == "int" and value is not None:
        return float(value)  # its widget holds floats (``_number``)
    return value


def form_values() -> dict[str, Any]:
    """The profile the form holds now, in the interchange format (blank = left out)."""
    ss = st.session_state
    data: dict[str, Any] = {}
    for field in Profile.model_fields:
        if field != "qualification_dates" and (value := _from_widget(field, ss.get(key(field)))) is not None:
            data[field] = value
    dates = {
        t: ss[_date_key(t)].isoformat()
        for t in data.get("qualifications", [])
        if t != NO_TITLES
        if isinstance(ss.get(_date_key(t)), dt.date)
    }
    if dates:
        data["qualification_dates"] = dates
    return data


def form_profile() -> Profile | None:
    """The profile the form holds now, or None when it does not validate.

    Parsed once per change of the form's values: a rerun with the same values reuses the last parse.
    """
    values = form_values()
    cached = st.session_state.get(PARSED)
    if cached is None or cached[0] != values:
        try:
            profile = parse_profile(values)
        except ProfileError:
            profile = None
        cached = st.session_state[PARSED] = (values, profile)
    return cached[1]


def _field_values(data: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """Field by field, what the model accepts, and of a list each item it accepts (one title it does not know
    dropped the others: a break-it trial); and the errors for what it does not."""
    try:
        return dict(parse_profile(data)), []
    except ProfileError as exc:
        errors = exc.errors
    good: dict[str, Any] = {}
    for field, value in sorted(data.items(), key=lambda kv: kv[0] == "qualification_dates"):  # after the titles
        if field not in Profile.model_fields:
            continue
        extra = {"qualifications": good.get("qualifications") or []} if field == "qualification_dates" else {}
        if field_kind(field) == "list" and isinstance(value, list) and value:  # [] is said: none
            items = [item for part in value if (item := _accepted(field, [part], extra)) is not None]
            if items:
                good[field] = list(dict.fromkeys(x for item in items for x in item))
        elif (accepted := _accepted(field, value, extra)) is not None:
            good[field] = accepted
    return good, errors


def _accepted(field: str, value: Any, extra: dict[str, Any]) -> Any:
    """``value`` as the model reads ``field`` (with ``extra`` fields it depends on), or None when refused."""
    try:
        return getattr(Profile.model_validate({**STAND_INS, **extra, field: value}), field)
    except ValidationError:
        return None


def load_into_form(data: Profile | Any) -> list[FieldError]:
    """Put a profile (a Profile, or a saved interchange dict) into the form before its widgets are
    drawn; return what was wrong with it (what could be read is put in all the same)."""
    if isinstance(data, Profile):
        values, errors = dict(data), []
    elif isinstance(data, dict):
        values, errors = _field_values(data)
    else:
        return [FieldError("", "not_an_object", "档案应为 JSON 对象（{…}）")]
    ss = st.session_state
    for field in Profile.model_fields:
        if field != "qualification_dates":
            ss[key(field)] = _to_widget(field, values.get(field))
    for title in QUALIFICATIONS:
        ss[_date_key(title)] = (values.get("qualification_dates") or {}).get(title)
    return errors


def load_submitted(profile: Profile) -> None:
    """Put ``profile`` into the form as if it had just been submitted (before the widgets are drawn)."""
    load_into_form(profile)
    st.session_state[SUBMITTED] = profile
    st.session_state[SUBMITTED_VALUES] = form_values()
    st.session_state.pop(ERRORS, None)


def submitted() -> Profile | None:
    """The last valid profile submitted, if any (whatever page asks)."""
    return st.session_state.get(SUBMITTED)


def edited_since_submitted() -> bool:
    """Whether the form holds other values than when its profile was last submitted (or loaded): the results
    shown are then those of the earlier values."""
    ss = st.session_state
    return ss.get(SUBMITTED) is not None and form_values() != ss.get(SUBMITTED_VALUES)


# --- the form --------------------------------------------------------------------------------


def _errors_by_field() -> dict[str, list[str]]:
    """The last submission's errors as people read them, by field ("" for the profile as a whole)."""
    by_field: dict[str, list[str]] = {}
    for error in st.session_state.get(ERRORS, []):
        by_field.setdefault(error.field if error.field in LABELS else "", []).append(_in_form_units(error))
    return by_field


def _in_form_units(error: FieldError) -> str:
    """``error`` as people read it; a share's upper bound in the unit of its box, which takes percent while a
    profile holds a fraction ("不能大于 1.0（比例请填小数…）" told people to type 0.35 into a box marked %)."""
    typed = st.session_state.get(key(error.field)) if error.field in LABELS else None
    if error.code == "too_large" and is_ratio(error.field) and isinstance(typed, int | float):
        return f"{LABELS[error.field]}：不能大于 100%（填的是 {number_text(typed)}%）"
    return error.for_people()


def _inline_error(errors: dict[str, list[str]], field: str) -> None:
    for message in errors.get(field, []):
        st.markdown(f":red[:material/error: {md(message)}]")


def _number(field: str, errors: dict[str, list[str]], money: bool) -> None:
    # no min_value: Streamlit drops a value out of its bounds with an English tooltip; the profile's own checks
    # give a Chinese line under the field and keep what was typed
    # counts too are float widgets: an int one truncates 0.5 to 0 and loses 1e16 without a word; the profile
    # then says 应为整数 or 数值过大
    st.number_input(
        _label(field),
        value=None,
        step=10.0 if money else 1.0,
        format="%.2f" if money else "%g",
        placeholder="万元，未知可不填" if money else "未知可不填",
        help=HELP.get(field),
        key=key(field),
        persist_state="session",
    )
    _inline_error(errors, field)


def _basic(errors: dict[str, list[str]]) -> None:
    st.markdown("##### 基本信息")
    a, b = st.columns(2)
    with a:
        st.text_input(
            _label("name", True),
            key=key("name"),
            placeholder="如：上海某芯微电子有限公司",
            help=HELP["name"],
            persist_state="session",
        )
        _inline_error(errors, "name")
        st.text_input(_label("park"), key=key("park"), help=HELP["park"], persist_state="session")
        _inline_error(errors, "park")
        if elsewhere := park_elsewhere(st.session_state.get(key("region")), st.session_state.get(key("park"))):
            st.caption(f":orange[:material/help: {md(elsewhere)}]")
        st.selectbox(
            _label("stage"), STAGES, index=None, placeholder="请选择", key=key("stage"), persist_state="session"
        )
        _inline_error(errors, "stage")
    with b:
        st.selectbox(
            _label("region", True),
            REGIONS,
            index=None,
            placeholder="请选择注册地所在区",
            help=HELP["region"],
            key=key("region"),
            persist_state="session",
        )
        _inline_error(errors, "region")
        st.selectbox(
            _label("industry"),
            INDUSTRIES,
            index=None,
            placeholder="选择或输入行业",
            accept_new_options=True,
            help=HELP["industry"],
            key=key("industry"),
            persist_state="session",
        )
        _inline_error(errors, "industry")
        c, d = st.columns(2)
        with c:
            st.date_input(
                _label("founded"),
                value=None,
                **ANY_DAY,  # the profile says in Chinese what is out of range (Streamlit would, in English)
                format="YYYY-MM-DD",
                help=HELP["founded"],
                key=key("founded"),
                persist_state="session",
            )
            _inline_error(errors, "founded")
        with d:
            st.selectbox(_label("foreign_invested"), list(YES_NO), key=key("foreign_invested"), persist_state="session")


def _operations(errors: dict[str, list[str]]) -> None:
    st.markdown("##### 经营与研发")
    for row in (("employees", "rd_staff", "total_assets"), ("revenue", "rd_expense", "high_tech_revenue")):
        for col, field in zip(st.columns(3), row, strict=True):
            with col:
                _number(field, errors, money=field in MONEY)


def _ip_and_titles(errors: dict[str, list[str]]) -> None:
    st.markdown("##### 知识产权与资质")
    a, b = st.columns(2)
    with a:
        _number("invention_patents", errors, money=False)
    with b:
        _number("other_ip", errors, money=False)
    st.multiselect(
        _label("qualifications"),
        [*QUALIFICATIONS, NO_TITLES],
        placeholder="已取得的资质或身份，可多选；没有任何资质请选“无”（不选视为未填写）",
        key=key("qualifications"),
        persist_state="session",
    )
    _inline_error(errors, "qualifications")
    chosen = [t for t in st.session_state.get(key("qualifications")) or [] if t != NO_TITLES]
    if chosen:
        st.caption("资质首次取得日期（选填；部分措施只面向首次认定或新认定的企业）")
        cols = st.columns(min(len(chosen), 3))
        for i, title in enumerate(chosen):
            with cols[i % len(cols)]:
                st.date_input(
                    f"{title} 取得日期",
                    value=None,
                    **ANY_DAY,  # the profile says what is out of range (Streamlit would refuse in English)
                    format="YYYY-MM-DD",
                    key=_date_key(title),
                    persist_state="session",
                )
    _inline_error(errors, "qualification_dates")
    _extras(errors)


def _extra(field: str, errors: dict[str, list[str]]) -> None:
    kind, label = field_kind(field), LABELS.get(field, field)
    if kind == "bool":
        st.selectbox(label, list(YES_NO), key=key(field), persist_state="session")
    elif kind in ("int", "float"):
        ratio = is_ratio(field)
        st.number_input(  # no bounds, as in ``_number``: the profile's checks say what is out of range
            label + ("（%）" if ratio else ""),
            value=None,
            step=1.0,  # a float widget for counts too, as in ``_number``
            format="%g" if kind == "int" else "%.2f",
            placeholder="百分比，如 35 表示 35%" if ratio else "未知可不填",
            key=key(field),
            persist_state="session",
        )
        typed = st.session_state.get(key(field))
        if ratio and isinstance(typed, int | float) and 0 < typed < 1:  # a fraction typed into a box of percent?
            typed_text, meant = number_text(typed), number_text(typed * 100)
            st.caption(f":orange[:material/warning: 填的是 {typed_text}%；如指 {meant}%，请填 {meant}]")
    else:
        st.text_input(label, key=key(field), persist_state="session")
    _inline_error(errors, field)


def _extras(errors: dict[str, list[str]]) -> None:
    """Fields the model has beyond the spec (facts for the readiness checks), all optional."""
    fields = extra_fields()
    if not fields:
        return
    filled = any(st.session_state.get(key(f)) not in (None, "", "未填写") for f in fields)
    with st.expander("更多信息（选填，用于评估高企、专精特新等资质认定的准备度）", expanded=filled):
        cols = st.columns(3)
        for i, field in enumerate(fields):
            with cols[i % 3]:
                _extra(field, errors)


def _needs(errors: dict[str, list[str]]) -> None:
    st.markdown("##### 诉求")
    st.multiselect(
        _label("needs"), BENEFITS, placeholder="请选择", help=HELP["needs"], key=key("needs"), persist_state="session"
    )
    _inline_error(errors, "needs")
    st.text_area(
        _label("description"),
        key=key("description"),
        height=90,
        placeholder="如：芯片设计企业，今年首次认定高新技术企业，资金周转有些紧张，想了解区里的资助和贷款",
        help=HELP["description"],
        persist_state="session",
    )
    _inline_error(errors, "description")


def _submit() -> None:
    """Button callback (runs before the page is drawn again): validate, keep the profile or the errors."""
    ss = st.session_state
    values = form_values()
    try:
        profile = parse_profile(values)
    except ProfileError as exc:
        ss[ERRORS] = exc.errors
        ss.pop(SUBMITTED, None)
        ss[OPEN] = True
        return
    ss.pop(ERRORS, None)
    ss[SUBMITTED], ss[SUBMITTED_VALUES] = profile, values
    ss[OPEN] = False  # fold the form away so that the results come first


def render() -> Profile | None:
    """Draw the form; 开始匹配 validates it. Returns the last valid profile submitted, if any."""
    errors = _errors_by_field()
    with st.expander("企业基本情况", expanded=True, key=OPEN, on_change="rerun", icon=":material/edit_note:"):
        st.caption("带 * 的为必填项；其余不知道的可以不填，不会当作 0 处理，结果会提示还需要补充哪些信息。")
        with st.container(border=True):
            _basic(errors)
        with st.container(border=True):
            _operations(errors)
        with st.container(border=True):
            _ip_and_titles(errors)
        with st.container(border=True):
            _needs(errors)
        st.button("开始匹配", type="primary", icon=":material/search:", on_click=_submit)
        if st.session_state.get(ERRORS):
            st.error(
                "请修改以下内容后再提交（已填写的内容都已保留）：\n\n"
                + "\n".join(f"- {md(_in_form_units(e))}" for e in st.session_state[ERRORS]),
                icon=":material/error:",
            )
    return None if st.session_state.get(ERRORS) else submitted()


# --- save and load ---------------------------------------------------------------------------


def save_and_load() -> None:
    """Download the form as a profile JSON, or upload one saved earlier (draw before the form)."""
    st.markdown("**企业档案**")
    st.caption("保存填写的内容，下次上传即可继续；也可交给辅导员使用。")
    # no type=: Streamlit refuses another type in English ("… files are not allowed."); refused here in Chinese
    uploaded = st.file_uploader("载入档案（JSON）", key=UPLOAD)
    if uploaded is not None and st.session_state.get("profile_upload_id") != uploaded.file_id:
        st.session_state["profile_upload_id"] = uploaded.file_id
        try:
            if not uploaded.name.lower().endswith(".json"):
                said = f"“{uploaded.name}”不是档案 JSON 文件（.json），未载入"
                raise ProfileError([FieldError("", "wrong_type", said)])
            data = json_of(uploaded.getvalue())
        except ProfileError as exc:
            st.session_state["profile_load_problems"] = exc.errors
        else:
            st.session_state["profile_load_problems"] = load_into_form(data)
            st.session_state.pop(ERRORS, None)
    for problem in st.session_state.get("profile_load_problems", []):
        st.warning(md(problem.for_people()))
    data = form_values()
    name = data.get("name") or "企业"
    st.download_button(
        "保存档案（JSON）",
        json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8", errors="replace"),
        file_name=f"{name}-企业档案.json",
        mime="application/json",
        icon=":material/download:",
        on_click="ignore",
        width="stretch",
    )
