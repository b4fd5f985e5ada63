"""账号管理 (管理员 only): the accounts, a new one, and a change of role, state or password."""

import pandas as pd
import streamlit as st

from recommender.registry import accounts
from recommender.registry.access import ROLE_LABELS, ROLES
from recommender.registry.errors import RegistryError
from webapp.ui import auth, store, style
from webapp.ui.markup import md

style.page_header("账号管理", "创建辅导员、政策工作人员和管理员的登录账号，调整角色、停用账号或重设密码")

by = auth.acting()
DONE = "acc_done"


def _said(exc: Exception | None, success: str) -> None:
    st.session_state[DONE] = ("error", md(str(exc))) if exc is not None else ("success", md(success))


def _create() -> None:
    ss = st.session_state
    if ss["acc_pw"] != ss["acc_pw2"]:
        _said(RegistryError("两次输入的密码不一致"), "")
    else:
        username, exc = store.attempt(
            lambda s: (
                accounts.create(
                    s, by, ss["acc_user"], ss["acc_name"], ss["acc_role"], ss["acc_pw"] or None, ss["acc_email"] or None
                ).username
            )
        )
        _said(exc, f"已创建账号 {username}。")
        if exc is None:  # a clean form for the next account
            ss["acc_user"] = ss["acc_name"] = ss["acc_email"] = ""
    ss["acc_pw"] = ss["acc_pw2"] = ""


def _change() -> None:
    ss = st.session_state
    active = {"启用": True, "停用": False}[ss["acc_state"]]
    username = ss["acc_pick"]
    if ss["acc_new_pw"] != ss["acc_new_pw2"]:
        _said(RegistryError("两次输入的新密码不一致"), "")
    else:
        _, exc = store.attempt(
            lambda s: accounts.change(s, by, username, ss["acc_new_role"], active, ss["acc_new_pw"] or None).id
        )
        _said(exc, f"已修改账号 {username}。")
    ss["acc_new_pw"] = ss["acc_new_pw2"] = ""


def main() -> None:
    """The page: the table of accounts, 新建账号 and 修改账号."""
    rows, exc = store.read(
        lambda s: [
            {
                "登录名": a.username,
                "姓名": a.name,
                "角色": ROLE_LABELS[a.role],
                "状态": "启用" if a.active else "停用",
                "邮箱（统一身份认证）": a.email or "",
                "锁定至": store.local_time(a.locked_until) if accounts.locked(a) and a.locked_until else "",
            }
            for a in accounts.listing(s, by)
        ]
    )
    if rows is None:
        st.error(md(str(exc)), icon=":material/error:")
        return
    if done := st.session_state.pop(DONE, None):
        (st.success if done[0] == "success" else st.error)(done[1])
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    left, right = st.columns(2)
    with left, st.form("acc_new"):
        st.markdown("##### 新建账号")
        st.text_input("登录名", key="acc_user", max_chars=50, help="英文字母、数字或 _ . @ -")
        st.text_input("姓名", key="acc_name", max_chars=100, help="记入修改历史，也是企业档案中的专员名")
        st.selectbox("角色", ROLES, key="acc_role", format_func=ROLE_LABELS.get)
        st.text_input("邮箱（选填，用于统一身份认证登录）", key="acc_email", max_chars=200)
        st.text_input("密码", key="acc_pw", type="password", help=f"至少 {accounts.PASSWORD_MIN} 个字符")
        st.text_input("再输入一次密码", key="acc_pw2", type="password")
        st.form_submit_button("创建", type="primary", on_click=_create)
    with right:
        _edit_form({r["登录名"]: r for r in rows})


def _prefill(rows: dict[str, dict]) -> None:
    """The chosen account's role and state into the form, so that 保存 changes only what is touched."""
    ss = st.session_state
    row = rows.get(ss.get("acc_pick"))
    if row is not None:
        ss["acc_new_role"] = next(r for r in ROLES if ROLE_LABELS[r] == row["角色"])
        ss["acc_state"] = row["状态"]


def _edit_form(rows: dict[str, dict]) -> None:
    st.markdown("##### 修改账号")
    st.selectbox("账号", list(rows), key="acc_pick", on_change=_prefill, args=(rows,))
    if "acc_new_role" not in st.session_state:
        _prefill(rows)
    with st.form("acc_edit"):
        st.selectbox("角色", ROLES, key="acc_new_role", format_func=ROLE_LABELS.get)
        st.radio("状态", ["启用", "停用"], key="acc_state", horizontal=True)
        st.text_input("新密码（不改则留空；重设后解除锁定）", key="acc_new_pw", type="password")
        st.text_input("再输入一次新密码", key="acc_new_pw2", type="password")
        st.form_submit_button("保存", on_click=_change, disabled=not rows)


main()
