"""The database schema, as SQLAlchemy 2 mapped classes. Alembic migrations follow it."""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
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
    image_id: Mapped[str] = mapped_column(String(64), primary_key=True)
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


class SigningKey(Base):
    """The secret tokens are signed with: in the database, so every process shares it."""

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secret: Mapped[bytes] = mapped_column(LargeBinary(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
