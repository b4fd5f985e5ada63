"""one more shown state: lead (可关注, a lead not ruled out), which a consultation or feedback can record

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# consultation_measures.match_status and feedback.shown_status (copied: a migration keeps its meaning)
OLD_STATES = ("eligible", "partial", "unknown", "ineligible", "expired", "not_yet", "unreviewed")
NEW_STATES = (*OLD_STATES, "lead")
COLUMNS = (("consultation_measures", "match_status"), ("feedback", "shown_status"))


def _allow(states: tuple[str, ...]) -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"{column}_allowed", type_="check")
            batch_op.create_check_constraint(f"{column}_allowed", f"{column} IN ({', '.join(map(repr, states))})")


def upgrade() -> None:
    _allow(NEW_STATES)


def downgrade() -> None:
    for table, column in COLUMNS:  # the nearest older code: a lead's rule said neither yes nor no
        rows = sa.table(table, sa.column(column, sa.String))
        op.execute(rows.update().where(rows.c[column] == "lead").values({column: "unknown"}))
    _allow(OLD_STATES)
