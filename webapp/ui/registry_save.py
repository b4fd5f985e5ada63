"""保存到企业档案库 on the self-check page: add the enterprise, or update its record against the version shown."""

from __future__ import annotations

import time
from typing import Any

import streamlit as st
from sqlalchemy.orm import Session

from recommender.profile import Profile
from recommender.registry import enterprises, submissions
from recommender.registry.access import PUBLIC, Actor, may_write
from recommender.registry.enterprises import ConflictError, RegistryError
from recommender.registry.states import POOL_STAGES, counsellor_text

from . import assignable, auth, editing, profile_form, store
from .editing import MESSAGE
from .markup import md
from .registry_data import Record


def _outcome(exc: Exception | None, success: str) -> None:
    if exc is None:
        st.session_state[MESSAGE] = ("success", success)
    else:
        st.session_state[MESSAGE] = ("conflict" if isinstance(exc, ConflictError) else "error", str(exc))


def _saved(before: int, after: int) -> str:
    return "档案内容没有变化，无需保存。" if after == before else f"已保存到企业档案库（第 {after} 版）。"


def _save_edit(profile: Profile, by: Actor) -> None:
    """保存修改: the record opened from the registry page, against the version it was opened at."""
    edit = editing.current()
    record, exc = store.attempt(
        lambda s: Record.of(
            enterprises.update(
                s, edit["id"], expected_version=edit["version"], by=by, profile=profile, source="企业自测页编辑"
            )
        )
    )
    if record is None:
        _outcome(exc, "")
        return
    editing.remember(record)
    _outcome(None, _saved(edit["version"], record.version))


def _reload() -> None:
    """After a conflict: the latest record into the form (what the page held is given up on purpose)."""
    edit = editing.current()
    by = auth.acting()
    record, exc = store.attempt(lambda s: Record.of(enterprises.get(s, edit["id"], by)))
    if record is None:
        _outcome(exc, "")
        return
    profile_form.load_submitted(record.profile)
    editing.remember(record)
    _outcome(None, f"已载入档案库中的最新内容（第 {record.version} 版）。")


def _update_found(enterprise_id: int, version: int, profile: Profile, by: Actor) -> None:
    """用本页内容更新档案: the record found by name, against the version that was displayed."""
    record, exc = store.attempt(
        lambda s: Record.of(
            enterprises.update(s, enterprise_id, expected_version=version, by=by, profile=profile, source="企业自测页")
        )
    )
    _outcome(exc, _saved(version, record.version) if record is not None else "")


def _add(profile: Profile, by: Actor) -> None:
    ss = st.session_state
    record, exc = store.attempt(
        lambda s: Record.of(
            enterprises.add(
                s, profile, by=by, counsellor=ss["save_counsellor"], stage=ss["save_stage"], source="企业自测页"
            )
        )
    )
    _outcome(exc, f"已加入企业档案库（第 {record.version} 版）。" if record is not None else "")


def _submit(profile: Profile) -> None:
    """提交给服务中心 (the public): a submission that changes no record until a 辅导员 accepts it; one per
    SUBMIT_EVERY from a browser session, so a flood from one page cannot fill the service centre's queue."""
    ss = st.session_state
    contact = ss.get("save_contact")
    sent = (profile.public_dict(), contact)
    last = ss.get(_LAST_SUBMIT)
    if last is not None and time.monotonic() - last[0] < SUBMIT_EVERY:
        if last[1] == sent:  # a double click: the one submission stands (a red line said it failed: a trial)
            _outcome(None, f"{SUBMITTED}（刚才已提交，无需再次提交）")
        else:
            _outcome(RegistryError(f"刚刚已提交过一次（已收到）；修改后的内容请 {SUBMIT_EVERY} 秒后再提交"), "")
        return
    _, exc = store.attempt(lambda s: submissions.submit(s, profile, contact).id)
    if exc is None:
        ss[_LAST_SUBMIT] = (time.monotonic(), sent)
    _outcome(exc, SUBMITTED)


SUBMITTED = "已提交给服务中心。辅导员核对后会与您联系；在此之前，您的提交不会改动任何档案。"


SUBMIT_EVERY = 60  # seconds between two submissions from one browser session
_LAST_SUBMIT = "save_last_submit"


def _public_box(profile: Profile) -> None:
    st.caption(
        "把本页填写的情况发给企业服务中心：辅导员核对后与您联系、跟进咨询和申报。"
        "提交后您看不到也改不了档案库中的任何记录。"
    )
    # no max_chars: the browser dropped a longer paste whole and the submission went without a contact; the
    # registry refuses one that is too long, in a line, and what was typed stays in the box
    st.text_input(
        f"联系人和电话（选填，{submissions.CONTACT_MAX} 字以内）", key="save_contact", placeholder="如：王经理 021-…"
    )
    st.button(
        "提交给服务中心", type="primary", icon=":material/send:", key="save_submit", on_click=_submit, args=(profile,)
    )
    _messages()


def _find(session: Session, profile: Profile, by: Actor) -> Record | None:
    """The registered record of ``profile`` when there is one; AccessDenied when ``by`` may not read it."""
    enterprise = enterprises.find(session, profile.name, profile.credit_code)
    return Record.of(enterprises.get(session, enterprise.id, by)) if enterprise is not None else None


def _unsubmitted(profile: Profile) -> bool:
    """The form holds changes that 开始匹配 has not taken yet (or values that do not validate)."""
    held = profile_form.form_profile()  # parsed once per change of the form, not on every rerun
    return held is None or held != profile


def _messages(keep_conflict: bool = False) -> None:
    """The last save's outcome, shown once; a conflict while editing stays until reloaded or saved."""
    kind, text = st.session_state.get(MESSAGE, (None, ""))
    if kind == "success":
        st.success(md(text), icon=":material/check_circle:")
    elif kind is not None:
        st.error(md(text), icon=":material/error:")
    if kind is not None and not (keep_conflict and kind == "conflict"):
        st.session_state.pop(MESSAGE)


def _editing(profile: Profile, by: Actor, edit: dict[str, Any]) -> int:
    st.markdown(f"正在修改档案库中的“{md(edit['name'])}”（打开时为第 {edit['version']} 版）。")
    if profile.name != edit["name"]:
        st.warning(f"企业名称已改为“{md(profile.name)}”，保存后档案中的名称也会随之修改。")
    pending = _unsubmitted(profile)
    if pending:
        st.caption(":orange[表单中有尚未提交的修改：请先点“开始匹配”，再保存。]")
    a, b, _ = st.columns([1, 1, 2])
    a.button(
        "保存修改",
        type="primary",
        icon=":material/save:",
        key="save_edit",
        on_click=_save_edit,
        args=(profile, by),
        disabled=pending,  # it would save the last matched profile, not what the form now shows
    )
    b.button("不再关联该档案", key="save_unlink", on_click=editing.forget)
    _messages(keep_conflict=True)
    if st.session_state.get(MESSAGE, ("",))[0] == "conflict":
        st.button(
            "载入档案库中的最新内容（放弃本页的修改）", key="save_reload", icon=":material/refresh:", on_click=_reload
        )
    return edit["id"]


def box(profile: Profile, by: Actor) -> int | None:
    """The 保存到企业档案库 box; returns the enterprise's registry id when it is in the registry and ``by``
    may read it. The public gets 提交给服务中心 instead: it never reads or writes a record."""
    if by.role == PUBLIC:
        with st.expander("提交给企业服务中心", icon=":material/send:"):
            _public_box(profile)
        return None
    edit = editing.current()
    with st.expander("保存到企业档案库", icon=":material/folder_shared:", expanded=bool(edit)):
        if edit:
            return _editing(profile, by, edit)
        found, exc = store.attempt(lambda s: _find(s, profile, by))
        if exc is not None:
            st.warning(str(exc), icon=":material/warning:")
            return None
        if found:
            who = md(counsellor_text(found.counsellor))
            st.markdown(
                f"档案库中已有“{md(found.name)}”（第 {found.version} 版，专员：{who}，培育库阶段：{found.stage}，"
                f"最近由 {md(found.updated_by)} 于 {store.local_time(found.updated_at)} 修改）。"
            )
            if found.name != profile.name:  # the same name key, or the same 统一社会信用代码 under a new name
                st.caption(f"本页的企业名称“{md(profile.name)}”与档案中的写法不同；更新档案会改用本页的写法。")
            if not may_write(by, found.counsellor):
                return found.id
            st.button(
                "用本页内容更新档案",
                key="save_update",
                icon=":material/save:",
                on_click=_update_found,
                args=(found.id, found.version, profile, by),
            )
            _messages()
            return found.id
        if not may_write(by, None):
            st.caption("档案库中还没有这家企业（政策工作人员只能查看档案）。")
            return None
        st.caption("把本企业加入一企一档培育库，辅导员可以跟进咨询和申报。")
        a, b = st.columns(2)
        a.selectbox("专员", assignable.counsellors(by), key="save_counsellor", format_func=counsellor_text)
        b.selectbox("培育库阶段", POOL_STAGES, key="save_stage")
        st.button(
            "加入档案库", type="primary", icon=":material/add:", key="save_add", on_click=_add, args=(profile, by)
        )
        _messages()
        return None
