"""政策北斗 web entry: page setup, the login box and the pages the acting account may open (webapp/views/).

Pages a role may not use are not in the navigation (Streamlit then serves the default page for their
address); the registry functions they call check the account again (recommender.registry.access).
"""

import streamlit as st

from recommender.registry.access import ADMIN, COUNSELLOR, PUBLIC, STAFF
from webapp.ui import auth, nav, resources

st.set_page_config(
    page_title="政策北斗 · 上海企业政策匹配",
    page_icon=__file__.removesuffix("app.py") + "webapp/assets/beidou.png",  # shipped, so no font server is asked
    layout="wide",
)

actor = auth.current()
role = actor.role
services = [st.Page(nav.SELF_CHECK, title="企业自测", icon=":material/fact_check:", default=True)]
if role in (COUNSELLOR, ADMIN):
    services.append(st.Page(nav.COUNSELLOR, title="辅导员工作台", icon=":material/support_agent:"))
if role != PUBLIC:
    services.append(st.Page(nav.REGISTRY, title="企业档案库", icon=":material/folder_shared:"))
pages = {"企业服务": services}
if role in (STAFF, ADMIN):
    pages["政策分析"] = [st.Page(nav.COVERAGE, title="政策覆盖分析", icon=":material/analytics:")]
    pages["政策管理"] = [st.Page(nav.LIBRARY, title="政策库管理", icon=":material/library_books:")]
if role == ADMIN:
    pages["系统管理"] = [st.Page(nav.ACCOUNTS, title="账号管理", icon=":material/manage_accounts:")]
page = st.navigation(pages)
auth.sidebar(actor)
resources.library_notice()
page.run()
