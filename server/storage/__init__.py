"""Storage: SQLAlchemy tables, engines for SQLite and PostgreSQL, and Alembic migrations."""
