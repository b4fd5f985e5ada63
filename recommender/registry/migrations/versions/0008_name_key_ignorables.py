"""name_key without any invisible character: every format and default-ignorable character is removed
(soft hyphen U+00AD, combining grapheme joiner U+034F, Arabic letter mark U+061C, Mongolian vowel separator
U+180E, bidi isolates U+2066–U+2069, joiners, variation selectors, tags …), not only the zero-width and
direction marks of 0004

Each enterprise's name_key is computed again from its name. Names that differ only by such characters
would become one key: as in 0004, the upgrade then refuses, names them (their invisible characters written
out as ‹U+00AD›) and changes nothing, so that a person merges or renames them first (no record is merged
or dropped silently). The downgrade computes the keys by the rule before this one.

Both rules are copied here on purpose (recommender.company.name_key before and after this revision): a
migration must keep meaning what it meant when it was written.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10 09:00:00
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache

import opencc
import sqlalchemy as sa
from alembic import op

from recommender.registry.enterprises import RegistryError

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_CONTROL = re.compile("[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]")
# the rule before: zero-width and direction marks, and lone surrogates
_OLD_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ud800-\udfff]")
# the rule now: every format character (Cf, Unicode 15.1), the other default-ignorable code points, the
# zero-width joiner and the variation selectors, and lone surrogates
_IGNORABLE = re.compile(
    "[\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff\ud800-\udfff]"
)
_BRACKETS = str.maketrans({"[": "(", "]": ")", "【": "(", "】": ")", "〔": "(", "〕": ")", "〖": "(", "〗": ")"})
_SPACES = re.compile(r"\s+")
_LATIN = re.compile(r"[A-Za-z0-9]")
# a placeholder key while keys change: neither rule leaves a zero-width space in a key
_PLACEHOLDER = "\u200b{}"


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _space(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    between_words = start > 0 and end < len(text) and _LATIN.match(text[start - 1]) and _LATIN.match(text[end])
    return " " if between_words else ""


def _key(name: str, invisible: re.Pattern[str]) -> str:
    text = invisible.sub("", _CONTROL.sub(" ", name))
    key = _t2s().convert(unicodedata.normalize("NFKC", text)).translate(_BRACKETS)
    while (folded := unicodedata.normalize("NFKC", _SPACES.sub(_space, key))) != key:
        key = folded
    return key


def _old_key(name: str) -> str:
    """The name key before this revision."""
    return _key(name, _OLD_INVISIBLE)


def _new_key(name: str) -> str:
    """The name key from this revision on."""
    return _key(name, _IGNORABLE)


def _shown(name: str) -> str:
    """``name`` with its invisible characters written out (‹U+00AD›), so that two names in a message differ."""
    return _IGNORABLE.sub(lambda m: f"‹U+{ord(m.group()):04X}›", _CONTROL.sub(" ", name))


def _keys(rule: Callable[[str], str], step: str) -> dict[int, tuple[str, str]]:
    """Every enterprise's (stored, recomputed) name_key by id; RegistryError naming the enterprises that
    would share one (``step``: what is refused, 升级 or 降级)."""
    enterprises = sa.table(
        "enterprises", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("name_key", sa.String)
    )
    query = sa.select(enterprises.c.id, enterprises.c.name, enterprises.c.name_key).order_by(enterprises.c.id)
    rows = op.get_bind().execute(query).all()
    keys = {row.id: (row.name_key, rule(row.name)) for row in rows}
    groups: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        groups[keys[row.id][1]].append(f"“{_shown(row.name)}”（编号 {row.id}）")
    clashes = ["与".join(names) for names in groups.values() if len(names) > 1]
    if clashes:
        raise RegistryError(
            f"企业档案库未{step}（0008），未做任何修改：有 {len(clashes)} 组企业的名称只差不可见字符"
            f"（软连字符、方向控制符等，写作 ‹U+…›），按{step}后的规则是同一家企业：{'；'.join(clashes)}。"
            f"请先用旧版本把每组合并为一家（或改名），再{step}"
        )
    return keys


def _recompute(rule: Callable[[str], str], step: str) -> None:
    """Each enterprise's name_key by ``rule``, in two passes (a placeholder first) so that no key is held
    by two rows at once while they change; nothing is written when two would share one."""
    changed = {i: new for i, (old, new) in _keys(rule, step).items() if new != old}
    if not changed:
        return
    enterprises = sa.table("enterprises", sa.column("id", sa.Integer), sa.column("name_key", sa.String))
    fill = enterprises.update().where(enterprises.c.id == sa.bindparam("eid")).values(name_key=sa.bindparam("key"))
    op.get_bind().execute(fill, [{"eid": i, "key": _PLACEHOLDER.format(i)} for i in changed])
    op.get_bind().execute(fill, [{"eid": i, "key": k} for i, k in changed.items()])


def upgrade() -> None:
    _recompute(_new_key, "升级")


def downgrade() -> None:
    _recompute(_old_key, "降级")
