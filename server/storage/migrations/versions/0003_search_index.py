"""Text indexes for search: substring matches on lower(namespace/name) and lower(description).

SQLite: an FTS5 table with the trigram tokenizer, ``repositories_search``, whose content is
the view ``repositories_search_source`` (the two lower-cased texts, by repository id) and which
triggers on ``repositories`` keep up to date. The view and the tokenizer compare exactly as
``lower(text) LIKE '%term%'`` does on SQLite: the texts are lower-cased by SQLite's own lower()
and the tokenizer is case-sensitive, so a phrase query for a term of three or more characters
finds exactly the rows that contain it. ``INSERT INTO repositories_search(repositories_search)
VALUES ('rebuild')`` rebuilds the index from the table, e.g. after rows were written with the
triggers dropped.

PostgreSQL: pg_trgm GIN indexes on the same two expressions, which LIKE '%term%' uses.

Neither is known to the SQLAlchemy models: ``migrations/env.py`` keeps autogenerate (and so
``alembic check``) from reporting them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The indexed texts are lower(namespace || '/' || name) and lower(description): the search
# service queries these very expressions.
_SQLITE_UPGRADE = [
    """CREATE VIEW repositories_search_source AS
    SELECT id, lower(namespace || '/' || name) AS full_name, lower(description) AS description
    FROM repositories""",
    """CREATE VIRTUAL TABLE repositories_search USING fts5(
        full_name, description,
        content='repositories_search_source', content_rowid='id',
        tokenize='trigram case_sensitive 1'
    )""",
    # An external-content FTS5 index must be given a row's old texts to forget them.
    """CREATE TRIGGER repositories_search_insert AFTER INSERT ON repositories BEGIN
        INSERT INTO repositories_search (rowid, full_name, description)
        VALUES (new.id, lower(new.namespace || '/' || new.name), lower(new.description));
    END""",
    """CREATE TRIGGER repositories_search_delete AFTER DELETE ON repositories BEGIN
        INSERT INTO repositories_search (repositories_search, rowid, full_name, description)
        VALUES ('delete', old.id, lower(old.namespace || '/' || old.name), lower(old.description));
    END""",
    """CREATE TRIGGER repositories_search_update
    AFTER UPDATE OF id, namespace, name, description ON repositories BEGIN
        INSERT INTO repositories_search (repositories_search, rowid, full_name, description)
        VALUES ('delete', old.id, lower(old.namespace || '/' || old.name), lower(old.description));
        INSERT INTO repositories_search (rowid, full_name, description)
        VALUES (new.id, lower(new.namespace || '/' || new.name), lower(new.description));
    END""",
    # Index the rows there are, into one b-tree (queries read fewer segments).
    "INSERT INTO repositories_search (repositories_search) VALUES ('rebuild')",
    "INSERT INTO repositories_search (repositories_search) VALUES ('optimize')",
]

_SQLITE_DOWNGRADE = [
    "DROP TRIGGER repositories_search_update",
    "DROP TRIGGER repositories_search_delete",
    "DROP TRIGGER repositories_search_insert",
    "DROP TABLE repositories_search",
    "DROP VIEW repositories_search_source",
]

_POSTGRESQL_UPGRADE = [
    # A trusted extension since PostgreSQL 13: the database owner may create it.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_repositories_search_full_name ON repositories"
    " USING gin (lower(namespace || '/' || name) gin_trgm_ops)",
    "CREATE INDEX ix_repositories_search_description ON repositories"
    " USING gin (lower(description) gin_trgm_ops)",
]

# The extension stays: it may have been there before, and other objects may use it.
_POSTGRESQL_DOWNGRADE = [
    "DROP INDEX ix_repositories_search_description",
    "DROP INDEX ix_repositories_search_full_name",
]


def upgrade() -> None:
    statements = {"sqlite": _SQLITE_UPGRADE, "postgresql": _POSTGRESQL_UPGRADE}
    for statement in statements[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    statements = {"sqlite": _SQLITE_DOWNGRADE, "postgresql": _POSTGRESQL_DOWNGRADE}
    for statement in statements[op.get_bind().dialect.name]:
        op.execute(statement)
