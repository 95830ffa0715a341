"""A PostgreSQL database put back in its template's state, for the next test to start from.

A snapshot of the migrated template holds its schema's fingerprint, every table's rows and
every sequence's position. ``restore`` ends the connections still open on a used database,
checks that its schema is still the template's (a test may have changed it: then the database
is refused and the caller drops it), empties every table and writes the template's rows and
sequence positions back, in one transaction, with triggers off (the rows are the template's
as they were, not new writes).
"""

from dataclasses import dataclass

import psycopg
from psycopg import sql

# Everything a migration makes, one line per object, hashed (from the catalogs: their
# information_schema views are several times slower). The queries take no parameters: psycopg
# leaves their % signs (format()'s) alone.
FINGERPRINT = """
WITH spaces AS (
    SELECT oid FROM pg_namespace
     WHERE nspname <> ALL('{pg_catalog,information_schema,pg_toast}')
       AND nspname NOT LIKE 'pg_temp%' AND nspname NOT LIKE 'pg_toast_temp%'
), relations AS (
    SELECT oid, relkind FROM pg_class WHERE relnamespace IN (SELECT oid FROM spaces)
)
SELECT md5(coalesce(string_agg(item, E'\\n' ORDER BY item), '')) FROM (
    SELECT format('relation %s %s', oid::regclass, relkind) AS item FROM relations
    UNION ALL
    SELECT format('column %s %s %s %s %s', attrelid::regclass, attname, atttypid::regtype,
                  attnotnull, attnum)
      FROM pg_attribute WHERE attrelid IN (SELECT oid FROM relations) AND attnum > 0
                          AND NOT attisdropped
    UNION ALL
    SELECT format('default %s %s %s', adrelid::regclass, adnum, md5(pg_get_expr(adbin, adrelid)))
      FROM pg_attrdef WHERE adrelid IN (SELECT oid FROM relations)
    UNION ALL
    SELECT format('constraint %s %s %s %s', conrelid::regclass, conname, contype,
                  md5(coalesce(pg_get_expr(conbin, conrelid), '')))
      FROM pg_constraint WHERE connamespace IN (SELECT oid FROM spaces)
    UNION ALL
    SELECT format('trigger %s %s %s %s', tgrelid::regclass, tgname, tgfoid::regproc, tgtype)
      FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL
    SELECT format('function %s %s', oid::regprocedure, md5(prosrc))
      FROM pg_proc WHERE pronamespace IN (SELECT oid FROM spaces)
    UNION ALL
    SELECT format('view %s %s', ev_class::regclass, md5(ev_action::text))
      FROM pg_rewrite WHERE ev_class IN (SELECT oid FROM relations WHERE relkind IN ('v', 'm'))
    UNION ALL
    SELECT format('extension %s %s', extname, extversion) FROM pg_extension
) AS items
"""
TABLES = """
SELECT schemaname, tablename FROM pg_tables
 WHERE schemaname <> ALL('{pg_catalog,information_schema,pg_toast}')
 ORDER BY schemaname, tablename
"""
SEQUENCES = "SELECT schemaname, sequencename FROM pg_sequences ORDER BY 1, 2"
OTHER_CONNECTIONS = """
SELECT pg_terminate_backend(pid) FROM pg_stat_activity
 WHERE datname = current_database() AND pid <> pg_backend_pid()
"""


class ResetRefused(Exception):
    """The database is not the template's any more (its schema changed)."""


@dataclass(frozen=True)
class Snapshot:
    fingerprint: str
    rows: dict[tuple[str, str], bytes]  # every (schema, table) -> its rows, as COPY writes them
    # every (schema, sequence) -> (last_value, is_called)
    sequences: dict[tuple[str, str], tuple[int, bool]]

    @classmethod
    def of(cls, connection: psycopg.Connection) -> "Snapshot":
        rows = {}
        for schema, table in connection.execute(TABLES).fetchall():
            data = bytearray()
            copy_out = sql.SQL("COPY {} TO STDOUT").format(sql.Identifier(schema, table))
            with connection.cursor().copy(copy_out) as copy:
                for block in copy:
                    data += block
            rows[schema, table] = bytes(data)
        sequences = {}
        for schema, sequence in connection.execute(SEQUENCES).fetchall():
            position = connection.execute(
                sql.SQL("SELECT last_value, is_called FROM {}").format(
                    sql.Identifier(schema, sequence)
                )
            ).fetchone()
            assert position is not None
            sequences[schema, sequence] = (position[0], position[1])
        return cls(_fingerprint(connection), rows, sequences)

    def restore(self, connection: psycopg.Connection) -> None:
        """Put the database ``connection`` is on back in the snapshot's state."""
        connection.execute("SET lock_timeout = '10s'")
        connection.execute(OTHER_CONNECTIONS)
        if _fingerprint(connection) != self.fingerprint:
            raise ResetRefused("the schema differs from the template's")
        # DELETE, not TRUNCATE: a test leaves a few rows, and TRUNCATE makes new files for
        # every table and index, several times slower. One round trip for all of them.
        emptied = [sql.SQL("DELETE FROM {}").format(sql.Identifier(*name)) for name in self.rows]
        positioned = [
            sql.SQL("SELECT setval({}, {}, {})").format(
                sql.Literal(sql.Identifier(*name).as_string(connection)),
                sql.Literal(value),
                sql.Literal(called),
            )
            for name, (value, called) in self.sequences.items()
        ]
        with connection.transaction():
            connection.execute(
                sql.SQL("; ").join(
                    [
                        # A test database: its reset need not wait for the disk.
                        sql.SQL("SET LOCAL synchronous_commit = off"),
                        sql.SQL("SET LOCAL session_replication_role = replica"),
                        *emptied,
                        *positioned,
                    ]
                )
            )
            for name, data in self.rows.items():
                if data:
                    copy_in = sql.SQL("COPY {} FROM STDIN").format(sql.Identifier(*name))
                    with connection.cursor().copy(copy_in) as copy:
                        copy.write(data)


def _fingerprint(connection: psycopg.Connection) -> str:
    row = connection.execute(FINGERPRINT).fetchone()
    assert row is not None
    return str(row[0])
