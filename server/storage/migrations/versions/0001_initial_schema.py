"""Initial schema: users, emails, confirmations, repositories, images, the token signing key.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _created_at() -> sa.Column:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=30), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        _created_at(),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_emails_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emails")),
        sa.UniqueConstraint("address", name=op.f("uq_emails_address")),
    )
    op.create_index(op.f("ix_emails_user_id"), "emails", ["user_id"])
    op.create_table(
        "email_confirmations",
        sa.Column("code_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("email_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["email_id"],
            ["emails.id"],
            name=op.f("fk_email_confirmations_email_id_emails"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_email_confirmations")),
    )
    op.create_index(op.f("ix_email_confirmations_email_id"), "email_confirmations", ["email_id"])
    op.create_table(
        "repositories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("namespace", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repositories")),
        sa.UniqueConstraint("namespace", "name", name="uq_repositories_namespace_name"),
    )
    op.create_table(
        "images",
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("image_id", sa.String(length=64), nullable=False),
        sa.Column("checksum", sa.String(length=512), nullable=True),
        sa.ForeignKeyConstraint(
            ["repository_id"],
            ["repositories.id"],
            name=op.f("fk_images_repository_id_repositories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("repository_id", "image_id", name=op.f("pk_images")),
    )
    signing_keys = op.create_table(
        "signing_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.LargeBinary(length=64), nullable=False),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_keys")),
    )
    # One key per database, made here so that every process serving it signs alike.
    op.bulk_insert(signing_keys, [{"id": 1, "secret": secrets.token_bytes(32)}])


def downgrade() -> None:
    op.drop_table("signing_keys")
    op.drop_table("images")
    op.drop_table("repositories")
    op.drop_index(op.f("ix_email_confirmations_email_id"), table_name="email_confirmations")
    op.drop_table("email_confirmations")
    op.drop_index(op.f("ix_emails_user_id"), table_name="emails")
    op.drop_table("emails")
    op.drop_table("users")
