"""Known login addresses: where an account logged in with its current password, lately.

The login limits let the owner in at such an address whatever strangers elsewhere try
(server.services.logins). On PostgreSQL the table announces its writes like every other
(migration 0005's function).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_TABLE = "known_login_addresses"
_ANNOUNCE = "hubindex_announce_change"  # migration 0005's _FUNCTION
_TRIGGER = f"{_TABLE}_announce_change"  # named as migration 0005 names its triggers


def upgrade() -> None:
    op.create_table(
        _TABLE,
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("password_digest", sa.String(length=64), nullable=False),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username", "address", name=op.f(f"pk_{_TABLE}")),
    )
    op.create_index(op.f(f"ix_{_TABLE}_last_success_at"), _TABLE, ["last_success_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""CREATE TRIGGER {_TRIGGER}
            AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {_TABLE}
            FOR EACH STATEMENT EXECUTE FUNCTION {_ANNOUNCE}()"""
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {_TRIGGER} ON {_TABLE}")
    op.drop_index(op.f(f"ix_{_TABLE}_last_success_at"), table_name=_TABLE)
    op.drop_table(_TABLE)
