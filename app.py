"""政策北斗 web entry: page setup and navigation only; the pages live in webapp/views/."""

import streamlit as st

from webapp.ui import nav, resources

st.set_page_config(page_title="政策北斗 · 上海企业政策匹配", page_icon=":material/explore:", layout="wide")

pages = {
    "企业服务": [
        st.Page(nav.SELF_CHECK, title="企业自测", icon=":material/fact_check:", default=True),
        st.Page(nav.COUNSELLOR, title="辅导员工作台", icon=":material/support_agent:"),
        st.Page(nav.REGISTRY, title="企业档案库", icon=":material/folder_shared:"),
    ],
    "政策分析": [
        st.Page(nav.COVERAGE, title="政策覆盖分析", icon=":material/analytics:"),
    ],
    "政策管理": [
        st.Page(nav.LIBRARY, title="政策库管理", icon=":material/library_books:"),
    ],
}
page = st.navigation(pages)
resources.library_notice()
page.run()
