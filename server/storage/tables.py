"""The database schema, as SQLAlchemy 2 mapped classes. Alembic migrations follow it."""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Constraint names are fixed, so that migrations and error handling can rely on them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(30), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    emails: Mapped[list["Email"]] = relationship(back_populates="user", passive_deletes=True)


class Email(Base):
    """Every address of every account; an address belongs to one account only."""

    __tablename__ = "emails"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Stored lower-cased, so that uniqueness ignores case.
    address: Mapped[str] = mapped_column(String(254), unique=True)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    user: Mapped[User] = relationship(back_populates="emails")


class EmailConfirmation(Base):
    """A single-use, expiring code mailed to an address. Only its SHA-256 is stored."""

    __tablename__ = "email_confirmations"

    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    email_id: Mapped[int] = mapped_column(ForeignKey("emails.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Repository(Base):
    __tablename__ = "repositories"
    __table_args__ = (UniqueConstraint("namespace", "name", name="uq_repositories_namespace_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    namespace: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Drawn at random when the repository is created, never reused: the tokens for it name it,
    # so that they do not work for a later repository of the same name (migration 0010).
    instance: Mapped[int] = mapped_column(BigInteger, server_default="0")
    # Read only by those granted a level on it (server.services.permissions; migration 0011).
    is_private: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # Its page (server.services.pages; migration 0014): Markdown; the last push or change of
    # its descriptions (None: its creation); its stars, kept with repository_stars.
    full_description: Mapped[str] = mapped_column(Text, server_default="")
    last_updated: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    star_count: Mapped[int] = mapped_column(Integer, server_default="0")
    # Its pulls, added in batches by each serving process (server.services.pulls), which
    # announce nothing (migration 0019): search ranks by it after the stars.
    pull_count: Mapped[int] = mapped_column(BigInteger, server_default="0")


class Collaborator(Base):
    """An account granted a level (``write``) on a repository of another namespace."""

    __tablename__ = "collaborators"

    repository_id: Mapped[int] = mapped_column(
        ForeignKey("repositories.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    level: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RepositoryTombstone(Base):
    """What a deleted repository held, kept while its delete token lives: the registry checks
    that token after the deletion and removes the layers the list names."""

    __tablename__ = "repository_tombstones"

    instance: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    namespace: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(255))
    images: Mapped[str] = mapped_column(Text)  # the image list as GET .../images answered it
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class SearchGeneration(Base):
    """One row, ``id`` 1: a number that triggers on ``repositories`` (migration 0004) raise in
    the writing transaction whenever a write may change what a search finds. A process may
    keep search results for as long as the number it read before searching stays the same."""

    __tablename__ = "search_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger)


class Image(Base):
    """An image id recorded for a repository, with its checksum once the registry knows it."""

    __tablename__ = "images"

    repository_id: Mapped[int] = mapped_column(
        ForeignKey("repositories.id", ondelete="CASCADE"), primary_key=True
    )
    # Indexed alone too, for the parent-layer check: which repositories list an image.
    image_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    checksum: Mapped[str | None] = mapped_column(String(512))


class LoginFailure(Base):
    """A wrong password, kept for a while to slow down guessing (per account, per address)."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(255), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class KnownLoginAddress(Base):
    """An address an account logged in from with its current password: the login limits let
    the owner in there whatever strangers elsewhere try (server.services.logins)."""

    __tablename__ = "known_login_addresses"

    username: Mapped[str] = mapped_column(String(255), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    # sha256 of the password hash it was logged in with: a password change makes it unknown.
    password_digest: Mapped[str] = mapped_column(String(64))
    last_success_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class AccountChange(Base):
    """A registration or a new email address, by client address, kept for a while for the
    limits on them (server.services.account_changes)."""

    __tablename__ = "account_changes"
    __table_args__ = (
        Index("ix_account_changes_kind_address_made_at", "kind", "address", "made_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class AccessToken(Base):
    """A personal access token: its secret is never stored, only its HMAC keyed by a key
    derived from the signing key (server.services.access_tokens)."""

    __tablename__ = "access_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(32))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    creator_ip: Mapped[str] = mapped_column(String(64))
    creator_ua: Mapped[str] = mapped_column(String(255))


class SigningKey(Base):
    """The secret tokens are signed with: in the database, so every process shares it."""

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secret: Mapped[bytes] = mapped_column(LargeBinary(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Webhook(Base):
    """A named group of hooks on one repository, as Docker Hub keeps them: deleted with it."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    repository_id: Mapped[int] = mapped_column(
        ForeignKey("repositories.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    expect_final_callback: Mapped[bool] = mapped_column(Boolean, default=False)
    creator: Mapped[str] = mapped_column(String(30))
    last_updater: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_updated: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebhookHook(Base):
    """One URL a webhook posts its events to, with the secret its deliveries are signed with
    (sealed with the secrets key, server.webhooks.sealing: signing needs it back) and its run
    of deliveries given up in a row."""

    __tablename__ = "webhook_hooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    webhook_id: Mapped[int] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    hook_url: Mapped[str] = mapped_column(String(2048))
    secret: Mapped[str] = mapped_column(String(512))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failures_in_a_row: Mapped[int] = mapped_column(Integer, default=0)
    disabled_reason: Mapped[str | None] = mapped_column(String(255))
    creator: Mapped[str] = mapped_column(String(30))
    last_updater: Mapped[str] = mapped_column(String(30))
    date_added: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_updated: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SecretsKeyCheck(Base):
    """One row: a known text sealed with the secrets key (server.services.secrets_key), so that
    a process whose key file opens nothing the others sealed refuses to start, even while no
    hook exists yet."""

    __tablename__ = "secrets_key_check"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sealed: Mapped[str] = mapped_column(String(512))
    sealed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebhookDelivery(Base):
    """The outbox: one event to one hook, written in the transaction of the change it reports
    (server.services.webhook_outbox), and its delivery's log. ``next_attempt_at`` is when a
    worker may next take it (NULL: done, delivered or given up); a worker that takes it moves
    that time past its lease and marks it with ``lease``, so no other process takes it
    meanwhile. A delivery of a repository's deletion names no hook (the hooks go with the
    repository): it carries the URL and secret it is sent with, as every delivery does."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    hook_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_hooks.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(String(2048))
    secret: Mapped[str] = mapped_column(String(512))  # sealed, as its hook's
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    lease: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(16))  # pending | delivered | failed
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(255))
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Namespace(Base):
    """Every name a user or an organization holds: one row each, so that the primary key
    refuses a name that is taken either way, however two creations race (migration 0012)."""

    __tablename__ = "namespaces"

    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), unique=True
    )


class Organization(Base):
    """A namespace whose repositories its members share (server.services.organizations)."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(30), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OrganizationMember(Base):
    """A user's role in an organization: owner, editor or member."""

    __tablename__ = "organization_members"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(8))
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Team(Base):
    """A team (Docker Hub's group) of an organization."""

    __tablename__ = "teams"
    __table_args__ = (
        UniqueConstraint("organization_id", "name", name="uq_teams_organization_id_name"),
        # The target of team_members' reference, which keeps a team's members in its org.
        UniqueConstraint("id", "organization_id", name="uq_teams_id_organization_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(50))
    description: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TeamMember(Base):
    """A member of an organization in one of its teams. Both references are composite, so
    that a team holds members of its own organization only, and leaving the organization
    leaves its teams in the same statement, whatever runs at the same time."""

    __tablename__ = "team_members"
    __table_args__ = (
        ForeignKeyConstraint(
            ["team_id", "organization_id"],
            ["teams.id", "teams.organization_id"],
            name="fk_team_members_team_id_teams",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["organization_id", "user_id"],
            ["organization_members.organization_id", "organization_members.user_id"],
            name="fk_team_members_organization_id_organization_members",
            ondelete="CASCADE",
        ),
        Index("ix_team_members_user_id", "user_id"),
    )

    team_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(Integer)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TeamPermission(Base):
    """A team's permission on a repository of its organization: read, write or admin."""

    __tablename__ = "team_permissions"

    repository_id: Mapped[int] = mapped_column(
        ForeignKey("repositories.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    permission: Mapped[str] = mapped_column(String(8))


class RepositoryStar(Base):
    """An account's star on a repository (server.services.pages)."""

    __tablename__ = "repository_stars"

    repository_id: Mapped[int] = mapped_column(
        ForeignKey("repositories.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    starred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Tag(Base):
    """A tag a v1 push named for one of the repository's images (migration 0015): which image
    it names, when it was last pushed, and by whom (a username, as webhooks keep theirs)."""

    __tablename__ = "tags"

    repository_id: Mapped[int] = mapped_column(
        ForeignKey("repositories.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    image_id: Mapped[str] = mapped_column(String(64))
    last_updated: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_updater: Mapped[str | None] = mapped_column(String(30))


class DelistedImage(Base):
    """An image id that has left a repository's list (its repository was deleted), and when
    it last did (migration 0015). It is an orphan while no repository lists it again
    (server.services.orphans)."""

    __tablename__ = "delisted_images"

    image_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_listed: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class AuditEvent(Base):
    """One event of an account's audit log (server.services.audit), written in the
    transaction of the change it records. ``account`` is the namespace it belongs to (a
    user's or an organization's name, or ``library``), kept as a name so that the log outlives
    what it tells of; ``data`` is a JSON object of strings."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_account_created_at", "account", "created_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    account: Mapped[str] = mapped_column(String(30))
    action: Mapped[str] = mapped_column(String(48))
    name: Mapped[str] = mapped_column(String(255))
    actor: Mapped[str] = mapped_column(String(255))
    data: Mapped[str] = mapped_column(Text)
    # No index of its own (an event written costs one index less): pruning walks the ids,
    # which follow the times.
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OrganizationAccessToken(Base):
    """An organization access token: as a personal one, only the HMAC of its secret is kept
    (server.services.access_tokens); what it allows is its resources."""

    __tablename__ = "organization_access_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    digest: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(30))


class OrganizationAccessTokenResource(Base):
    """One repository path an organization access token names, with its scopes and the level
    they allow (1: pull, 2: push)."""

    __tablename__ = "organization_access_token_resources"

    token_id: Mapped[int] = mapped_column(
        # Named: the convention's name is longer than PostgreSQL's 63 characters.
        ForeignKey(
            "organization_access_tokens.id", ondelete="CASCADE", name="fk_oat_resources_token_id"
        ),
        primary_key=True,
    )
    path: Mapped[str] = mapped_column(String(286), primary_key=True)
    scopes: Mapped[str] = mapped_column(String(32))
    level: Mapped[int] = mapped_column(SmallInteger)


class OrganizationInvite(Base):
    """A pending invitation to join an organization (server.services.invites), by Docker ID
    or by email address. ``invitee`` is what the owner typed (an address lower-cased);
    ``user_id`` the account it named when it was made (a username, or a confirmed address of
    an account), so that one account is invited once however it is named. Cancelled, declined
    and accepted invitations are deleted; an expired one is pending no more."""

    __tablename__ = "organization_invites"
    __table_args__ = (
        UniqueConstraint(
            "organization_id", "invitee", name="uq_organization_invites_organization_id_invitee"
        ),
        UniqueConstraint(
            "organization_id", "user_id", name="uq_organization_invites_organization_id_user_id"
        ),
        Index("ix_organization_invites_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    invitee: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(8))
    # A team of the organization to join with it; its deletion takes the invitation with it.
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), index=True
    )
    inviter: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
