"""Personal access tokens (server.services.access_tokens): a keyed hash of each secret, its
account, scope, expiry, whether it is active, and when it was last used.

On PostgreSQL the table announces its writes like every other (migration 0005's function), so
a deactivated or deleted token is seen by every process's read cache at once.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_TABLE = "access_tokens"
_ANNOUNCE = "hubindex_announce_change"  # migration 0005's _FUNCTION
_TRIGGER = f"{_TABLE}_announce_change"  # named as migration 0005 names its triggers


def upgrade() -> None:
    op.create_table(
        _TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("creator_ip", sa.String(length=64), nullable=False),
        sa.Column("creator_ua", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f(f"fk_{_TABLE}_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{_TABLE}")),
        sa.UniqueConstraint("uuid", name=op.f(f"uq_{_TABLE}_uuid")),
        sa.UniqueConstraint("digest", name=op.f(f"uq_{_TABLE}_digest")),
    )
    op.create_index(op.f(f"ix_{_TABLE}_user_id"), _TABLE, ["user_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""CREATE TRIGGER {_TRIGGER}
            AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {_TABLE}
            FOR EACH STATEMENT EXECUTE FUNCTION {_ANNOUNCE}()"""
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {_TRIGGER} ON {_TABLE}")
    op.drop_index(op.f(f"ix_{_TABLE}_user_id"), table_name=_TABLE)
    op.drop_table(_TABLE)
