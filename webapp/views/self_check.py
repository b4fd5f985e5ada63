"""企业自测: fill in the profile, see the measures that apply, why, and what is still missing."""

import streamlit as st

from webapp.ui import editing, feedback, profile_form, registry_save, results, settings, store, style

style.page_header("企业政策自测", "填写企业基本情况，查看可申请的扶持措施、政策依据、尚缺条件和联系部门")

as_of = settings.as_of()
with st.sidebar:
    profile_form.save_and_load()
    # a record opened from the 企业档案库 page is edited by the counsellor who opened it
    by = store.operator(store.COUNSELLOR_DEFAULT if editing.current() else store.SELF_SERVICE_DEFAULT)

profile = profile_form.render()
if profile is not None:
    enterprise_id = registry_save.box(profile, by)
    results.render(profile, as_of, feedback.Target(by, enterprise_id))
