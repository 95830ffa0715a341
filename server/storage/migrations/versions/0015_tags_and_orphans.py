"""Tags and orphan images: the tags a v1 push names (which image each names, when and by whom
it was last pushed: server.services.tags), and the image ids that have left a repository's
list, with when they last did (server.services.orphans), so that an administrator can find
the ids no repository lists any more.

Both tables announce their writes on PostgreSQL like every other (migration 0005's function);
each is written beside a write that announces anyway (a push, a deletion).

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_ANNOUNCE = "hubindex_announce_change"  # migration 0005's _FUNCTION
_ANNOUNCED = ("tags", "delisted_images")


def _trigger(table: str) -> str:
    return f"{table}_announce_change"  # named as migration 0005 names its triggers


def upgrade() -> None:
    op.create_table(
        "tags",
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("image_id", sa.String(length=64), nullable=False),
        sa.Column("last_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_updater", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(
            ["repository_id"],
            ["repositories.id"],
            name=op.f("fk_tags_repository_id_repositories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("repository_id", "name", name=op.f("pk_tags")),
    )
    op.create_table(
        "delisted_images",
        sa.Column("image_id", sa.String(length=64), nullable=False),
        sa.Column("last_listed", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("image_id", name=op.f("pk_delisted_images")),
    )
    op.create_index(op.f("ix_delisted_images_last_listed"), "delisted_images", ["last_listed"])
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
    op.drop_table("delisted_images")
    op.drop_table("tags")
