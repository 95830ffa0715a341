"""Account changes by client address: registrations and new email addresses, counted for their
limits (server.services.account_changes).

On PostgreSQL the table announces its writes like every other (migration 0005's function):
a registration or an address it counts writes an account too, so this adds no cache emptying.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_TABLE = "account_changes"
_INDEX = f"ix_{_TABLE}_kind_address_made_at"
_ANNOUNCE = "hubindex_announce_change"  # migration 0005's _FUNCTION
_TRIGGER = f"{_TABLE}_announce_change"  # named as migration 0005 names its triggers


def upgrade() -> None:
    op.create_table(
        _TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{_TABLE}")),
    )
    op.create_index(_INDEX, _TABLE, ["kind", "address", "made_at"])
    op.create_index(op.f(f"ix_{_TABLE}_made_at"), _TABLE, ["made_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""CREATE TRIGGER {_TRIGGER}
            AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {_TABLE}
            FOR EACH STATEMENT EXECUTE FUNCTION {_ANNOUNCE}()"""
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {_TRIGGER} ON {_TABLE}")
    op.drop_index(op.f(f"ix_{_TABLE}_made_at"), table_name=_TABLE)
    op.drop_index(_INDEX, table_name=_TABLE)
    op.drop_table(_TABLE)
