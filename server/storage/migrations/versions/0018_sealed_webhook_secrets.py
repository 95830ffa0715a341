"""Webhook secrets sealed at rest: room for a sealed secret in the hooks and deliveries, and
the row that tells whether a process's secrets key is the one the database's secrets are
sealed with.

A migration is not given the secrets key, so the secrets written before are sealed just after
it, by the step every ``hubindex db upgrade``, ``hubindex restore`` and ``hubindex serve``
runs once the schema is current (server.services.secrets_key.prepare). The check table
announces nothing on PostgreSQL: no process keeps anything read from it.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_SEALED = ("webhook_hooks", "webhook_deliveries")


def upgrade() -> None:
    op.create_table(
        "secrets_key_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.String(length=512), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_secrets_key_check")),
    )
    for table in _SEALED:
        if op.get_bind().dialect.name == "sqlite":
            _widen_in_place(table)
        else:
            op.alter_column(
                table,
                "secret",
                existing_type=sa.String(length=128),
                type_=sa.String(length=512),
                existing_nullable=False,
            )


def _widen_in_place(table: str) -> None:
    """SQLite: a new column, filled, in the old one's place. Not batch mode: it copies the
    table and drops the old one, and with foreign keys on, dropping webhook_hooks would
    delete every delivery that names a hook."""
    op.execute(f"ALTER TABLE {table} ADD COLUMN secret_sealed VARCHAR(512) NOT NULL DEFAULT ''")
    op.execute(f"UPDATE {table} SET secret_sealed = secret")  # noqa: S608 (our table names)
    op.execute(f"ALTER TABLE {table} DROP COLUMN secret")
    op.execute(f"ALTER TABLE {table} RENAME COLUMN secret_sealed TO secret")


def downgrade() -> None:
    # The columns keep their width: a sealed secret does not fit in 128 characters, and only
    # the key file could open it again.
    op.drop_table("secrets_key_check")
