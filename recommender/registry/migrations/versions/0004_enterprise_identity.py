"""enterprise identity: name_key (the name as compared) is unique instead of the name as typed, and
credit_code (统一社会信用代码) is unique when known

Each existing enterprise's name_key is computed from its name. Names that differ only in brackets
（） / (), spaces or zero-width characters would become one key: the upgrade then refuses, names
them and changes nothing, so that a person merges or renames them first (nothing is merged silently).
Existing profiles hold no credit_code (the model had no such field), so the column starts empty.

The name_key rule is copied here on purpose (recommender.company.name_key as it was): a migration
must keep meaning what it meant when it was written.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 09:00:00
"""

import re
import unicodedata
from collections import defaultdict

import opencc
import sqlalchemy as sa
from alembic import op

from recommender.registry.enterprises import RegistryError

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

NAME_MAX = 200
CREDIT_CODE_LENGTH = 18
OLD_UNIQUE = "enterprises_name_key"  # UNIQUE (name) of 0001: PostgreSQL's default name, and SQLite's by this convention
PROFILE_TABLES = ("enterprises", "enterprise_revisions", "feedback")  # the tables that store a profile
CONVENTION = {"uq": "%(table_name)s_%(column_0_name)s_key"}

_CONTROL = re.compile("[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]")
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_BRACKETS = str.maketrans({"[": "(", "]": ")", "【": "(", "】": ")", "〔": "(", "〕": ")", "〖": "(", "〗": ")"})
_SPACES = re.compile(r"\s+")
_LATIN = re.compile(r"[A-Za-z0-9]")


def _space(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    between_words = start > 0 and end < len(text) and _LATIN.match(text[start - 1]) and _LATIN.match(text[end])
    return " " if between_words else ""


def _name_key(name: str) -> str:
    text = _INVISIBLE.sub("", _CONTROL.sub(" ", name))
    key = opencc.OpenCC("t2s").convert(unicodedata.normalize("NFKC", text)).translate(_BRACKETS)
    while (folded := unicodedata.normalize("NFKC", _SPACES.sub(_space, key))) != key:
        key = folded
    return key


def _keys() -> dict[int, str]:
    """Every enterprise's name_key by id; RegistryError naming the enterprises that would share one."""
    enterprises = sa.table("enterprises", sa.column("id", sa.Integer), sa.column("name", sa.String))
    rows = op.get_bind().execute(sa.select(enterprises.c.id, enterprises.c.name).order_by(enterprises.c.id)).all()
    keys = {row.id: _name_key(row.name) for row in rows}
    groups: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        groups[keys[row.id]].append(f"“{row.name}”（编号 {row.id}）")
    clashes = ["与".join(names) for names in groups.values() if len(names) > 1]
    if clashes:
        raise RegistryError(
            f"企业档案库未升级（0004），未做任何修改：有 {len(clashes)} 组企业的名称只差括号、空格或不可见字符，"
            f"按新规则是同一家企业：{'；'.join(clashes)}。请先用旧版本把每组合并为一家（或改名），再升级"
        )
    return keys


def upgrade() -> None:
    keys = _keys()
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(length=NAME_MAX), nullable=True))
        batch_op.add_column(sa.Column("credit_code", sa.String(length=CREDIT_CODE_LENGTH), nullable=True))
    if keys:
        enterprises = sa.table("enterprises", sa.column("id", sa.Integer), sa.column("name_key", sa.String))
        fill = enterprises.update().where(enterprises.c.id == sa.bindparam("eid")).values(name_key=sa.bindparam("key"))
        op.get_bind().execute(fill, [{"eid": i, "key": k} for i, k in keys.items()])
    with op.batch_alter_table("enterprises", schema=None, naming_convention=CONVENTION) as batch_op:
        batch_op.alter_column("name_key", existing_type=sa.String(length=NAME_MAX), nullable=False)
        batch_op.drop_constraint(OLD_UNIQUE, type_="unique")
        batch_op.create_unique_constraint("enterprise_name_key_unique", ["name_key"])
        batch_op.create_unique_constraint("enterprise_credit_code_unique", ["credit_code"])


def _forget_credit_codes() -> None:
    """credit_code taken out of every stored profile: the older model refuses a profile field it does not know."""
    for name in PROFILE_TABLES:
        rows = sa.table(name, sa.column("id", sa.Integer), sa.column("profile", sa.JSON))
        found = op.get_bind().execute(sa.select(rows.c.id, rows.c.profile)).all()
        changed = [
            {"rid": row.id, "data": {k: v for k, v in row.profile.items() if k != "credit_code"}}
            for row in found
            if "credit_code" in row.profile
        ]
        if changed:
            forget = rows.update().where(rows.c.id == sa.bindparam("rid"))
            op.get_bind().execute(forget.values(profile=sa.bindparam("data", type_=sa.JSON)), changed)


def downgrade() -> None:
    _forget_credit_codes()
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_constraint("enterprise_credit_code_unique", type_="unique")
        batch_op.drop_constraint("enterprise_name_key_unique", type_="unique")
        batch_op.drop_column("credit_code")
        batch_op.drop_column("name_key")
        batch_op.create_unique_constraint(OLD_UNIQUE, ["name"])
