"""加入企业档案库 on the counsellor page: the uploaded roster into the registry, in one transaction."""

from __future__ import annotations

import streamlit as st

from recommender.registry import importer
from recommender.registry.access import COUNSELLOR, Actor
from recommender.registry.importer import ImportRefused
from recommender.registry.states import POOL_STAGES, counsellor_text
from recommender.roster import BadRow, Roster

from . import assignable, nav, store
from .markup import md
from .roster_view import bad_frame

OUTCOME = "roster_import"  # (roster signature, kind, message, bad rows) of the last import
RENAMES = "import_renames"  # the box confirming that rows renaming registered enterprises are renames
CHECKED = "roster_import_check"  # (roster signature, who, rows the registry would refuse) until the next import


def _signature(roster: Roster, file_name: str) -> tuple:
    return file_name, tuple((r.row, r.profile.model_dump_json()) for r in roster.rows), len(roster.bad)


def _bad_table(bad: list[BadRow]) -> None:
    st.dataframe(bad_frame(bad), hide_index=True, width="stretch")


def _import(roster: Roster, file_name: str, by: Actor) -> None:
    """Button callback (before the page is drawn, so that a refusal's bad rows show at once)."""
    ss = st.session_state
    ss.pop(CHECKED, None)  # the registry is checked again for the page drawn after the import
    skip = bool(ss.get("import_skip"))
    report, exc = store.attempt(
        lambda s: importer.import_roster(
            s,
            roster,
            by=by,
            source=file_name,
            counsellor=ss["import_counsellor"] or None,
            stage=ss["import_stage"],
            skip_bad=skip,
            renames=bool(ss.get(RENAMES)),
        )
    )
    signature = _signature(roster, file_name)
    if report is not None:
        notes = "".join(f"\n\n- {md(note)}" for note in report.notes)  # matched under another name or spelling
        ss[OUTCOME] = (signature, "done", f"已导入企业档案库：{md(report.summary())}。{notes}", report.bad)
    elif isinstance(exc, ImportRefused):
        ss[OUTCOME] = (signature, "refused", md(exc.for_people()), exc.bad)
    else:
        ss[OUTCOME] = (signature, "error", md(str(exc)), [])


def importable(roster: Roster, bad: list[BadRow], skip: bool) -> int:
    """How many rows an import writes (added or updated): none while ``bad`` rows remain unskipped, since
    the registry takes a roster whole or not at all; with ``skip``, the rows not among them."""
    if bad and not skip:
        return 0
    skipped = {r.row for r in bad}
    return len([r for r in roster.rows if r.row not in skipped])


def refused_now(roster: Roster, file_name: str, by: Actor) -> list[BadRow] | None:
    """The rows the registry would refuse if ``by`` imported ``roster`` now (``importer.refused_rows``: the
    file's bad rows, another 辅导员's enterprises, names and codes that disagree …), checked once per roster and
    account until the next import (a large roster takes seconds); None when the registry cannot be read."""
    ss, key = st.session_state, (_signature(roster, file_name), by.name, by.role)
    kept = ss.get(CHECKED)
    if kept and kept[0] == key:
        return kept[1]
    with st.spinner("正在与企业档案库核对名单…"):
        rows, _ = store.read(lambda s: importer.refused_rows(s, roster, by))
    if rows is not None:
        ss[CHECKED] = (key, rows)
    return rows


def _named_by_the_registry(bad: list[BadRow], roster: Roster, shown: bool) -> None:
    """The rows only the registry refuses (the file's own are listed above the import box), unless ``shown``
    already under a refusal."""
    own = {b.row for b in roster.bad}
    extra = [b for b in bad if b.row not in own]
    if extra and not shown:
        st.caption(f":orange[以下 {len(extra)} 行档案库不能导入：]")
        _bad_table(extra)


def _confirmed_renames(bad: list[BadRow]) -> list[BadRow]:
    """``bad`` without the rows renaming a registered enterprise (``importer.renaming``) once the box under their
    list confirms them (the import is then told ``renames``); the box is drawn only when there are some."""
    renamed = [b for b in bad if any(e.code == "renamed" for e in b.errors)]
    if not renamed:
        st.session_state.pop(RENAMES, None)
        return bad
    st.warning(
        f"名单中有 {len(renamed)} 行的统一社会信用代码属于档案库中另一名称的企业，导入会把该企业改名"
        "并用本行的信息更新：\n\n" + "\n".join(f"- 第 {b.row} 行：{md(b.errors[0].message)}" for b in renamed),
        icon=":material/warning:",
    )
    if not st.checkbox(f"确认这 {len(renamed)} 家企业已改名，按代码更新档案库中的企业", key=RENAMES):
        return bad
    return [b for b in bad if b not in renamed]


def box(roster: Roster, file_name: str, by: Actor) -> None:
    """专员, 阶段, and 导入 N 家到档案库, N counting only the rows the registry will take (``refused_now``);
    the roster on the page stays as it is whatever happens."""
    last = st.session_state.get(OUTCOME)  # the button's callback has already run
    last = last if last and last[0] == _signature(roster, file_name) else None
    # bad rows: those the registry would refuse now (the file's own among them), else those it named when it
    # refused, else the file's own (the registry cannot be read: the import will say why)
    refused = last[3] if last and last[1] == "refused" else []
    bad = refused_now(roster, file_name, by)
    bad = (refused or roster.bad) if bad is None else bad
    bad = _confirmed_renames(bad)
    st.caption("新入库的企业记为下面的专员和培育库阶段；已在档案库中的企业更新档案，专员和阶段不变。")
    a, b = st.columns(2)
    choices = assignable.counsellors(by)
    mine = choices.index(by.name) if by.role == COUNSELLOR else 0  # a 辅导员 imports for herself unless she says
    a.selectbox("专员", choices, index=mine, key="import_counsellor", format_func=counsellor_text)
    b.selectbox("培育库阶段", POOL_STAGES, key="import_stage")
    skip = bool(bad) and st.checkbox(f"跳过有问题的 {len(bad)} 行，只导入其余各行", key="import_skip")
    n = importable(roster, bad, skip)
    if bad and not skip:  # the registry writes nothing while bad rows remain: say so, the button says 0
        rest = importable(roster, bad, True)
        st.caption(
            f":orange[名单中有 {len(bad)} 行有问题，现在导入不会写入任何企业：改正后重新上传，"
            f"或勾选“跳过有问题的 {len(bad)} 行”，导入其余 {rest} 家。]"
        )
    _named_by_the_registry(bad, roster, shown=bool(refused))
    st.button(
        f"导入 {n} 家到档案库",
        type="primary",
        icon=":material/move_to_inbox:",
        key="import_go",
        on_click=_import,
        args=(roster, file_name, by),
        disabled=n == 0,
    )
    if last is None:
        return
    _, kind, message, rows = last
    if kind == "done":
        st.success(message, icon=":material/check_circle:")
        st.page_link(nav.REGISTRY, label="打开企业档案库", icon=":material/folder_shared:")
    else:
        st.error(message, icon=":material/error:")
        if rows:
            _bad_table(rows)
