"""a 可关注 lead has follow-up states of its own: 待了解 / 已告知 / 不适用 (a lead is looked into, never applied for)

A lead saved in a consultation was given the states of an application (待申报 / 已申报 / 已获批 / 未获批). Its
stored state becomes the nearest lead state: 待申报 → 待了解 (still open), 已申报 and 已获批 → 已告知 (acted
on), 未获批 → 不适用 (its reason kept). The database then accepts a lead's states for a lead only, an
application's for every other measure, and 不适用 with its reason only, as 未获批 (a blank reason is none).
Downgrade maps them back: 待了解 → 待申报, 已告知 → 已申报, 不适用 → 未获批.

The states are copied here on purpose (recommender.registry.states as it is): a migration keeps its meaning.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

APPLICATION = ("待申报", "已申报", "已获批", "未获批")
LEAD_STATES = ("待了解", "已告知", "不适用")
TO_LEAD = {"待申报": "待了解", "已申报": "已告知", "已获批": "已告知", "未获批": "不适用"}
FROM_LEAD = {"待了解": "待申报", "已告知": "已申报", "不适用": "未获批"}
TABLE = "consultation_measures"
GIVEN_REASON = "(reason IS NOT NULL AND TRIM(reason) <> '')"  # a blank reason is none


def _listed(values: tuple[str, ...]) -> str:
    return ", ".join(map(repr, values))


def _drop(*names: str) -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        for name in names:
            batch_op.drop_constraint(name, type_="check")


def _create(checks: dict[str, str]) -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        for name, condition in checks.items():
            batch_op.create_check_constraint(name, condition)


def _move(mapping: dict[str, str], leads_only: bool) -> None:
    rows = sa.table(TABLE, sa.column("follow_up", sa.String), sa.column("match_status", sa.String))
    for old, new in mapping.items():
        which = rows.c.follow_up == old
        if leads_only:
            which = sa.and_(which, rows.c.match_status == "lead")
        op.execute(rows.update().where(which).values(follow_up=new))


def upgrade() -> None:
    _drop("follow_up_allowed", "rejection_has_reason")
    _move(TO_LEAD, leads_only=True)
    fits = (
        f"(match_status = 'lead' AND follow_up IN ({_listed(LEAD_STATES)})) "
        f"OR (match_status <> 'lead' AND follow_up IN ({_listed(APPLICATION)}))"
    )
    _create(
        {
            "follow_up_allowed": f"follow_up IN ({_listed(APPLICATION + LEAD_STATES)})",
            "follow_up_fits_match_status": fits,
            "rejection_has_reason": f"follow_up NOT IN ('未获批', '不适用') OR {GIVEN_REASON}",
        }
    )


def downgrade() -> None:
    _drop("follow_up_allowed", "follow_up_fits_match_status", "rejection_has_reason")
    _move(FROM_LEAD, leads_only=False)
    _create(
        {
            "follow_up_allowed": f"follow_up IN ({_listed(APPLICATION)})",
            "rejection_has_reason": "follow_up <> '未获批' OR reason IS NOT NULL",
        }
    )
