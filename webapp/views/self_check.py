"""企业自测: fill in the profile, see the measures that apply, why, and what is still missing."""

import streamlit as st

from recommender.registry.access import PUBLIC
from webapp.ui import auth, draft, feedback, profile_form, registry_save, results, settings, style

style.page_header("企业政策自测", "填写企业基本情况，查看可申请的扶持措施、政策依据、尚缺条件和联系部门")

as_of = settings.as_of()
by = auth.acting()  # the public, or the logged-in account (a record opened from 企业档案库 is edited as it)
with st.sidebar:
    draft.keep(public=by.role == PUBLIC)  # before the form's widgets: a reload puts back what was typed
    profile_form.save_and_load()

draft.note()
profile = profile_form.render()
if profile is not None:
    if profile_form.edited_since_submitted():
        st.warning("表单内容已修改，以下仍是上次提交内容的匹配结果；请点“开始匹配”更新。", icon=":material/update:")
    enterprise_id = registry_save.box(profile, by)
    results.render(profile, as_of, feedback.Target(by, enterprise_id))
