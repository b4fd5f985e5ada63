"""staff documents: policy documents added on the deployment, their clauses' proposals and reviews;
two more shown states: not_yet (a document not yet in force) and unreviewed (a rule on unreviewed proposals)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 02:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# consultation_measures.match_status and feedback.shown_status (copied: a migration keeps its meaning)
OLD_STATES = ("eligible", "partial", "unknown", "ineligible", "expired")
NEW_STATES = (*OLD_STATES, "not_yet", "unreviewed")
COLUMNS = (("consultation_measures", "match_status"), ("feedback", "shown_status"))


def _allow(states: tuple[str, ...]) -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"{column}_allowed", type_="check")
            batch_op.create_check_constraint(f"{column}_allowed", f"{column} IN ({', '.join(map(repr, states))})")


def upgrade() -> None:
    _allow(NEW_STATES)
    op.create_table(
        "staff_documents",
        sa.Column("policy_id", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("source_name", sa.String(length=300), nullable=False),
        sa.Column("source_format", sa.String(length=10), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("meta_proposal", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.String(length=100), nullable=True),
        sa.CheckConstraint("state IN ('draft', 'published')", name="state_allowed"),
        sa.PrimaryKeyConstraint("policy_id"),
    )
    op.create_table(
        "staff_clauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.String(length=100), nullable=False),
        sa.Column("clause_id", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("clause", sa.JSON(), nullable=False),
        sa.Column("proposal", sa.JSON(), nullable=False),
        sa.Column("decisions", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["policy_id"], ["staff_documents.policy_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("clause_id"),
    )
    op.create_table(
        "staff_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.String(length=100), nullable=False),
        sa.Column("clause_id", sa.String(length=120), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("reviewed_by", sa.String(length=100), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("action IN ('accepted', 'edited', 'rejected')", name="action_allowed"),
        sa.ForeignKeyConstraint(["policy_id"], ["staff_documents.policy_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("staff_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_reviews_policy_id"), ["policy_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("staff_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_reviews_policy_id"))
    op.drop_table("staff_reviews")
    op.drop_table("staff_clauses")
    op.drop_table("staff_documents")
    for table, column in COLUMNS:  # the nearest older code: not yet in force was shown as expired
        rows = sa.table(table, sa.column(column, sa.String))
        op.execute(rows.update().where(rows.c[column] == "not_yet").values({column: "expired"}))
        op.execute(rows.update().where(rows.c[column] == "unreviewed").values({column: "unknown"}))
    _allow(OLD_STATES)
