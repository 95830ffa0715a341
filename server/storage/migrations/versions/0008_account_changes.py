"""Account changes by client address: registrations and new email addresses, counted for their
limits (server.services.account_changes).

No change-feed trigger: nothing a process keeps in a cache is read from this table.

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


def downgrade() -> None:
    op.drop_index(op.f(f"ix_{_TABLE}_made_at"), table_name=_TABLE)
    op.drop_index(_INDEX, table_name=_TABLE)
    op.drop_table(_TABLE)
