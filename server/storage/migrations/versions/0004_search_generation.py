"""A search generation: a number raised by every write that may change what search finds.

``search_generation`` holds one row. Triggers on ``repositories`` raise its ``generation`` in
the writing transaction whenever a write may change a search's answer: a repository inserted
or deleted, or a change to the texts search reads (namespace, name, description). Other
updates, such as the upsert that finds a repository already there, leave it alone: on
PostgreSQL each raise locks the row until commit, so it serializes the writers that raise it.
As the number commits with the write, a process that reads it before searching may keep the
results under it, and every process sees a write's new number together with the write.

- SQLite: row triggers (SQLite has no others); an UPDATE raises it only when a text differs.
- PostgreSQL: statement triggers with transition tables, so that a bulk write raises it once:
  an INSERT or DELETE of at least one row, an UPDATE whose (namespace, name, description)
  rows differ from before, any TRUNCATE.

A bulk load with the triggers missing (the benchmark seeding loads its rows before the search
migrations) leaves the number as it is: raise it by hand if processes are running.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_RAISE = "UPDATE search_generation SET generation = generation + 1"

_SQLITE_UPGRADE = [
    f"""CREATE TRIGGER search_generation_insert AFTER INSERT ON repositories BEGIN
        {_RAISE};
    END""",
    f"""CREATE TRIGGER search_generation_delete AFTER DELETE ON repositories BEGIN
        {_RAISE};
    END""",
    f"""CREATE TRIGGER search_generation_update
    AFTER UPDATE OF namespace, name, description ON repositories
    WHEN old.namespace IS NOT new.namespace OR old.name IS NOT new.name
        OR old.description IS NOT new.description
    BEGIN
        {_RAISE};
    END""",
]

_SQLITE_DOWNGRADE = [
    "DROP TRIGGER search_generation_update",
    "DROP TRIGGER search_generation_delete",
    "DROP TRIGGER search_generation_insert",
]

# One function for the three statement triggers; each names its transition tables old_rows
# and new_rows. PL/pgSQL plans a query when it first runs it, so a branch may name a table
# that only another trigger has.
_POSTGRESQL_UPGRADE = [
    """CREATE FUNCTION search_generation_raise() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        changed boolean;
    BEGIN
        IF TG_OP = 'INSERT' THEN
            changed := EXISTS (SELECT FROM new_rows);
        ELSIF TG_OP = 'DELETE' THEN
            changed := EXISTS (SELECT FROM old_rows);
        ELSIF TG_OP = 'UPDATE' THEN
            changed := EXISTS (
                SELECT namespace, name, description FROM new_rows
                EXCEPT ALL
                SELECT namespace, name, description FROM old_rows
            );
        ELSE  -- TRUNCATE
            changed := true;
        END IF;
        IF changed THEN
            UPDATE search_generation SET generation = generation + 1;
        END IF;
        RETURN NULL;
    END
    $$""",
    """CREATE TRIGGER search_generation_insert AFTER INSERT ON repositories
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_generation_raise()""",
    """CREATE TRIGGER search_generation_delete AFTER DELETE ON repositories
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_generation_raise()""",
    # Transition tables rule out a column list (UPDATE OF ...): the function compares the rows.
    """CREATE TRIGGER search_generation_update AFTER UPDATE ON repositories
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_generation_raise()""",
    """CREATE TRIGGER search_generation_truncate AFTER TRUNCATE ON repositories
    FOR EACH STATEMENT EXECUTE FUNCTION search_generation_raise()""",
]

_POSTGRESQL_DOWNGRADE = [
    "DROP TRIGGER search_generation_truncate ON repositories",
    "DROP TRIGGER search_generation_update ON repositories",
    "DROP TRIGGER search_generation_delete ON repositories",
    "DROP TRIGGER search_generation_insert ON repositories",
    "DROP FUNCTION search_generation_raise()",
]


def upgrade() -> None:
    op.create_table(
        "search_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_generation")),
    )
    op.execute("INSERT INTO search_generation (id, generation) VALUES (1, 0)")
    statements = {"sqlite": _SQLITE_UPGRADE, "postgresql": _POSTGRESQL_UPGRADE}
    for statement in statements[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    statements = {"sqlite": _SQLITE_DOWNGRADE, "postgresql": _POSTGRESQL_DOWNGRADE}
    for statement in statements[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_table("search_generation")
