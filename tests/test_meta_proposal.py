"""Metadata proposed from a policy text (recommender/ingest/meta_proposal.py): each variant of 文号, date,
validity and area, and the five sources of policies/sources/ against their hand-written .meta.yaml."""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.corpus_models import DocumentMeta
from recommender.ingest.build import load_source_metas
from recommender.ingest.clean import clean_line
from recommender.ingest.meta_proposal import (
    DEFAULT_FROM_NOTE,
    Found,
    MetaProposal,
    districts_in,
    normalize_doc_number,
    parse_date,
    propose_meta,
)

D = dt.date


def propose(text: str, **kw) -> MetaProposal:
    return propose_meta(text.strip("\n").split("\n"), **kw)


# --- 文号 ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "standard"),
    [
        ("浦科经委〔2023〕78号", "浦科经委〔2023〕78号"),
        ("浦科经委[2015]15号", "浦科经委〔2015〕15号"),
        ("徐委[2015]15", "徐委〔2015〕15号"),
        ("浦科经委（2023）78号", "浦科经委〔2023〕78号"),
        ("浦科经委(2023)78号", "浦科经委〔2023〕78号"),
        ("浦科经委【2023】78号", "浦科经委〔2023〕78号"),
        ("浦科经委［2023］78号", "浦科经委〔2023〕78号"),
        (" 沪府办发 〔 2023 〕 5 号 ", "沪府办发〔2023〕5号"),
        ("徐府发〔2024〕第3号", "徐府发〔2024〕3号"),
        ("沪府规〔2023〕005号", "沪府规〔2023〕5号"),
    ],
)
def test_doc_number_printed_variants_have_one_standard_form(printed, standard):
    assert normalize_doc_number(printed) == standard


@pytest.mark.parametrize(
    "text",
    [
        "（2023-2025年）",  # a title's years
        "计划（2023-2025年）",
        "〔2023〕78号",  # no agency
        "浦科经委〔2023〕",  # no serial
        "浦科经委〔2023〕0号",
        "浦科经委〔1890〕5号",
        "关于印发《浦东新区…》的通知",
        "",
    ],
)
def test_what_is_not_a_doc_number(text):
    assert normalize_doc_number(text) is None


_AGENCY = st.text(alphabet="沪府办发浦科经委徐金规字函区", min_size=1, max_size=6)
_BRACKETS = st.sampled_from(["〔〕", "[]", "（）", "()", "【】", "［］"])
_SPACE = st.sampled_from(["", " ", "  ", "\u3000"])


@settings(max_examples=200, deadline=None)
@given(_AGENCY, st.integers(1949, 2099), st.integers(1, 99999), _BRACKETS, _SPACE, st.booleans())
def test_doc_number_normalization_is_standard_and_idempotent(agency, year, serial, brackets, space, hao):
    printed = f"{agency}{space}{brackets[0]}{year}{brackets[1]}{space}{serial}{'号' if hao else ''}"
    standard = normalize_doc_number(printed)
    assert standard == f"{agency}〔{year}〕{serial}号"
    assert normalize_doc_number(standard) == standard


def test_the_doc_number_is_the_documents_own_not_a_cited_one_nor_a_title_bracket():
    found = propose("""
关于印发《浦东新区某某三年行动计划（2023-2025年）》的通知
根据《关于印发〈某办法〉的通知》（沪府办发〔2022〕5号）要求，制定本计划。
""").doc_number
    assert found == Found()
    found = propose("""
上海市浦东新区科技和经济委员会文件
浦科经委（2023）78号
关于印发《浦东新区某某三年行动计划（2023-2025年）》的通知
根据《关于印发〈某办法〉的通知》（沪府办发〔2022〕5号）要求，制定本计划。
""").doc_number
    assert found == Found("浦科经委〔2023〕78号", "浦科经委（2023）78号", 2)


def test_doc_number_from_a_field_a_signed_line_or_the_headings_bracket():
    assert propose("索引号：0001  发文字号：沪府规［2023］5号  成文日期：2023-05-22").doc_number.value == (
        "沪府规〔2023〕5号"
    )
    assert propose("沪府发〔2023〕12号    签发人：张三").doc_number.value == "沪府发〔2023〕12号"
    found = propose("上海市人民政府关于印发《上海市某某办法》的通知（沪府发〔2023〕1号）").doc_number
    assert found == Found("沪府发〔2023〕1号", "（沪府发〔2023〕1号）", 1)


# --- dates ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2023年5月22日", D(2023, 5, 22)),
        ("2023 年 05 月 22 日", D(2023, 5, 22)),
        ("2023-05-22", D(2023, 5, 22)),
        ("2023/5/22", D(2023, 5, 22)),
        ("2023.5.22", D(2023, 5, 22)),
        ("二〇二三年五月二十二日", D(2023, 5, 22)),
        ("二零二三年十二月三十一日", D(2023, 12, 31)),
        ("二○一五年八月十四日", D(2015, 8, 14)),  # ○ (white circle) as zero
        ("二O二四年一月一日", D(2024, 1, 1)),  # the letter O as zero
        ("2015814", D(2015, 8, 14)),  # undelimited: 8月14日 is the only valid reading
        ("20150814", D(2015, 8, 14)),
    ],
)
def test_date_spellings(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize(
    "text",
    ["2023年2月30日", "2023-13-01", "二〇二三年二月三十日", "2023111", "2023年5月", "2023", "五月二十二日", "abc"],
)
def test_what_is_not_a_date(text):
    assert parse_date(text) is None


COVER = """
上海市浦东新区科技和经济委员会文件

浦科经委（2023）78号

关于印发《浦东新区某某高质量发展三年行动计划（2023-2025年）》的通知

各有关单位：
现将《浦东新区某某高质量发展三年行动计划（2023-2025年）》印发给你们，请认真按照执行。到2025年底，完成各项任务。

上海市浦东新区科技和经济委员会

2023年5月22日

上海市浦东新区科技和经济委员会办公室  2023-05-23 印发

浦东新区某某高质量发展三年行动计划（2023-2025年）
一、总体要求
"""


def test_a_cover_letter_gives_title_issuer_number_and_signature_date():
    proposal = propose(COVER)
    assert proposal.title == Found(
        "浦东新区某某高质量发展三年行动计划（2023-2025年）",
        "关于印发《浦东新区某某高质量发展三年行动计划（2023-2025年）》的通知",
        5,
    )
    assert proposal.issuer.value == "上海市浦东新区科技和经济委员会"
    assert proposal.doc_number.value == "浦科经委〔2023〕78号"
    assert proposal.issued == Found(D(2023, 5, 22), "2023年5月22日", 12)  # not the 版记's 印发 day
    assert proposal.regions.value == ["浦东新区"]
    assert proposal.parks.value == []
    assert proposal.zone == Found()


def test_issued_prefers_the_written_date_field_then_the_signature_then_the_publication_field():
    page = "标题：关于某某的通知\n发布日期：2023-05-25  来源：上海市人民政府\n成文日期：2023年5月22日"
    assert propose(page).issued == Found(D(2023, 5, 22), "成文日期：2023年5月22日", 3)
    assert propose("发布日期：2023-05-25").issued.value == D(2023, 5, 25)
    signed = "发布日期：2023-05-25\n正文于2023年3月1日起草。\n上海市人民政府\n二〇二三年五月二十二日"
    assert propose(signed).issued == Found(D(2023, 5, 22), "二〇二三年五月二十二日", 4)


def test_issued_never_from_a_body_date_nor_an_impossible_one():
    assert propose("关于某某的通知\n自2023年3月1日起，企业可以申报。").issued == Found()
    assert propose("关于某某的通知\n上海市徐汇区人民政府\n2023年2月30日").issued == Found()


def test_issued_falls_back_to_the_printing_line():
    assert propose("关于某某的通知\n\n2023-05-23 印发").issued == Found(D(2023, 5, 23), "2023-05-23印发", 3)


# --- validity ---------------------------------------------------------------------------------------------


def test_title_years_with_issue_in_the_first_year():
    proposal = propose(COVER)
    assert proposal.valid_from.value == D(2023, 5, 22)
    assert proposal.valid_from.line == 5
    assert proposal.valid_to == Found(D(2025, 12, 31), "（2023-2025年）", 5)


def test_title_years_issued_before_the_first_year_start_on_its_first_day():
    text = "关于印发《某区产业发展行动方案（2023—2025年）》的通知\n某区人民政府\n2022年12月20日"
    proposal = propose(text)
    assert proposal.valid_from == Found(D(2023, 1, 1), "（2023—2025年）", 1)
    assert proposal.valid_to.value == D(2025, 12, 31)


def test_title_years_without_any_issue_date():
    proposal = propose("张江高新区正式出台《张江高新区某某行动方案（2023—2025年）》，提出“十大工程”。")
    assert proposal.issued == Found()
    assert (proposal.valid_from.value, proposal.valid_to.value) == (D(2023, 1, 1), D(2025, 12, 31))


def test_implementation_period_in_years():
    proposal = propose("关于某某的实施细则\n本细则实施期限为2024年至2026年。")
    assert proposal.valid_from == Found(D(2024, 1, 1), "实施期限为2024年至2026年", 2)
    assert proposal.valid_to == Found(D(2026, 12, 31), "实施期限为2024年至2026年", 2)


def test_in_force_from_a_day_for_five_years_last_day_inclusive():
    proposal = propose("关于某某的若干措施\n本措施自2024年1月1日起施行，有效期5年。")
    assert proposal.valid_from == Found(D(2024, 1, 1), "自2024年1月1日起施行", 2)
    assert proposal.valid_to == Found(D(2028, 12, 31), "有效期5年", 2)
    assert propose("本办法自2024年2月29日起施行，有效期五年。").valid_to.value == D(2029, 2, 28)


def test_valid_until_a_day():
    proposal = propose("关于某某的若干措施\n本措施自二〇二四年一月一日起施行，有效期至2028年12月31日。")
    assert (proposal.valid_from.value, proposal.valid_to.value) == (D(2024, 1, 1), D(2028, 12, 31))


def test_in_force_from_issue_for_five_years_in_chinese_numerals():
    text = "关于某某的若干措施\n本措施自印发之日起施行，有效期五年。\n上海市徐汇区人民政府\n2023年6月1日"
    proposal = propose(text)
    assert proposal.valid_from == Found(D(2023, 6, 1), "自印发之日起施行", 2)
    assert proposal.valid_to == Found(D(2028, 5, 31), "有效期五年", 2)
    assert propose(text.replace("印发之日起施行", "发布之日起实施")).valid_from.value == D(2023, 6, 1)


def test_in_force_from_a_day_without_end_is_open():
    proposal = propose("关于某某的若干措施\n本措施自2024年1月1日起施行。")
    assert proposal.valid_from.value == D(2024, 1, 1)
    assert proposal.valid_to == Found()


def test_nothing_said_starts_on_the_issue_date_and_says_so():
    proposal = propose("关于某某的若干措施\n一、支持企业发展。\n上海市金山区人民政府\n2022年3月17日")
    assert proposal.valid_from == Found(D(2022, 3, 17), f"{DEFAULT_FROM_NOTE}2022年3月17日", 4)
    assert proposal.valid_to == Found()
    assert propose("关于某某的若干措施\n一、支持企业发展。").valid_from == Found()


def test_a_qualifications_validity_is_not_the_documents():
    text = "关于某某的若干措施\n高新技术企业资格有效期为三年。\n上海市徐汇区人民政府\n2023年6月1日"
    assert propose(text).valid_to == Found()


# --- issuer -----------------------------------------------------------------------------------------------


def test_issuer_from_the_heading_the_name_above_the_title_or_the_signature():
    heading = "金山区人民政府办公室关于转发区发改委制订的《金山区某某行动方案》的通知"
    assert propose(heading).issuer == Found("金山区人民政府办公室", heading, 1)
    joint = "中共上海市金山区委办公室 上海市金山区人民政府办公室\n\n关于进一步优化营商环境的实施意见\n各镇："
    proposal = propose(joint)
    assert proposal.issuer.value == "中共上海市金山区委办公室 上海市金山区人民政府办公室"
    assert proposal.title.value == "关于进一步优化营商环境的实施意见"
    assert proposal.regions.value == ["金山区"]
    signed = "某某工作要点\n一、加强领导。\n中共上海市徐汇区委员会\n上海市徐汇区人民政府\n\n2015年8月14日"
    assert propose(signed).issuer.value == "中共上海市徐汇区委员会 上海市徐汇区人民政府"
    assert propose("某某工作要点\n上海市徐汇区人民政府 2024年3月20日").issued.value == D(2024, 3, 20)


def test_issuer_from_a_web_pages_field():
    page = "发文机关：上海市浦东新区人民政府  发文字号：浦府规〔2023〕5号  成文日期：2023-06-01"
    proposal = propose(page)
    assert proposal.issuer == Found("上海市浦东新区人民政府", "发文机关：上海市浦东新区人民政府", 1)
    assert proposal.regions.value == ["浦东新区"]


def test_unknown_issuer_stays_unknown():
    proposal = propose("关于某某的若干措施\n一、支持企业发展。")
    assert proposal.issuer == Found()
    assert proposal.regions == Found()  # no issuer, a title without 上海: the area is not known


# --- titles -----------------------------------------------------------------------------------------------


def test_title_variants():
    wrapped = "关于印发《浦东新区某某\n管理办法》的通知"
    assert propose(wrapped).title.value == "浦东新区某某管理办法"
    assert propose("关于印发浦东新区某某管理办法的通知").title.value == "浦东新区某某管理办法"
    lines = "中共徐汇区委 徐汇区人民政府\n\n关于加快建设具有全球影响力的\n\n科技创新中心的实施意见\n\n徐委[2015]15"
    assert propose(lines).title == Found(
        "关于加快建设具有全球影响力的科技创新中心的实施意见", "关于加快建设具有全球影响力的科技创新中心的实施意见", 3
    )
    split_years = "浦东新区高新技术企业培育三年行动计划\n（2023-2025年）\n为深入贯彻落实……"
    assert propose(split_years).title.value == "浦东新区高新技术企业培育三年行动计划（2023-2025年）"
    page = "标题：上海市人民政府关于印发《上海市某某若干措施》的通知  发布日期：2023-05-25"
    assert propose(page).title.value == "上海市某某若干措施"
    assert propose("原标题：张江高新区有了新的“施工图”").title == Found()  # a news headline is no title field
    news = (
        "首页>要闻\n上海张江高新区有了新的“施工图”\n上海市人民政府办公厅日前印发《关于推进某某的若干意见》，坚持导向。"
    )
    proposal = propose(news)
    assert proposal.title.value == "关于推进某某的若干意见"
    assert proposal.issuer.value == "上海市人民政府办公厅"
    assert proposal.regions.value == []  # a municipal body: all of Shanghai


def test_title_hint_only_when_the_text_has_none():
    assert propose("首页\n某某新闻网").title == Found("某某新闻网", "某某新闻网", 2)  # no better line
    hinted = propose("首页\n12345", title_hint="上海市促进民营经济发展若干措施.pdf").title
    assert hinted == Found("上海市促进民营经济发展若干措施", None, None)
    assert propose("首页", title_hint="关于印发《某某办法》的通知_上海市人民政府").title.value == "某某办法"
    assert propose(COVER, title_hint="别的名字").title.value.startswith("浦东新区某某")


# --- area -------------------------------------------------------------------------------------------------


def test_districts_named_in_a_name():
    assert districts_in("上海市浦东新区科技和经济委员会") == ["浦东新区"]
    assert districts_in("中共上海市金山区委办公室 上海市金山区人民政府办公室") == ["金山区"]
    assert districts_in("浦東新區科技和經濟委員會") == ["浦东新区"]
    assert districts_in("崇明县人民政府") == ["崇明区"]
    assert districts_in("上海市人民政府办公厅") == []
    assert districts_in("张江高新区管委会") == []  # a zone is not a district


def test_parks_and_zone_from_title_and_scope():
    proposal = propose("临港新片区管委会关于印发《临港新片区产业发展实施细则》的通知")
    assert (proposal.regions.value, proposal.parks.value, proposal.zone.value) == ([], ["临港"], "临港新片区")
    proposal = propose("上海市浦东新区人民政府关于印发《浦东新区支持张江科学城建设的若干政策》的通知")
    assert (proposal.regions.value, proposal.parks.value, proposal.zone.value) == (["浦东新区"], ["张江"], "张江科学城")
    text = (
        "上海市徐汇区人民政府关于印发《徐汇区某某若干措施》的通知\n一、本措施适用于注册在徐汇滨江、漕河泾开发区的企业。"
    )
    proposal = propose(text)
    assert proposal.parks == Found(["徐汇滨江", "漕河泾"], "本措施适用于注册在徐汇滨江、漕河泾开发区的企业", 2)
    assert proposal.zone == Found()  # the title is about no zone
    assert propose("关于支持漕河泾开发区发展的若干意见").zone.value == "漕河泾开发区"
    assert propose("关于支持金山工业区发展的若干意见").parks.value == ["金山工业区"]
    assert propose("拓展无纸全程电子化登记适用范围，积极推广电子营业执照。").parks == Found()


def test_as_dict_is_json_ready():
    data = propose(COVER).as_dict()
    assert list(data) == [
        "title",
        "issuer",
        "doc_number",
        "issued",
        "valid_from",
        "valid_to",
        "regions",
        "parks",
        "zone",
    ]
    assert data["issued"] == {"value": "2023-05-22", "quote": "2023年5月22日", "line": 12}
    assert data["zone"] == {"value": None, "quote": None, "line": None}
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data


def test_odd_input_never_raises():
    for text in ["", "\n\n", "|||||", "《》", "关于印发《》的通知", "2023年", "（2023-2025年）"]:
        assert isinstance(propose_meta(text.split("\n")), MetaProposal)


# --- the five sources against their hand-written metadata ------------------------------------------------

FIELDS = ("title", "issuer", "doc_number", "issued", "valid_from", "valid_to", "regions")

# What the proposer matches (issuer: up to 上海市 before a district and the separator of joint issuers,
# as the hand-written files spell names). Fields left out are listed in DIFFERENT with the reason.
MATCHES = {
    "pd-goi-2023": set(FIELDS),
    "pd-hnte-2023": set(FIELDS),
    "js-yingshang-2022": set(FIELDS) - {"issuer"},
    "zj-opinions-2023": set(FIELDS) - {"valid_from"},
    "zj-action-2023": set(FIELDS) - {"issuer"},
    "xh-kczx-2015": set(FIELDS) - {"valid_to"},
}
# Where the hand-written value is a person's judgement the text does not state: what the text gives.
DIFFERENT = {
    # the heading prints "金山区人民政府办公室关于转发区发改委制订的…"; "（转发区发改委制订）" is an editor's note
    ("js-yingshang-2022", "issuer"): "金山区人民政府办公室",
    # the news report gives no date of issue; 2023-01-01 is the editor's "起始日按2023年初计"
    ("zj-opinions-2023", "valid_from"): None,
    # the report says "张江高新区正式出台《…》"; 管委会 is the editor's knowledge
    ("zj-action-2023", "issuer"): "张江高新区",
    # no validity stated; 2020-12-31 is the editor's reading of its 2020 targets
    ("xh-kczx-2015", "valid_to"): None,
}


def _document_lines(raw: list[str], meta: DocumentMeta) -> list[str]:
    """The document's lines: from its begins_at marker line (kept: it is the headline) to ends_before."""
    begins, ends = meta.layout.begins_at, meta.layout.ends_before
    start = next(i for i, line in enumerate(raw) if begins in clean_line(line)) if begins else 0
    end = next(i for i, line in enumerate(raw) if i > start and ends in clean_line(line)) if ends else len(raw)
    return raw[start:end]


@cache
def _sources() -> dict[str, tuple[DocumentMeta, list[str], MetaProposal]]:
    out = {}
    for source, metas in load_source_metas():
        raw = source.read_text(encoding="utf-8").split("\n")
        for meta in metas.documents:
            lines = _document_lines(raw, meta)
            out[meta.policy_id] = (meta, lines, propose_meta(lines))
    return out


def _hand(meta: DocumentMeta, field: str):
    return list(meta.applies_to.regions) if field == "regions" else getattr(meta, field)


def _body(name: str | None) -> str | None:
    """An issuer as compared: 上海市 before a district dropped, joint issuers separated by 、."""
    return None if name is None else "、".join(p.removeprefix("上海市") for p in re.split(r"[\s、]+", name) if p)


def test_every_source_document_is_checked():
    assert set(_sources()) == set(MATCHES)


@pytest.mark.parametrize(("policy_id", "field"), [(p, f) for p in MATCHES for f in FIELDS])
def test_source_proposal_against_hand_written_metadata(policy_id, field):
    meta, _, proposal = _sources()[policy_id]
    proposed, hand = getattr(proposal, field).value, _hand(meta, field)
    if field == "issuer":
        proposed, hand = _body(proposed), _body(hand)
    if field in MATCHES[policy_id]:
        assert proposed == hand
    else:
        assert proposed != hand
        assert getattr(proposal, field).value == DIFFERENT[policy_id, field]


@pytest.mark.parametrize("policy_id", sorted(MATCHES))
def test_source_quotes_are_the_texts_words(policy_id):
    _, lines, proposal = _sources()[policy_id]
    for name, found in vars(proposal).items():
        if found.line is None:
            continue
        quote = re.sub(r"^〔[^〕]*〕", "", found.quote).replace(" ", "")
        near = "".join(clean_line(line) for line in lines[found.line - 1 : found.line + 4])
        assert quote in near, (name, found)
