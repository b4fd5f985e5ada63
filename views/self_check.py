"""企业自测: fill in the profile, see the measures that apply, why, and what is still missing."""

import streamlit as st

from recommender.ui import profile_form, results, style

style.page_header("企业政策自测", "填写企业基本情况，查看可申请的扶持措施、政策依据、尚缺条件和联系部门")

with st.sidebar:
    profile_form.save_and_load()

profile = profile_form.render()
if profile is not None:
    results.render(profile)
