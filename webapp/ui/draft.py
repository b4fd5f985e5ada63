"""企业自测's form kept in the browser tab while it is open: a reload (F5, a dropped connection) starts a new
Streamlit session and emptied the form, losing what an enterprise had typed.

The draft goes to the tab's ``sessionStorage`` (Streamlit's own ``st.components.v2``, no package to add): it
stays in that tab alone, is gone when the tab is closed, never reaches the server's disk, a URL or the browser
history (``bind="query-params"`` would put an enterprise's figures in the history). Only the public's form is
kept: while staff are logged in (a registry record may be open in the form) the draft is cleared, so that a
reload, which logs them out, never shows a record to whoever uses the tab next.
"""

from __future__ import annotations

import json

import streamlit as st

from . import profile_form

KEY = "form_draft"  # the component's key
RESTORED = "form_draft_restored"  # set once the tab's saved draft was asked for and put into the form
NOTE = "form_draft_note"  # a draft was put back: said once above the form

_JS = """
export default function (component) {
  const { data, setStateValue } = component;
  const KEY = "beidou.self_check.draft";
  try {
    if (data.mode === "clear") {
      window.sessionStorage.removeItem(KEY);
    } else if (data.mode === "restore") {
      setStateValue("saved", window.sessionStorage.getItem(KEY) || "");
    } else if (data.mode === "keep") {
      window.sessionStorage.setItem(KEY, data.values);
    }
  } catch (error) {
    // storage refused (a browser policy): nothing is kept, and a restore finds nothing
    if (data.mode === "restore") setStateValue("saved", "");
  }
}
"""

_draft = st.components.v2.component("beidou_form_draft", js=_JS)


def keep(public: bool) -> None:
    """Keep the form's values in the tab, or put back those kept before a reload (call before the form's widgets
    are drawn, on 企业自测 only). ``public``: nobody is logged in; otherwise the tab's draft is cleared.

    On a new session the tab is first asked for its draft (the browser answers with a rerun); until it has
    answered nothing is written, so an empty new form never overwrites the draft it is about to get back. A
    draft is put back only into an empty form (nothing typed meanwhile), read as a loaded profile is
    (``profile_form.load_into_form``: values it cannot take are left out)."""
    ss = st.session_state
    if not public:
        _draft(key=KEY, data={"mode": "clear"})
        return
    if not ss.get(RESTORED):
        saved = getattr(_draft(key=KEY, data={"mode": "restore"}, on_saved_change=lambda: None), "saved", None)
        if saved is None:  # the browser has not answered yet
            return
        ss[RESTORED] = True
        if saved and not profile_form.form_values():
            try:
                data = json.loads(saved)
            except ValueError:
                return
            profile_form.load_into_form(data)
            ss[NOTE] = True
        return
    values = json.dumps(profile_form.form_values(), ensure_ascii=False)
    _draft(key=KEY, data={"mode": "keep", "values": values})


def note() -> None:
    """Say once, above the form, that what was typed in this tab before a reload was put back."""
    if st.session_state.pop(NOTE, False):
        st.info("已恢复本标签页中刚才填写的内容（仅保存在本标签页，关闭即清除）。", icon=":material/restore:")
