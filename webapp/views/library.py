"""政策库管理: policy staff add a policy document, review what was proposed, publish it, see who should hear."""

import streamlit as st

from webapp.ui import settings, store, style
from webapp.ui.markup import md

STEPS = ["上传文件", "文件列表", "审核", "发布"]

style.page_header("政策库管理", "上传新的政策文件，逐条审核系统提出的信息和条件，发布后企业自测等页面即刻可见")

as_of = settings.as_of()


def main() -> None:
    """The page: the step chosen, with the message the last action left. Its sections import the document
    readers and the proposal code (seconds on a fresh server): here, after the banner is drawn."""
    from webapp.ui import library_data, library_list, library_publish, library_review, library_upload

    step = st.radio(
        "步骤", STEPS, horizontal=True, key="lib_step", persist_state="session", label_visibility="collapsed"
    )
    library_data.show_flash()
    library_upload.warm()
    if step == "上传文件":
        library_upload.section()
        return
    docs, exc = store.attempt(library_data.all_documents)
    if docs is None:
        st.error(md(str(exc)), icon=":material/error:")
        return
    if step == "文件列表":
        library_list.section(docs)
    elif not docs:
        st.info("还没有新增的政策文件。请先在“上传文件”中上传。", icon=":material/info:")
    elif step == "审核":
        library_review.section(docs)
    else:
        library_publish.section(docs, as_of)


main()
