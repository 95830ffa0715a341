"""The audit log: one row per event, written in the transaction of the change it records
(server.services.audit).

Its writes are not announced on PostgreSQL (migration 0005's trigger): no process keeps
anything read from it, and the change an event records announces itself.

Revision ID: 0016_audit_log
Revises: 0013
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account", sa.String(length=30), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index("ix_audit_events_account_created_at", "audit_events", ["account", "created_at"])


def downgrade() -> None:
    op.drop_table("audit_events")
