"""Webhooks: a repository's webhooks, their hooks (URL and signing secret), and the outbox of
deliveries written in the transaction of the push or deletion each reports
(server.services.webhook_outbox, server.delivery).

The configuration tables announce their writes on PostgreSQL like every other (migration
0005's function). The outbox does not: a delivery's bookkeeping changes nothing any process
keeps, and announcing each attempt would empty every process's caches; its new rows are
announced anyway by the write that makes them (a push writes the tables that announce).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_ANNOUNCE = "hubindex_announce_change"  # migration 0005's _FUNCTION
_ANNOUNCED = ("webhooks", "webhook_hooks")


def _trigger(table: str) -> str:
    return f"{table}_announce_change"  # named as migration 0005 names its triggers


def upgrade() -> None:
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("expect_final_callback", sa.Boolean(), nullable=False),
        sa.Column("creator", sa.String(length=30), nullable=False),
        sa.Column("last_updater", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_updated", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["repository_id"],
            ["repositories.id"],
            name=op.f("fk_webhooks_repository_id_repositories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhooks")),
    )
    op.create_index(op.f("ix_webhooks_repository_id"), "webhooks", ["repository_id"])
    op.create_table(
        "webhook_hooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("webhook_id", sa.Integer(), nullable=False),
        sa.Column("hook_url", sa.String(length=2048), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failures_in_a_row", sa.Integer(), nullable=False),
        sa.Column("disabled_reason", sa.String(length=255), nullable=True),
        sa.Column("creator", sa.String(length=30), nullable=False),
        sa.Column("last_updater", sa.String(length=30), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_updated", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["webhook_id"],
            ["webhooks.id"],
            name=op.f("fk_webhook_hooks_webhook_id_webhooks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_hooks")),
    )
    op.create_index(op.f("ix_webhook_hooks_webhook_id"), "webhook_hooks", ["webhook_id"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hook_id", sa.Integer(), nullable=True),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease", sa.String(length=32), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["hook_id"],
            ["webhook_hooks.id"],
            name=op.f("fk_webhook_deliveries_hook_id_webhook_hooks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    op.create_index(op.f("ix_webhook_deliveries_hook_id"), "webhook_deliveries", ["hook_id"])
    op.create_index(
        op.f("ix_webhook_deliveries_next_attempt_at"), "webhook_deliveries", ["next_attempt_at"]
    )
    if op.get_bind().dialect.name == "postgresql":
        for table in _ANNOUNCED:
            op.execute(
                f"""CREATE TRIGGER {_trigger(table)}
                AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION {_ANNOUNCE}()"""
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _ANNOUNCED:
            op.execute(f"DROP TRIGGER {_trigger(table)} ON {table}")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_hooks")
    op.drop_table("webhooks")
