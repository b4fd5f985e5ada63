"""Who is using the page: the login box in the sidebar (local accounts, or the deployment's single sign-on
through Streamlit's own OIDC login), the acting account re-read from the registry on every run.

The session keeps only the login name; each run reads the account again, so a role changed or an account
disabled by the 管理员 counts from the next click. Nobody logged in is the public (``access.ANONYMOUS``).
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from recommender.registry import accounts, db
from recommender.registry.access import ANONYMOUS, PUBLIC, ROLE_LABELS, Actor
from recommender.registry.errors import RegistryError

from . import profile_form, store
from .markup import md

USER = store.LOGIN  # st.session_state key: the logged-in account's login name
_ACTOR = "auth_actor"  # the actor app.py read for this run (``acting``)
_REFUSED = "auth_refused"  # the last login refusal, shown once


def sso_configured() -> bool:
    """Whether the deployment configured single sign-on (an ``[auth]`` section in .streamlit/secrets.toml)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises its own StreamlitSecretNotFoundError
        return False


def _sso_email() -> str | None:
    if not sso_configured() or not st.user.is_logged_in:
        return None
    return str(st.user.get("email") or "") or None


def current() -> Actor:
    """The acting account for this run, read from the registry (app.py, once per run): the local login, else
    the single-sign-on identity's linked account, else the public. A login whose account was disabled or
    removed since is ended. Pages and callbacks then take it from ``acting``."""
    actor = _read()
    st.session_state[_ACTOR] = actor
    return actor


def acting() -> Actor:
    """The actor ``current`` read for this run (in a callback: for the run that drew its button, which
    ``store.attempt`` checks again inside the action's own transaction); the public when none was read."""
    return st.session_state.get(_ACTOR, ANONYMOUS)


def _read() -> Actor:
    ss = st.session_state
    if username := ss.get(USER):
        actor, exc = store.read(lambda s: accounts.by_username(s, username))
        if actor is not None:
            ss[store.ROLE] = actor.role  # what this run's pages are drawn for (store.attempt checks it)
            return actor
        if exc is None:  # disabled or removed: the login ends
            ss.pop(USER, None)
            ss[_REFUSED] = "您的账号已停用或被删除，已退出登录"
        else:  # the registry cannot be reached: this run is the public's, the login stays for the next
            ss[_REFUSED] = f"暂时无法确认登录：{exc}"
        return ANONYMOUS
    ss.pop(store.SSO_EMAIL, None)
    if email := _sso_email():
        actor, _ = store.read(lambda s: accounts.by_email(s, email))
        if actor is not None:  # what this run's pages are drawn for, checked again by store.attempt
            ss[store.ROLE], ss[store.SSO_EMAIL] = actor.role, email.strip().lower()
        return actor or ANONYMOUS
    return ANONYMOUS


def _log_in() -> None:
    ss = st.session_state
    try:
        actor = accounts.log_in(ss.get("auth_username", ""), ss.get("auth_password", ""))
    except RegistryError as exc:
        ss[_REFUSED] = str(exc)
    except SQLAlchemyError as exc:  # the database is unreachable: say so, log nobody in
        ss[_REFUSED] = db.failure_message(exc)
    else:
        ss[USER] = actor.username
        ss.pop(_REFUSED, None)
    ss["auth_password"] = ""  # never kept in the session


def _log_out() -> None:
    for key in list(st.session_state):
        del st.session_state[key]  # nothing the account saw stays for the next person at this browser
    profile_form.load_into_form({})  # and the form is emptied (the browser would send its values back)


def sidebar(actor: Actor) -> None:
    """The sidebar's account box: who is logged in and 退出登录, or the login form (and SSO when set up)."""
    with st.sidebar:
        if actor.role != PUBLIC:
            st.caption(f"已登录：{md(actor.name)}（{ROLE_LABELS[actor.role]}）")
            if _sso_email() and not st.session_state.get(USER):
                st.button("退出登录", key="auth_logout", on_click=st.logout)
            else:
                st.button("退出登录", key="auth_logout", on_click=_log_out)
            return
        refused = st.session_state.pop(_REFUSED, None)
        if refused:
            st.error(md(refused), icon=":material/error:")  # seen without opening the box
        with st.expander("工作人员登录", icon=":material/login:"):
            with st.form("auth_form", border=False):
                st.text_input("登录名", key="auth_username", max_chars=50)
                st.text_input("密码", key="auth_password", type="password", max_chars=accounts.PASSWORD_MAX)
                st.form_submit_button("登录", on_click=_log_in)
            if sso_configured():
                st.button("统一身份认证登录", key="auth_sso", on_click=st.login)
                if st.user.is_logged_in:
                    st.caption("您的统一身份账号尚未开通本系统的权限，请联系管理员。")
            st.caption("企业无需登录：填写自测并可提交给服务中心。")
