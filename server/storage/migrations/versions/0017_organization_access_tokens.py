"""Organization access tokens (server.services.access_tokens): a keyed hash of each secret,
and the repository paths each allows, with their scopes.

Both tables announce their writes on PostgreSQL like every other (migration 0005's function):
a deactivated or deleted token, or a resource taken away, must reach every process's caches.

Revision ID: 0017_organization_access_tokens
Revises: 0013
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_ANNOUNCE = "hubindex_announce_change"  # migration 0005's _FUNCTION
_ANNOUNCED = ("organization_access_tokens", "organization_access_token_resources")


def _trigger(table: str) -> str:
    return f"{table}_announce_change"  # named as migration 0005 names its triggers


def upgrade() -> None:
    op.create_table(
        "organization_access_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_organization_access_tokens_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization_access_tokens")),
        sa.UniqueConstraint("digest", name=op.f("uq_organization_access_tokens_digest")),
        sa.UniqueConstraint("uuid", name=op.f("uq_organization_access_tokens_uuid")),
    )
    op.create_index(
        op.f("ix_organization_access_tokens_organization_id"),
        "organization_access_tokens",
        ["organization_id"],
    )
    op.create_table(
        "organization_access_token_resources",
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=286), nullable=False),
        sa.Column("scopes", sa.String(length=32), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["organization_access_tokens.id"],
            name="fk_oat_resources_token_id",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "token_id", "path", name=op.f("pk_organization_access_token_resources")
        ),
    )
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
    op.drop_table("organization_access_token_resources")
    op.drop_table("organization_access_tokens")
