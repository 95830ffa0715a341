"""Indexes that bound every search: terms of one or two characters, and walks in name order.

SQLite: the one FTS5 table of migration 0003 becomes two, ``repositories_search_names``
(lower(namespace/name)) and ``repositories_search_descriptions`` (lower(description)), so that
a search in one text reads only that text's postings. Each indexed text ends with two U+0001
characters, which the API never stores: every character of the text then starts a trigram,
so that the texts containing a term of one or two characters are those with a trigram that
starts with it. ``fts5vocab`` tables (``..._terms``) list each index's trigrams in order, for
finding those. Expression indexes on lower(name) and lower(namespace) serve exact names and
name prefixes.

PostgreSQL: ``hubindex_search_grams(text)``, the distinct substrings of one and two characters
of a text, with a GIN index on those of both lower-cased texts (pg_trgm makes no trigram of a
shorter term, nor of punctuation); a (namespace, name) index in byte order (COLLATE "C") to
walk the rows in search order; and lower(name) and lower(namespace) in byte order for exact
names and prefixes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from alembic import op

# ruff: noqa: S608 - the statements are built from this file's constants only

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_END = "char(1, 1)"  # see the module's docstring; server/services/search_plan.py: SENTINEL


def _fts(table: str, column: str, text: str) -> list[str]:
    """An external-content trigram index of ``text`` (an expression on a repositories row)."""
    source = f"{table}_source"
    new_text, old_text = text.format(row="new"), text.format(row="old")
    return [
        f"CREATE VIEW {source} AS SELECT id, {text.format(row='repositories')} AS {column}"
        " FROM repositories",
        f"""CREATE VIRTUAL TABLE {table} USING fts5(
            {column}, content='{source}', content_rowid='id',
            tokenize='trigram case_sensitive 1'
        )""",
        f"CREATE VIRTUAL TABLE {table}_terms USING fts5vocab({table}, 'row')",
        f"""CREATE TRIGGER {table}_insert AFTER INSERT ON repositories BEGIN
            INSERT INTO {table} (rowid, {column}) VALUES (new.id, {new_text});
        END""",
        f"""CREATE TRIGGER {table}_delete AFTER DELETE ON repositories BEGIN
            INSERT INTO {table} ({table}, rowid, {column}) VALUES ('delete', old.id, {old_text});
        END""",
        f"""CREATE TRIGGER {table}_update
        AFTER UPDATE OF id, namespace, name, description ON repositories BEGIN
            INSERT INTO {table} ({table}, rowid, {column}) VALUES ('delete', old.id, {old_text});
            INSERT INTO {table} (rowid, {column}) VALUES (new.id, {new_text});
        END""",
        f"INSERT INTO {table} ({table}) VALUES ('rebuild')",
        f"INSERT INTO {table} ({table}) VALUES ('optimize')",
    ]


def _drop_fts(table: str) -> list[str]:
    return [
        f"DROP TRIGGER {table}_update",
        f"DROP TRIGGER {table}_delete",
        f"DROP TRIGGER {table}_insert",
        f"DROP TABLE {table}_terms",
        f"DROP TABLE {table}",
        f"DROP VIEW {table}_source",
    ]


_NAMES = "lower({row}.namespace || '/' || {row}.name) || " + _END
_DESCRIPTIONS = "lower({row}.description) || " + _END

# Migration 0003's index, for the downgrade.
_SQLITE_0003_DROP = [
    "DROP TRIGGER repositories_search_update",
    "DROP TRIGGER repositories_search_delete",
    "DROP TRIGGER repositories_search_insert",
    "DROP TABLE repositories_search",
    "DROP VIEW repositories_search_source",
]
_SQLITE_0003_CREATE = [
    """CREATE VIEW repositories_search_source AS
    SELECT id, lower(namespace || '/' || name) AS full_name, lower(description) AS description
    FROM repositories""",
    """CREATE VIRTUAL TABLE repositories_search USING fts5(
        full_name, description,
        content='repositories_search_source', content_rowid='id',
        tokenize='trigram case_sensitive 1'
    )""",
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
    "INSERT INTO repositories_search (repositories_search) VALUES ('rebuild')",
]

_SQLITE_INDEXES = [
    "CREATE INDEX ix_repositories_search_lower_name ON repositories (lower(name))",
    "CREATE INDEX ix_repositories_search_lower_namespace ON repositories (lower(namespace))",
]

_SQLITE_UPGRADE = [
    *_SQLITE_0003_DROP,
    *_fts("repositories_search_names", "full_name", _NAMES),
    *_fts("repositories_search_descriptions", "description", _DESCRIPTIONS),
    *_SQLITE_INDEXES,
]

_SQLITE_DOWNGRADE = [
    "DROP INDEX ix_repositories_search_lower_namespace",
    "DROP INDEX ix_repositories_search_lower_name",
    *_drop_fts("repositories_search_descriptions"),
    *_drop_fts("repositories_search_names"),
    *_SQLITE_0003_CREATE,
]

_POSTGRESQL_UPGRADE = [
    """CREATE FUNCTION hubindex_search_grams(text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT gram), '{}') FROM (
            SELECT substr($1, i, 1) AS gram FROM generate_series(1, length($1)) AS i
            UNION ALL
            SELECT substr($1, i, 2) FROM generate_series(1, length($1) - 1) AS i
        ) AS grams
    $$""",
    "CREATE INDEX ix_repositories_search_grams ON repositories USING gin ("
    "hubindex_search_grams(lower(namespace || '/' || name)),"
    " hubindex_search_grams(lower(description)))",
    "CREATE INDEX ix_repositories_search_walk ON repositories"
    ' (namespace COLLATE "C", name COLLATE "C")',
    'CREATE INDEX ix_repositories_search_lower_name ON repositories ((lower(name)) COLLATE "C")',
    "CREATE INDEX ix_repositories_search_lower_namespace ON repositories"
    ' ((lower(namespace)) COLLATE "C")',
]

_POSTGRESQL_DOWNGRADE = [
    "DROP INDEX ix_repositories_search_lower_namespace",
    "DROP INDEX ix_repositories_search_lower_name",
    "DROP INDEX ix_repositories_search_walk",
    "DROP INDEX ix_repositories_search_grams",
    "DROP FUNCTION hubindex_search_grams(text)",
]


def upgrade() -> None:
    statements = {"sqlite": _SQLITE_UPGRADE, "postgresql": _POSTGRESQL_UPGRADE}
    for statement in statements[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    statements = {"sqlite": _SQLITE_DOWNGRADE, "postgresql": _POSTGRESQL_DOWNGRADE}
    for statement in statements[op.get_bind().dialect.name]:
        op.execute(statement)
