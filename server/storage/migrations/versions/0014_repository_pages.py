"""Repository pages: a full description beside the short one, when a repository last changed,
its stars and its pull count (server.services.pages).

``repositories.full_description``: Markdown, at most 25,000 characters (the spec checks it).
``repositories.last_updated``: the last push or change of its descriptions (NULL: none yet,
its creation counts). ``repositories.star_count``: the rows of ``repository_stars`` it has,
kept in the transaction that stars or unstars, so that a page and search read one column.

``repository_stars``: who starred what (``ix_repository_stars_user_id``: one account's stars).
It announces its writes on PostgreSQL like every other table (migration 0005's function).

``repository_pulls``: each repository's pulls, added by each serving process's batches
(server.services.pulls). It does not announce its writes: a batch changes nothing a process
keeps, and announcing it would empty every process's caches every time one is written.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_ANNOUNCE = "hubindex_announce_change"  # migration 0005's _FUNCTION
_STARS = "repository_stars"
_PULLS = "repository_pulls"
_TRIGGER = f"{_STARS}_announce_change"  # named as migration 0005 names its triggers
_COLUMNS = ("full_description", "last_updated", "star_count")


def upgrade() -> None:
    op.add_column(
        "repositories",
        sa.Column("full_description", sa.Text(), nullable=False, server_default=""),
    )
    op.add_column(
        "repositories", sa.Column("last_updated", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "repositories",
        sa.Column("star_count", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_table(
        _STARS,
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("starred_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["repository_id"],
            ["repositories.id"],
            name=op.f(f"fk_{_STARS}_repository_id_repositories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f(f"fk_{_STARS}_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("repository_id", "user_id", name=op.f(f"pk_{_STARS}")),
    )
    op.create_index(op.f(f"ix_{_STARS}_user_id"), _STARS, ["user_id"])
    op.create_table(
        _PULLS,
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("pull_count", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["repository_id"],
            ["repositories.id"],
            name=op.f(f"fk_{_PULLS}_repository_id_repositories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("repository_id", name=op.f(f"pk_{_PULLS}")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""CREATE TRIGGER {_TRIGGER}
            AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {_STARS}
            FOR EACH STATEMENT EXECUTE FUNCTION {_ANNOUNCE}()"""
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {_TRIGGER} ON {_STARS}")
    op.drop_table(_PULLS)
    op.drop_index(op.f(f"ix_{_STARS}_user_id"), table_name=_STARS)
    op.drop_table(_STARS)
    # Not a batch (a copy of the table would lose its triggers): SQLite drops a column itself.
    for column in reversed(_COLUMNS):
        op.execute(f"ALTER TABLE repositories DROP COLUMN {column}")
