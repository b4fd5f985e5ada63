"""政策北斗 web entry: page setup, the login box and the pages the acting account may open (webapp/views/).

Pages a role may not use are not in the navigation; their addresses open a hidden page that says, in Chinese,
who may use the page and to log in (a reload logs staff out: Streamlit said "Page not found" in English and
served 企业自测). The registry functions the pages call check the account again (recommender.registry.access).
"""

import streamlit as st

from recommender.registry.access import ADMIN, COUNSELLOR, PUBLIC, STAFF
from webapp.ui import auth, nav, resources
from webapp.ui.closed import closed_page

st.set_page_config(
    page_title="政策北斗 · 上海企业政策匹配",
    page_icon=__file__.removesuffix("app.py") + "webapp/assets/beidou.png",  # shipped, so no font server is asked
    layout="wide",
)

actor = auth.current()
role = actor.role
PAGES = (  # (group, script, title, icon, the roles that may open it)
    ("企业服务", nav.COUNSELLOR, "辅导员工作台", ":material/support_agent:", (COUNSELLOR, ADMIN)),
    ("企业服务", nav.REGISTRY, "企业档案库", ":material/folder_shared:", (COUNSELLOR, STAFF, ADMIN)),
    ("政策分析", nav.COVERAGE, "政策覆盖分析", ":material/analytics:", (STAFF, ADMIN)),
    ("政策管理", nav.LIBRARY, "政策库管理", ":material/library_books:", (STAFF, ADMIN)),
    ("系统管理", nav.ACCOUNTS, "账号管理", ":material/manage_accounts:", (ADMIN,)),
)
pages = {"企业服务": [st.Page(nav.SELF_CHECK, title="企业自测", icon=":material/fact_check:", default=True)]}
closed = []
for group, script, title, icon, roles in PAGES:
    if role in roles:
        pages.setdefault(group, []).append(st.Page(script, title=title, icon=icon))
    else:
        closed.append(closed_page(script, title, roles, role != PUBLIC))
pages.setdefault("企业服务", []).extend(closed)  # hidden: reached only by their address
page = st.navigation(pages)
auth.sidebar(actor)
resources.library_notice()
page.run()
