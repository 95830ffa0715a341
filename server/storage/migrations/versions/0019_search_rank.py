"""Search ranks within each group: by stars, then pulls, then name (server.services.search_plan).

``repositories.pull_count`` replaces ``repository_pulls`` (migration 0014), whose counts it
takes over: the pull batches (server.services.pulls) add to it, so that one index can hold
the whole order, ``ix_repositories_search_rank`` (star_count DESC, pull_count DESC,
namespace, name, in byte order), and a search may walk the rows in that order as it walked
them in name order before (``ix_repositories_search_walk`` on PostgreSQL, which it replaces).

A batch still announces nothing (migration 0005's change feed): on PostgreSQL, an UPDATE of
``repositories`` announces itself only when its rows changed in some column besides
``pull_count`` (a statement trigger with transition tables, as migration 0004's); an INSERT,
DELETE or TRUNCATE always does. A batch does not raise the search generation either (0004
compares only the texts), so a search answer kept in a process's cache keeps the pull order
it was computed with until the next write that raises it. SQLite's triggers name their
columns and fire on none of this.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

# ruff: noqa: S608 - the statements are built from this file's constants only

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

_ANNOUNCE = "hubindex_announce_change"  # migration 0005's _FUNCTION
_CHANNEL = "hubindex_changes"  # and its CHANNEL
_ANNOUNCE_UPDATE = "hubindex_announce_repository_update"
_TRIGGER = "repositories_announce_change"  # named as migration 0005 names its triggers
_UPDATE_TRIGGER = "repositories_announce_update"
_PULLS = "repository_pulls"
_RANK = "ix_repositories_search_rank"

_POSTGRESQL_UPGRADE = [
    f"DROP TRIGGER {_TRIGGER} ON repositories",
    f"""CREATE TRIGGER {_TRIGGER} AFTER INSERT OR DELETE OR TRUNCATE ON repositories
    FOR EACH STATEMENT EXECUTE FUNCTION {_ANNOUNCE}()""",
    # Every column but pull_count, whatever columns later migrations add: a row as jsonb.
    f"""CREATE FUNCTION {_ANNOUNCE_UPDATE}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (
            SELECT to_jsonb(n) - 'pull_count' FROM new_rows AS n
            EXCEPT ALL
            SELECT to_jsonb(o) - 'pull_count' FROM old_rows AS o
        ) THEN
            PERFORM pg_notify('{_CHANNEL}', '');
        END IF;
        RETURN NULL;
    END
    $$""",
    f"""CREATE TRIGGER {_UPDATE_TRIGGER} AFTER UPDATE ON repositories
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {_ANNOUNCE_UPDATE}()""",
    "DROP INDEX ix_repositories_search_walk",
    f"CREATE INDEX {_RANK} ON repositories (star_count DESC, pull_count DESC,"
    ' namespace COLLATE "C", name COLLATE "C")',
]

_POSTGRESQL_DOWNGRADE = [
    f"DROP INDEX {_RANK}",
    "CREATE INDEX ix_repositories_search_walk ON repositories"
    ' (namespace COLLATE "C", name COLLATE "C")',
    f"DROP TRIGGER {_UPDATE_TRIGGER} ON repositories",
    f"DROP FUNCTION {_ANNOUNCE_UPDATE}()",
    f"DROP TRIGGER {_TRIGGER} ON repositories",
    f"""CREATE TRIGGER {_TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON repositories
    FOR EACH STATEMENT EXECUTE FUNCTION {_ANNOUNCE}()""",
]

# SQLite compares text in byte order already (BINARY).
_SQLITE_UPGRADE = [
    f"CREATE INDEX {_RANK} ON repositories (star_count DESC, pull_count DESC, namespace, name)"
]
_SQLITE_DOWNGRADE = [f"DROP INDEX {_RANK}"]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column(
        "repositories", sa.Column("pull_count", sa.BigInteger(), nullable=False, server_default="0")
    )
    op.execute(
        f"UPDATE repositories SET pull_count = (SELECT pull_count FROM {_PULLS}"
        f" WHERE {_PULLS}.repository_id = repositories.id)"
        f" WHERE id IN (SELECT repository_id FROM {_PULLS})"
    )
    op.drop_table(_PULLS)
    for statement in _POSTGRESQL_UPGRADE if dialect == "postgresql" else _SQLITE_UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _POSTGRESQL_DOWNGRADE if dialect == "postgresql" else _SQLITE_DOWNGRADE:
        op.execute(statement)
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
    op.execute(
        f"INSERT INTO {_PULLS} (repository_id, pull_count)"
        " SELECT id, pull_count FROM repositories WHERE pull_count > 0"
    )
    # Not a batch (a copy of the table would lose its triggers): SQLite drops a column itself.
    op.execute("ALTER TABLE repositories DROP COLUMN pull_count")
