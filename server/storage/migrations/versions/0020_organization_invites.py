"""Invitations to organizations (server.services.invites).

The table announces nothing on PostgreSQL's change feed: no process keeps anything read from
it (an accepted invitation's membership is written to organization_members, which does).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organization_invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("invitee", sa.String(length=254), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("inviter", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_organization_invites_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_organization_invites_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_organization_invites_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization_invites")),
        sa.UniqueConstraint("uuid", name=op.f("uq_organization_invites_uuid")),
        sa.UniqueConstraint(
            "organization_id", "invitee", name="uq_organization_invites_organization_id_invitee"
        ),
        sa.UniqueConstraint(
            "organization_id", "user_id", name="uq_organization_invites_organization_id_user_id"
        ),
    )
    op.create_index("ix_organization_invites_user_id", "organization_invites", ["user_id"])
    op.create_index(op.f("ix_organization_invites_team_id"), "organization_invites", ["team_id"])


def downgrade() -> None:
    op.drop_table("organization_invites")
