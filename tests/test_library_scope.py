"""What the library covers, and what an enterprise of a district it does not cover is told."""

from __future__ import annotations

import datetime as dt

from recommender.corpus_models import AppliesTo, DocumentMeta
from recommender.engine import Recommender
from recommender.library_scope import area_of, covered_districts, district_note, library_scope

DAY = dt.date(2026, 11, 30)


def _doc(policy_id: str, valid_to: dt.date | None, **applies_to: object) -> DocumentMeta:
    return DocumentMeta(
        policy_id=policy_id,
        title=f"{policy_id}全称",
        short_title=policy_id,
        issuer="某委",
        valid_from=dt.date(2023, 1, 1),
        valid_to=valid_to,
        applies_to=AppliesTo(**applies_to),
    )


PUDONG = _doc("pd", dt.date(2025, 12, 31), regions=["浦东新区"])
JINSHAN = _doc("js", None, regions=["金山区"])
ZONE = _doc("zj", None, parks=["张江", "紫竹"], zone="张江高新区")
LIBRARY = [PUDONG, JINSHAN, ZONE]


def test_a_district_with_a_document_in_force_needs_no_word():
    assert district_note("金山区", LIBRARY, DAY) is None


def test_a_district_no_document_names_is_said_plainly_with_what_the_library_covers():
    note = district_note("黄浦区", LIBRARY, DAY)
    assert note is not None and note.startswith("本库暂未收录黄浦区的政策文件，下面的结果不含黄浦区本区的扶持措施")
    assert "已收录的区级文件：浦东新区、金山区" in note and "张江高新区（本库可识别的园区：张江、紫竹）" in note
    assert "请填写“所在园区”" in note
    in_park = district_note("闵行区", LIBRARY, DAY, park="紫竹科学园区")
    assert in_park is not None and "按企业所在园区适用的《zj》已列入结果" in in_park and "请填写" not in in_park
    assert district_note("上海市外", LIBRARY, DAY).startswith("本库只收录上海市的政策文件")


def test_a_district_whose_documents_all_ended_is_told_when_and_where_they_are_listed():
    note = district_note("浦东新区", LIBRARY, DAY)
    assert note is not None and "均不在有效期内（《pd》2025-12-31 到期）" in note
    assert "已到期文件的措施属上一轮政策，可向发文部门咨询是否延续" in note
    assert district_note("浦东新区", LIBRARY, dt.date(2024, 6, 30)) is None
    assert "仍在有效期内" in district_note("浦东新区", LIBRARY, DAY, park="张江")


def test_a_city_wide_document_covers_every_district():
    assert district_note("黄浦区", [*LIBRARY, _doc("sh", None)], DAY) is None


def test_the_shipped_library_lists_each_document_with_its_area_and_validity():
    engine = Recommender.load()
    rows = {r.policy_id: r for r in library_scope(engine.policies, DAY)}
    assert rows["xh-kczx-2015"].validity_label == "已到期" and rows["xh-kczx-2015"].period == "2015-08-14 至 2020-12-31"
    assert rows["js-yingshang-2022"].validity_label == "有效"
    assert rows["js-yingshang-2022"].period == "2022-03-17 起（未规定截止日期）"
    assert rows["pd-hnte-2023"].validity_label == "已到期" and rows["pd-hnte-2023"].measures > 0
    assert library_scope(engine.policies, dt.date(2015, 1, 1))[0].validity_label == "尚未生效"
    assert covered_districts(engine.documents.values())[:3] == ["浦东新区", "徐汇区", "金山区"]
    assert area_of(ZONE) == "张江高新区（按所在园区：张江、紫竹等）" and area_of(_doc("sh", None)) == "全市"
