"""One identity for an enterprise: the name key (brackets, spaces, zero-width characters), the
统一社会信用代码 (GB 32100-2015), and how the registry finds, adds, imports and migrates by them.

The registry tests run on SQLite and, with DATABASE_URL, on PostgreSQL (conftest.registry_url).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import json
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from actors import admin
from alembic import command
from hypothesis import given
from hypothesis import strategies as st
from registry_helpers import observer, profile
from sqlalchemy import JSON, DateTime, column, insert, inspect, select, table, text
from sqlalchemy.exc import IntegrityError

from recommender.company import CREDIT_CODE_CHARS, CreditCodeError, check_credit_code, credit_check_char, name_key
from recommender.criteria.readiness import check_readiness
from recommender.profile import LABELS, ProfileError, parse_profile
from recommender.registry import db, enterprises, importer
from recommender.registry.enterprises import IdentityConflict, RegistryError
from recommender.registry.importer import ImportRefused
from recommender.registry.models import Enterprise
from recommender.roster import GoodRow, Roster, column_field, read_roster_file

FIELD_CASES = Path(__file__).parent / "field_cases"
FULL = "上海示例云图软件（上海）有限公司"  # the name as roster_brackets_a.csv writes it

# real codes, published by the enterprises themselves (business licences, site footers)
PUBLIC_CODES = [
    "914403001922038216",  # 华为技术有限公司
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
    "91310000MAERED2X1W",  # 露意膳（上海）贸易有限公司
]
CODE = "91310115MA1K3Y8P1B"  # invented, with its check character
OTHER_CODE = "91310000MA1FL0X677"  # invented, with its check character

bodies = st.text(alphabet=CREDIT_CODE_CHARS, min_size=17, max_size=17)


# --- the name key --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("上海示例云图软件（上海）有限公司", "上海示例云图软件(上海)有限公司"),
        ("上海示例云图软件(上海)有限公司", "上海示例云图软件(上海)有限公司"),
        ("上海示例云图软件（上海）有限公司\u200b", "上海示例云图软件(上海)有限公司"),
        ("\ufeff上海示例云图软件 （上海） 有限公司\u3000", "上海示例云图软件(上海)有限公司"),
        ("上海示例云图软件【上海】有限公司", "上海示例云图软件(上海)有限公司"),
        ("ＡＢＣ  Technology（上海）有限公司", "ABC Technology(上海)有限公司"),
        ("上海示例雲圖軟件有限公司", "上海示例云图软件有限公司"),  # traditional is the same company
    ],
)
def test_name_key_folds_brackets_spaces_and_invisible_characters(typed, key):
    assert name_key(typed) == key


def test_names_that_are_not_the_same_keep_different_keys():
    assert name_key("上海示例云图软件有限公司") != name_key("上海示例云图科技有限公司")
    assert name_key("ABC Tech") != name_key("ABCTech")  # a space between Latin words is part of the name


@given(st.text())
def test_name_key_is_idempotent(name):
    assert name_key(name_key(name)) == name_key(name)


PLAIN = "上海示例云图软件有限公司"
# Default_Ignorable_Code_Point of Unicode's DerivedCoreProperties.txt that are not format characters (Cf)
DEFAULT_IGNORABLE = [
    *"\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u3164\uffa0",
    *map(chr, range(0xFE00, 0xFE10)),
    *map(chr, range(0xFFF0, 0xFFF9)),
    *map(chr, range(0xE0000, 0xE1000)),
]


def _hidden_in(plain: str, hidden: str) -> str:
    return f"{hidden}{plain[:4]}{hidden}{plain[4:]}{hidden}"


@pytest.mark.parametrize(
    "hidden",
    [
        # found by the break-it trial: each made a second enterprise of one
        *("\u00ad", "\u034f", "\u2066", "\u2067", "\u2068", "\u2069", "\u061c", "\u180e"),
        # and more of their kind: joiner, variation selectors, tag, Hangul filler, interlinear annotation
        *("\u200d", "\ufe0f", "\U000e0101", "\U000e0041", "\u3164", "\ufff9", "\u2066\u00ad\u2069"),
    ],
)
def test_an_invisible_character_makes_no_other_name(hidden):
    assert name_key(_hidden_in(PLAIN, hidden)) == name_key(PLAIN) == PLAIN


def test_every_format_or_default_ignorable_character_is_no_part_of_the_key():
    """Every character of category Cf as this Python's Unicode database knows it (a newer Python may know
    more: they must then be added to text_clean._IGNORED, with a migration like 0008), and the other
    default-ignorable ones."""
    formats = [c for c in map(chr, range(0x110000)) if unicodedata.category(c) == "Cf"]
    assert len(formats) > 150
    kept = [f"U+{ord(c):04X}" for c in formats + DEFAULT_IGNORABLE if name_key(_hidden_in(PLAIN, c)) != PLAIN]
    assert not kept


def test_an_emoji_name_is_one_enterprise_however_its_emoji_are_joined():
    assert name_key("上海👩\u200d💻❤\ufe0f科技有限公司") == name_key("上海👩💻❤科技有限公司") == "上海👩💻❤科技有限公司"


# --- the 统一社会信用代码 -------------------------------------------------------------------------


@pytest.mark.parametrize("code", PUBLIC_CODES)
def test_real_public_codes_validate(code):
    assert check_credit_code(code) == code


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("91440300708461136t", "91440300708461136T"),
        (" 9144 0300-7084 6113 6T ", "91440300708461136T"),
        ("９１４４０３００７０８４６１１３６Ｔ", "91440300708461136T"),
        ("91440300708461136T\u200b", "91440300708461136T"),
    ],
)
def test_codes_are_normalised(typed, code):
    assert check_credit_code(typed) == code


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("91440300708461136X", "统一社会信用代码“91440300708461136X”校验位不符，请核对"),
        ("9144030070846113", "统一社会信用代码应为 18 位（“9144030070846113”是 16 位），请核对"),
        ("91440300708461136TT", "应为 18 位"),
        ("9144030070846I136T", "含有不使用的字符 “I”"),
        ("9144030070846O136T", "含有不使用的字符 “O”"),
        ("914403007084-61136设", "含有不使用的字符 “设”"),
    ],
)
def test_wrong_codes_are_refused_in_one_chinese_line(typed, message):
    with pytest.raises(CreditCodeError) as refused:
        check_credit_code(typed)
    assert message in str(refused.value) and "\n" not in str(refused.value)
    assert str(refused.value) == f"统一社会信用代码{refused.value.detail}"


@given(bodies)
def test_a_body_with_its_computed_check_character_validates(body):
    assert check_credit_code(body + credit_check_char(body)) == body + credit_check_char(body)


@given(bodies, st.sampled_from(CREDIT_CODE_CHARS))
def test_any_other_check_character_fails(body, wrong):
    if wrong == credit_check_char(body):
        wrong = CREDIT_CODE_CHARS[(CREDIT_CODE_CHARS.index(wrong) + 1) % len(CREDIT_CODE_CHARS)]
    with pytest.raises(CreditCodeError, match="校验位不符"):
        check_credit_code(body + wrong)


def test_the_profile_checks_the_code_and_a_blank_one_is_unknown():
    firm = {"name": FULL, "region": "浦东新区"}
    assert parse_profile({**firm, "credit_code": "91440300708461136t"}).credit_code == "91440300708461136T"
    assert parse_profile({**firm, "credit_code": "  "}).credit_code is None
    assert parse_profile(firm).credit_code is None
    with pytest.raises(ProfileError) as refused:
        parse_profile({**firm, "credit_code": "91440300708461136X"})
    [error] = refused.value.errors
    assert (error.field, error.label) == ("credit_code", "统一社会信用代码")
    assert error.message == "“91440300708461136X”校验位不符，请核对"
    assert LABELS["credit_code"] == "统一社会信用代码"


@pytest.mark.parametrize("header", ["统一社会信用代码", "信用代码", "社会信用代码", "credit_code"])
def test_roster_headers_name_the_code(header):
    assert column_field(header) == "credit_code"


def test_a_given_code_leaves_the_credit_record_gap_open():
    """科技型中小企业 / 创新型中小企业: the condition is the credit record looked up by the code, so the
    code being known does not settle it (policies/criteria: op not_encoded)."""
    firm = {"name": FULL, "region": "闵行区", "employees": 100, "revenue": 5000, "total_assets": 5000}
    for told in (firm, {**firm, "credit_code": CODE}):
        results = {r.name: r for r in check_readiness(parse_profile(told), dt.date(2025, 6, 30))}
        for title in ("科技型中小企业", "创新型中小企业"):
            assert "credit_code" in [g.field for g in results[title].gaps], (title, told)


# --- the registry ---------------------------------------------------------------------------------


def _import(name: str, **kwargs) -> importer.ImportReport:
    with db.transaction() as s:
        return importer.import_roster(
            s, read_roster_file(FIELD_CASES / name), by=admin("导入员"), source=name, **kwargs
        )


def _names() -> list[str]:
    with db.transaction() as s:
        return [e.name for e in enterprises.listing(s, admin())]


def _add(name: str, **fields) -> int:
    with db.transaction() as s:
        return enterprises.add(s, profile(name, **fields), by=admin("王专员")).id


def parse_roster(rows: list[dict]) -> Roster:
    """Rows numbered as a spreadsheet shows them (the header is row 1)."""
    return Roster(rows=[GoodRow(i + 2, parse_profile(r)) for i, r in enumerate(rows)])


def test_the_bracket_field_cases_give_one_enterprise():
    assert _import("roster_brackets_a.csv").added == [FULL]
    # b: the same company with () and, a row lower, with （） and a zero-width space: flagged, nothing written
    with pytest.raises(ImportRefused) as refused:
        _import("roster_brackets_b.csv")
    [repeat] = refused.value.bad
    assert repeat.row == 3 and "与第 2 行是同一家企业" in str(repeat) and "括号" in str(repeat)
    assert _names() == [FULL]
    report = _import("roster_brackets_b.csv", skip_bad=True)
    assert (report.added, report.updated, [b.row for b in report.bad]) == ([], [FULL], [3])
    assert report.notes == [
        "第 2 行“上海示例云图软件(上海)有限公司”与档案库中的“上海示例云图软件（上海）有限公司”"
        "名称只差括号、空格或不可见字符的写法：视为同一家企业，沿用档案库中的名称"
    ]
    with db.transaction() as s:
        [firm] = enterprises.listing(s, admin())
        assert (firm.name, firm.profile["name"], firm.profile["employees"], firm.version) == (FULL, FULL, 45, 2)
        for spelling in ("上海示例云图软件(上海)有限公司", FULL + "\u200b", " 上海示例云图软件 （上海）有限公司"):
            assert enterprises.find(s, spelling) is firm
        assert [e.name for e in enterprises.listing(s, admin(), text="软件(上海)")] == [FULL]
    # the near-duplicate is refused on the page too, naming the registered spelling
    with pytest.raises(RegistryError, match=r"档案库中已有“上海示例云图软件（上海）有限公司”（名称只差括号"):
        _add("上海示例云图软件(上海)有限公司", region="浦东新区")


def test_the_database_refuses_a_second_row_with_the_same_name_key_even_past_the_code():
    _add(FULL)
    with pytest.raises(IntegrityError), db.transaction() as s:
        s.add(
            Enterprise(
                name="上海示例云图软件(上海)有限公司",
                name_key=name_key(FULL),
                profile={},
                pool_stage="储备",
                created_at=dt.datetime.now(dt.UTC),
                updated_at=dt.datetime.now(dt.UTC),
                updated_by="x",
            )
        )


def test_a_new_name_with_the_registered_code_is_the_enterprise_renamed():
    eid = _add("上海甲芯微电子有限公司", credit_code=CODE, employees=50)
    roster = parse_roster(
        [{"name": "上海甲芯半导体有限公司", "region": "金山区", "credit_code": CODE, "employees": 50}]
    )
    # a code copied onto the wrong row, or a template's example code left in, merged two enterprises without a
    # word (a break-it trial): a rename is confirmed, and said before the import
    with pytest.raises(ImportRefused) as refused, db.transaction() as s:
        importer.import_roster(s, roster, by=admin("导入员"), source="更名.csv")
    [row] = refused.value.bad
    assert row.errors[0].code == "renamed" and row.errors[0].message == (
        "统一社会信用代码 91310115MA1K3Y8P1B 属于档案库中的“上海甲芯微电子有限公司”，"
        "本行名称为“上海甲芯半导体有限公司”：如确是该企业改名，请确认改名后导入（命令行加 --rename）；否则请核对代码"
    )
    moved = parse_roster([{"name": "上海历史数据科技有限公司", "region": "徐汇区", "credit_code": CODE}])
    with db.transaction() as s:
        [other] = importer.refused_rows(s, moved, admin("导入员"))
        assert "本行名称为“上海历史数据科技有限公司”，注册地 金山区 → 徐汇区：如确是" in other.errors[0].message
        assert importer.refused_rows(s, roster, admin("导入员")) == [row]
        assert importer.refused_rows(s, roster, admin("导入员"), renames=True) == []
        report = importer.import_roster(s, roster, by=admin("导入员"), source="更名.csv", renames=True)
    assert report.renamed == [("上海甲芯微电子有限公司", "上海甲芯半导体有限公司")]
    assert report.summary() == "新增 0 家，更新 1 家，未变 0 家（其中改名 1 家）"
    assert "统一社会信用代码 91310115MA1K3Y8P1B 相同：已改名为“上海甲芯半导体有限公司”" in report.notes[0]
    with db.transaction() as s:
        firm = enterprises.get(s, eid, admin())
        assert (firm.name, firm.name_key, firm.credit_code, firm.version) == (
            "上海甲芯半导体有限公司",
            "上海甲芯半导体有限公司",
            CODE,
            2,
        )
        [(_, changes), _] = enterprises.history(s, eid, admin())
        assert [(c.label, c.before, c.after) for c in changes] == [
            ("企业名称", "上海甲芯微电子有限公司", "上海甲芯半导体有限公司")
        ]
        assert enterprises.find(s, "上海甲芯微电子有限公司", CODE) is firm
        assert enterprises.find(s, "上海甲芯微电子有限公司") is None  # the old name alone is no longer registered
    with pytest.raises(
        RegistryError, match="档案库中已有“上海甲芯半导体有限公司”（统一社会信用代码 91310115MA1K3Y8P1B 相同）"
    ):
        _add("上海甲芯另一个名字有限公司", credit_code=CODE)


def test_the_same_name_with_another_code_is_flagged_not_merged():
    eid = _add(FULL, credit_code=CODE)
    roster = parse_roster([{"name": "上海示例云图软件(上海)有限公司", "region": "浦东新区", "credit_code": OTHER_CODE}])
    with pytest.raises(ImportRefused) as refused, db.transaction() as s:
        importer.import_roster(s, roster, by=admin("导入员"), source="名单.csv")
    [conflict] = refused.value.bad
    assert f"统一社会信用代码为 {CODE}，与此处的 {OTHER_CODE} 不同" in str(conflict)
    with db.transaction() as s:
        report = importer.import_roster(s, roster, by=admin("导入员"), source="名单.csv", skip_bad=True)
        assert (report.added, report.updated, len(report.bad)) == ([], [], 1)
        assert enterprises.get(s, eid, admin()).credit_code == CODE
    with pytest.raises(IdentityConflict, match="请核对是否同一家企业"):
        _add("上海示例云图软件(上海)有限公司", credit_code=OTHER_CODE)
    with pytest.raises(IdentityConflict, match="请核对是否同一家企业"), db.transaction() as s:
        enterprises.find(s, FULL, OTHER_CODE)
    assert _names() == [FULL]


def test_a_code_of_one_enterprise_under_the_name_of_another_is_flagged():
    _add("上海甲芯微电子有限公司", credit_code=CODE)
    _add("金山乙食品有限公司")
    with pytest.raises(
        IdentityConflict, match="属于档案库中的“上海甲芯微电子有限公司”，名称“金山乙食品有限公司”却是另一家"
    ):
        _add("金山乙食品有限公司", credit_code=CODE)


def test_a_roster_without_the_code_keeps_the_registered_one():
    eid = _add(FULL, credit_code=CODE, employees=10)
    roster = parse_roster([{"name": FULL, "region": "金山区", "employees": 12}])
    with db.transaction() as s:
        assert importer.import_roster(s, roster, by=admin("导入员"), source="名单.csv").updated == [FULL]
        firm = enterprises.get(s, eid, admin())
        assert (firm.credit_code, firm.profile["credit_code"], firm.profile["employees"]) == (CODE, CODE, 12)


def test_a_roster_giving_one_code_twice_is_refused():
    roster = parse_roster(
        [
            {"name": "上海甲芯微电子有限公司", "region": "金山区", "credit_code": CODE},
            {"name": "上海甲芯半导体有限公司", "region": "金山区", "credit_code": CODE},
            {"name": "上海甲芯微电子有限公司", "region": "金山区", "credit_code": OTHER_CODE},
        ]
    )
    with pytest.raises(ImportRefused) as refused, db.transaction() as s:
        importer.import_roster(s, roster, by=admin("导入员"), source="名单.csv")
    messages = [str(b) for b in refused.value.bad]
    assert "第 3 行（上海甲芯半导体有限公司）：与第 2 行是同一家企业（统一社会信用代码相同）" in messages[0]
    assert "第 4 行（上海甲芯微电子有限公司）：与第 2 行名称相同，统一社会信用代码却不同" in messages[1]


def test_a_page_edit_may_respell_or_rename_but_not_take_another_s_name_or_code():
    eid = _add(FULL, credit_code=CODE)
    other = _add("金山乙食品有限公司", credit_code=OTHER_CODE)
    with db.transaction() as s:
        firm = enterprises.update(s, eid, 1, admin("王专员"), profile=profile("上海示例云图软件(上海)有限公司"))
        assert (firm.name, firm.credit_code, firm.version) == ("上海示例云图软件(上海)有限公司", CODE, 2)
    with pytest.raises(RegistryError, match="已有另一家“金山乙食品有限公司”"), db.transaction() as s:
        enterprises.update(s, eid, 2, admin("王专员"), profile=profile("金山乙食品 有限公司"))
    taken = f"{OTHER_CODE} 已属于档案库中的另一家“金山乙食品有限公司”"
    with pytest.raises(RegistryError, match=taken), db.transaction() as s:
        enterprises.update(s, eid, 2, admin("王专员"), profile=profile(FULL, credit_code=OTHER_CODE))
    with db.transaction() as s:
        assert enterprises.get(s, other, admin()).version == 1


# --- migration 0004 -------------------------------------------------------------------------------


def _insert_at_0003(url: str, *names: str) -> None:
    """Enterprises named ``names`` as stored before 0004 (no name_key column)."""
    _insert_enterprises(url, names, None)


def _insert_enterprises(url: str, names: tuple[str, ...], key: Callable[[str], str] | None) -> None:
    """Enterprises named ``names``, each with ``key(name)`` as its name_key (None: a schema without it)."""
    stamp = dt.datetime.now(dt.UTC)
    keyed = ("name_key",) if key is not None else ()
    rows = table(
        "enterprises",
        *(column(c) for c in ("name", *keyed, "pool_stage", "version", "updated_by")),
        column("profile", JSON()),
        column("created_at", DateTime(timezone=True)),
        column("updated_at", DateTime(timezone=True)),
    )
    with observer(url) as engine, engine.begin() as c:
        for name in names:
            c.execute(
                insert(rows),
                {"name": name, "profile": {"name": name, "region": "金山区"}, "pool_stage": "储备", "version": 1}
                | {"created_at": stamp, "updated_at": stamp, "updated_by": "alice"}
                | ({"name_key": key(name)} if key is not None else {}),
            )


def _columns(url: str) -> set[str]:
    with observer(url) as engine:
        return {c["name"] for c in inspect(engine).get_columns("enterprises")}


def _revision(url: str) -> str:
    with observer(url) as engine, engine.connect() as c:
        return c.scalar(text("SELECT version_num FROM alembic_version"))


def _stored_profiles(url: str, name: str) -> list[dict[str, Any]]:
    """The profiles stored in table ``name`` (SQLite returns the JSON text, PostgreSQL the object)."""
    with observer(url) as engine, engine.connect() as c:
        found = c.execute(text(f"SELECT profile FROM {name} ORDER BY id")).scalars()
        return [p if isinstance(p, dict) else json.loads(p) for p in found]


def test_migration_0004_refuses_names_that_become_one_then_fills_the_keys(registry_url):
    config = db.alembic_config(registry_url)
    command.upgrade(config, "0003")
    _insert_at_0003(registry_url, FULL, "上海示例云图软件(上海)有限公司", "金山乙食品有限公司")
    with pytest.raises(RegistryError) as refused:
        command.upgrade(config, "head")
    message = str(refused.value)
    assert "未做任何修改" in message and "1 组" in message
    assert f"“{FULL}”（编号 1）与“上海示例云图软件(上海)有限公司”（编号 2）" in message
    assert _revision(registry_url) == "0003" and "name_key" not in _columns(registry_url)

    with observer(registry_url) as engine, engine.begin() as c:  # a person merges the two
        c.execute(text("DELETE FROM enterprises WHERE id = 2"))
    command.upgrade(config, "head")
    with db.transaction() as s:
        assert [(e.name, e.name_key, e.credit_code) for e in s.scalars(select(Enterprise).order_by(Enterprise.id))] == [
            (FULL, "上海示例云图软件(上海)有限公司", None),
            ("金山乙食品有限公司", "金山乙食品有限公司", None),
        ]
        firm = enterprises.find(s, "上海示例云图软件(上海)有限公司")
        enterprises.update(s, firm.id, 1, admin("王专员"), profile=profile(FULL, credit_code=CODE))

    command.downgrade(config, "0003")  # the older model knows no credit_code: it leaves every stored profile
    assert "credit_code" not in _columns(registry_url)
    assert _stored_profiles(registry_url, "enterprises")[0]["name"] == FULL
    for name in ("enterprises", "enterprise_revisions"):
        assert not [p for p in _stored_profiles(registry_url, name) if "credit_code" in p], name
    command.upgrade(config, "0004")
    assert _revision(registry_url) == "0004"
    command.upgrade(config, "head")


@functools.cache
def _migration(revision: str) -> Any:
    """The module of migration ``revision`` ("0008"), loaded from its file."""
    [path] = (Path(db.MIGRATIONS) / "versions").glob(f"{revision}_*.py")
    spec = importlib.util.spec_from_file_location(f"migration_{revision}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@given(st.text())
def test_migration_0008_keys_names_as_the_registry_does(name):
    """The migration keeps its own copy of the rule; when ``name_key`` changes, a new migration must
    recompute the stored keys, and this test then moves to that migration."""
    assert _migration("0008")._new_key(name) == name_key(name)


@given(st.text())
def test_migration_0008_goes_back_to_the_rule_of_0004(name):
    """The rule 0008 downgrades to is 0004's (which kept lone surrogates, no database stores them)."""
    without_surrogates = "".join(c for c in name if not 0xD800 <= ord(c) <= 0xDFFF)
    assert _migration("0008")._old_key(without_surrogates) == _migration("0004")._name_key(without_surrogates)


def _insert_at_0007(url: str, *names: str) -> None:
    """Enterprises named ``names`` with their keys as the registry computed them before 0008."""
    _insert_enterprises(url, names, _migration("0008")._old_key)


def _stored_keys(url: str) -> list[tuple[int, str, str]]:
    with observer(url) as engine, engine.connect() as c:
        return [tuple(r) for r in c.execute(text("SELECT id, name, name_key FROM enterprises ORDER BY id"))]


def test_migration_0008_refuses_names_that_become_one_then_recomputes_the_keys(registry_url):
    """As 0004: two stored enterprises whose names differ only by invisible characters are named and nothing
    changes (neither record is merged or dropped) until a person merges or renames one; then every key is
    the registry's, and the downgrade gives back the keys of before."""
    config = db.alembic_config(registry_url)
    command.upgrade(config, "0007")
    soft, isolated = "上海示例\u00ad云图软件有限公司", "\u2066金山乙食品有限公司\u2069"
    _insert_at_0007(registry_url, PLAIN, soft, isolated, "上海丙科技有限公司")
    before = _stored_keys(registry_url)
    assert len({key for _, _, key in before}) == 4  # the old rule: four enterprises
    with pytest.raises(RegistryError) as refused:
        command.upgrade(config, "head")
    message = str(refused.value)
    assert "未升级（0008），未做任何修改" in message and "1 组" in message
    assert f"“{PLAIN}”（编号 1）与“上海示例‹U+00AD›云图软件有限公司”（编号 2）" in message
    assert _revision(registry_url) == "0007" and _stored_keys(registry_url) == before  # both records kept

    with observer(registry_url) as engine, engine.begin() as c:  # a person renames the second
        c.execute(text("UPDATE enterprises SET name = '上海示例云图软件二部有限公司' WHERE id = 2"))
    command.upgrade(config, "head")
    after = _stored_keys(registry_url)
    assert [key for _, _, key in after] == [name_key(name) for _, name, _ in after]
    assert after[2] == (3, isolated, "金山乙食品有限公司") and after[0] == before[0]
    with db.transaction() as s:
        assert enterprises.find(s, "金山乙食品有限公司").id == 3

    command.downgrade(config, "0007")
    assert _stored_keys(registry_url)[2] == before[2]
    command.upgrade(config, "head")
    assert _stored_keys(registry_url) == after


def test_a_credit_code_stored_as_a_number_says_so():
    from recommender.profile import ProfileError, parse_profile

    with pytest.raises(ProfileError, match="文本"):
        parse_profile({"name": "某公司", "region": "浦东新区", "credit_code": 913100001322000000})


def test_a_name_in_traditional_characters_is_the_registered_enterprise():
    firm = _add("上海张江智算科技有限公司")
    with db.transaction() as s:
        assert enterprises.find(s, "上海張江智算科技有限公司").id == firm


def _import_text(text: str, **kwargs) -> importer.ImportReport:
    from recommender.roster import read_roster

    with db.transaction() as s:
        return importer.import_roster(
            s, read_roster(text.encode(), "r.csv"), by=admin("导入员"), source="r.csv", **kwargs
        )


def test_a_name_with_invisible_characters_is_the_registered_enterprise():
    _import_text(f"企业名称,注册地\n{PLAIN},浦东新区\n")
    for employees, hidden in enumerate(("\u00ad", "\u2066\u061c", "\u034f\u180e", "\ufe0f\u200d"), start=10):
        report = _import_text(f"企业名称,注册地,职工总数\n{_hidden_in(PLAIN, hidden)},浦东新区,{employees}\n")
        assert (report.added, report.updated) == ([], [PLAIN]), hidden
    assert _names() == [PLAIN]
    # two spellings in one roster: the second row is the first's enterprise
    with pytest.raises(ImportRefused) as refused:
        _import_text("企业名称,注册地\n上海乙科技有限公司,浦东新区\n上海乙\u2067科技有限公司\u2069,浦东新区\n")
    [repeat] = refused.value.bad
    assert repeat.row == 3 and "与第 2 行是同一家企业" in str(repeat)


def test_an_emoji_name_keeps_how_it_is_shown_and_is_found_however_joined():
    shown = "上海👩\u200d💻❤\ufe0f科技有限公司"
    firm = _add("\u2066" + shown + "\u00ad")  # direction marks and soft hyphens are not shown
    with db.transaction() as s:
        assert enterprises.get(s, firm, admin()).name == shown
        assert enterprises.find(s, "上海👩💻❤科技有限公司").id == firm
    with pytest.raises(RegistryError, match="档案库中已有"):
        _add("上海👩💻❤科技有限公司")


def test_a_roster_with_fewer_columns_or_blank_cells_keeps_what_the_registry_knows():
    _import_text(
        "企业名称,注册地,所在园区,职工总数,研发人员,已有资质,诉求\n"
        "上海云帆科技有限公司,浦东新区,张江科学城,80,30,高新技术企业、创新型中小企业,资金补贴\n"
    )
    report = _import_text("企业名称,注册地,职工总数,已有资质\n上海云帆科技有限公司,浦东新区,90,\n")
    assert report.updated == ["上海云帆科技有限公司"]
    assert report.notes == [
        "第 2 行“上海云帆科技有限公司”未填的所在园区、科技/研发人员数、已有资质、诉求沿用档案库中的值"
        "（要清除，请在企业档案库页面修改）"
    ]
    with db.transaction() as s:
        [firm] = enterprises.listing(s, admin())
        assert firm.profile["employees"] == 90 and firm.profile["park"] == "张江科学城"
        assert firm.profile["qualifications"] == ["高新技术企业", "创新型中小企业"] and firm.profile["rd_staff"] == 30
    # a new value that contradicts a kept one is a bad row, not a silent mix
    with pytest.raises(ImportRefused) as refused:
        _import_text("企业名称,注册地,职工总数\n上海云帆科技有限公司,浦东新区,20\n")
    [bad] = refused.value.bad
    assert "研发人员数不能大于职工总数" in str(bad) and "沿用" in str(bad)
