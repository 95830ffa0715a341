"""Private repositories and collaborators (server.services.permissions).

``repositories.is_private``: whether only those granted a level on it may read it (a missing
repository is what everyone else sees). Existing repositories stay public.

``collaborators``: an account granted ``write`` on one repository of another account's
namespace (it may read and push, not delete nor change who collaborates). ``level`` is kept
so that a later grant of another level needs no migration. ``ix_collaborators_user_id`` finds
what one account collaborates on, for search's filter.

A change of either may change what a search finds for someone: the service that writes it
raises the search generation (migration 0004) in the same transaction. On PostgreSQL the new
table announces its writes like every other (migration 0005's function).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_TABLE = "collaborators"
_ANNOUNCE = "hubindex_announce_change"  # migration 0005's _FUNCTION
_TRIGGER = f"{_TABLE}_announce_change"  # named as migration 0005 names its triggers


def upgrade() -> None:
    op.add_column(
        "repositories",
        sa.Column("is_private", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        _TABLE,
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["repository_id"],
            ["repositories.id"],
            name=op.f(f"fk_{_TABLE}_repository_id_repositories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f(f"fk_{_TABLE}_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("repository_id", "user_id", name=op.f(f"pk_{_TABLE}")),
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
    # Not a batch (a copy of the table would lose its triggers): SQLite drops a column itself.
    op.execute("ALTER TABLE repositories DROP COLUMN is_private")
