"""企业档案库: the enterprises in the registry (一企一档), each with its profile, history and consultations."""

import streamlit as st

from recommender.registry import enterprises
from recommender.registry.access import may_write
from recommender.registry.states import UNASSIGNED
from webapp.ui import (
    auth,
    hints,
    registry_data,
    registry_view,
    settings,
    store,
    style,
    submissions_view,
    tabs,
    visits,
)

style.page_header("企业档案库", "一企一档：查看和维护培育库企业的档案、修改历史和咨询记录")

as_of = settings.as_of()
by = auth.acting()


def main() -> None:
    """The page: filters, the enterprise table, then the chosen one's 档案, 修改历史 and 咨询记录 tabs."""
    submissions_view.section(by)
    counsellors, exc = store.read(lambda s: enterprises.counsellors(s, by))
    if exc is not None:
        st.error(str(exc), icon=":material/error:")
        return
    counsellor, stage, text = registry_view.filters([*(counsellors or []), UNASSIGNED])  # 未分配: those with none
    found, exc = store.read(lambda s: registry_data.roster(s, by, counsellor, stage, text))
    if found is None:
        st.error(str(exc), icon=":material/error:")
        return
    total, records = found
    if not total:
        st.info(hints.EMPTY_REGISTRY, icon=":material/info:")
        return
    st.caption(f"档案库共 {total} 家企业，符合筛选条件的 {len(records)} 家。")
    if not records:  # an empty table says "empty" in English (a break-it trial)
        st.info("没有符合筛选条件的企业，可以放宽上面的筛选条件。", icon=":material/info:")
        return
    registry_view.listing(records)
    chosen = registry_view.pick(records)
    if chosen is None:
        return
    snap, exc = store.read(lambda s: registry_data.snapshot(s, chosen, by))
    if snap is None:
        st.error(str(exc), icon=":material/error:")
        return
    with st.container(border=True):
        registry_view.header(snap)
        labels = ["档案", f"修改历史（{len(snap.history)}）", f"咨询记录（{len(snap.visits)}）"]
        # kept on the open tab when a save changes a count: its message and buttons stay in sight
        profile, history, consulted = tabs.kept(labels, key=f"reg_tabs_{chosen}")
        with profile:
            registry_view.profile_tab(snap.record, by)
        with history:
            registry_view.history_tab(snap.history, snap.record, by)
        with consulted:
            writable = may_write(by, snap.record.counsellor)
            visits.past(snap.visits, by, writable)
            if writable:
                st.markdown("##### 新建咨询记录")
                visits.new_visit(snap.record, by, as_of)


main()
