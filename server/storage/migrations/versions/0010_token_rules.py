"""Token rules: a repository's instance, and the tombstones deleted repositories leave.

``repositories.instance`` is a random number drawn when a repository is created: a token names
it, so that a token issued for a repository does not work for a later one of the same name
(SQLite may hand a deleted row's id to the next row; the instance is never reused). Rows that
exist already get one drawn here.

``repository_tombstones`` keeps, for the lifetime of the delete token, the image list a deleted
repository held: the registry checks that token after the deletion and learns from the list
which layers to remove (server.services.tokens). On PostgreSQL it announces its writes like
every other table (migration 0005's function).

``ix_images_image_id`` finds the repositories that list an image, for the registry's
parent-layer check.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_TABLE = "repository_tombstones"
_ANNOUNCE = "hubindex_announce_change"  # migration 0005's _FUNCTION
_TRIGGER = f"{_TABLE}_announce_change"  # named as migration 0005 names its triggers
# A positive 62-bit number per existing row, drawn by the database itself.
_DRAW = {
    "sqlite": "UPDATE repositories SET instance = random() & 4611686018427387903",
    "postgresql": "UPDATE repositories SET instance = floor(random() * 4611686018427387903)",
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column(
        "repositories",
        sa.Column("instance", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.execute(_DRAW[dialect])
    op.create_table(
        _TABLE,
        sa.Column("instance", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("namespace", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("images", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("instance", name=op.f(f"pk_{_TABLE}")),
    )
    op.create_index(op.f(f"ix_{_TABLE}_expires_at"), _TABLE, ["expires_at"])
    op.create_index(op.f("ix_images_image_id"), "images", ["image_id"])
    if dialect == "postgresql":
        op.execute(
            f"""CREATE TRIGGER {_TRIGGER}
            AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {_TABLE}
            FOR EACH STATEMENT EXECUTE FUNCTION {_ANNOUNCE}()"""
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {_TRIGGER} ON {_TABLE}")
    op.drop_index(op.f("ix_images_image_id"), table_name="images")
    op.drop_index(op.f(f"ix_{_TABLE}_expires_at"), table_name=_TABLE)
    op.drop_table(_TABLE)
    # Not a batch (a copy of the table would lose its triggers): SQLite drops a column itself.
    op.execute("ALTER TABLE repositories DROP COLUMN instance")
