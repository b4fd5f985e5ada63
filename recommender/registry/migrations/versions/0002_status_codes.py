"""statuses stored as codes: consultation_measures.match_status and feedback.shown_status

Rows stored a Chinese label (可申请 …); they now store its code (eligible …), and the database
accepts codes only. Downgrade turns the codes back into labels.

The mapping is copied here on purpose (recommender.eligibility.status.STATUS_LABELS and
EXPIRED_LABEL as they were): a migration must keep meaning what it meant when it was written.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

LABELS = {
    "eligible": "可申请",
    "partial": "需补充条件",
    "unknown": "信息不足",
    "ineligible": "不符合",
    "expired": "已过期",
}
COLUMNS = (("consultation_measures", "match_status"), ("feedback", "shown_status"))


def _allowed(column: str) -> str:
    return f"{column} IN ({', '.join(repr(code) for code in LABELS)})"


def _convert(mapping: dict[str, str]) -> None:
    """Each stored value found in ``mapping`` replaced by its counterpart, in both tables."""
    for table, column in COLUMNS:
        rows = sa.table(table, sa.column(column, sa.String))
        for old, new in mapping.items():
            op.execute(rows.update().where(rows.c[column] == old).values({column: new}))


def upgrade() -> None:
    _convert({label: code for code, label in LABELS.items()})
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(f"{column}_allowed", _allowed(column))


def downgrade() -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"{column}_allowed", type_="check")
    _convert(LABELS)
