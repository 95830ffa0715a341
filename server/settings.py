"""Configuration: typed settings from HUBINDEX_* environment variables, built once."""

import re
from typing import Annotated, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import AnyUrl, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "HUBINDEX_"
_HOST_PORT = r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$"


class ConfigurationError(Exception):
    """A setting is invalid; the message names its environment variable."""


class Settings(BaseSettings):
    """Every setting of hubindex. Each field is read from ``HUBINDEX_<FIELD NAME>``."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    database_url: str = Field(
        "sqlite:///hubindex.db",
        description="SQLAlchemy URL of the database: sqlite:///PATH (relative to the working"
        " directory) or postgresql+psycopg://USER@HOST:PORT/DB.",
    )
    database_pool_size: int = Field(
        32,
        ge=1,
        description="PostgreSQL: the most connections each server process opens; a request"
        " beyond them waits for one. Kept open, so that a busy server does not open and close"
        " connections (each a new PostgreSQL process); one more listens for changes. SQLite"
        " ignores it.",
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "info", description="Lowest level of log lines written."
    )
    log_format: Literal["text", "json"] = Field(
        "text", description="text: one readable line per event; json: one JSON object per line."
    )
    metrics_port: int | None = Field(
        None,
        ge=0,
        le=65535,
        description="Serve Prometheus metrics at http://METRICS_HOST:PORT/metrics; unset: off.",
    )
    metrics_host: str = Field("127.0.0.1", description="Address the metrics port listens on.")
    email_confirmation: Literal["required", "off"] = Field(
        "required",
        description="required: new accounts stay inactive until their email is confirmed;"
        " off: accounts are active at once.",
    )
    smtp_url: AnyUrl | None = Field(
        None,
        description="Where confirmation mails go: smtp://[USER:PASSWORD@]HOST[:PORT] (or"
        " smtps://, or smtp+starttls://). Unset: the confirmation link is written to the log.",
    )
    mail_from: str = Field("hubindex@localhost", description="Sender of confirmation mails.")
    public_url: AnyUrl | None = Field(
        None,
        description="The index's public base URL, for the links in confirmation mails;"
        " required when HUBINDEX_SMTP_URL is set (serve refuses to start without it). Unset"
        " (no SMTP): the link written to the log is the path alone, never one built from a"
        " request's Host.",
    )
    confirmation_ttl_seconds: int = Field(
        86_400, ge=60, description="How long a confirmation code stays valid."
    )
    token_ttl_seconds: int = Field(
        3600, ge=1, description="How long an access token handed out in X-Docker-Token is valid."
    )
    default_privacy: Literal["public", "private"] = Field(
        "public",
        description="Whether a repository is created public or private (its owner changes it"
        " with POST /v2/repositories/{namespace}/{repository}/privacy).",
    )
    bearer_ttl_seconds: int = Field(
        600,
        ge=1,
        le=86_400,
        description="How long a signed token of the management API (POST /v2/users/login,"
        " POST /v2/auth/token) is valid.",
    )
    registry_endpoints: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated host[:port] of the registries, for X-Docker-Endpoints."
        " Unset: the Host of the request.",
    )
    argon2_time_cost: int = Field(3, ge=1, description="argon2id iterations.")
    argon2_memory_kib: int = Field(65_536, ge=8, description="argon2id memory, in KiB.")
    argon2_parallelism: int = Field(4, ge=1, description="argon2id lanes.")
    password_cache_seconds: int = Field(
        60,
        ge=0,
        description="How long a process remembers a verified password (keyed by an HMAC, never"
        " the password; a password change ends it), so that Basic auth on every call of a push"
        " does not pay argon2id each time; 0: never.",
    )
    login_failures_per_account: int = Field(
        10,
        ge=0,
        description="Wrong passwords for one account within the window before its logins from"
        " addresses it is not known at are refused with 429 until the window passes (at a known"
        " address: those sent from that address); 0: no limit.",
    )
    login_failures_per_address: int = Field(
        50,
        ge=0,
        description="Wrong passwords from one client address within the window before its"
        " logins are refused with 429; 0: no limit.",
    )
    login_failure_window_seconds: int = Field(
        300, ge=1, description="How long a wrong password counts against those limits."
    )
    login_known_address_days: int = Field(
        30,
        ge=0,
        description="How long an address an account logged in from stays known to it: there,"
        " only the wrong passwords sent from that address count against the account's limit,"
        " and the address limit does not apply; 0: no address is known.",
    )
    registrations_per_address: int = Field(
        10,
        ge=0,
        description="Accounts one client address may register within the account-change"
        " window; more are refused with 429 until the window passes. A registration of a taken"
        " username or email (a `docker login` of an existing account) is never counted nor"
        " refused; 0: no limit.",
    )
    new_emails_per_address: int = Field(
        10,
        ge=0,
        description="Email addresses one client address may add to accounts within the"
        " account-change window (each is mailed); more are refused with 429; 0: no limit.",
    )
    account_change_window_seconds: int = Field(
        3600,
        ge=1,
        description="How long a registration or a new address counts against those limits.",
    )
    emails_per_account: int = Field(
        10,
        ge=0,
        description="Most email addresses one account may have (an unconfirmed address whose"
        " code has expired no longer counts); one more is refused with 409; 0: no limit.",
    )
    password_hashes_waiting: int = Field(
        32,
        ge=0,
        description="New password hashes (registrations, password changes) that may wait"
        " beyond those running (one per HUBINDEX_ARGON2_PARALLELISM cores, at least one); one"
        " more waits up to 1 s for a place, then is refused with 503 and Retry-After. They"
        " run below logins' password checks, which never wait for them, and none begins"
        " while a check runs.",
    )
    search_cache_entries: int = Field(
        1000,
        ge=0,
        description="Search result pages each process keeps for repeated searches (least"
        " recently used dropped first); a write that changes what search finds, in any process,"
        " empties them; 0: no cache.",
    )
    read_cache_entries: int = Field(
        256,
        ge=0,
        description="Answers each process keeps for repeated reads, such as image lists of up to"
        " 1,000 images (least recently used dropped first): any change"
        " committed to the database, by any process, empties them; 0: no cache.",
    )
    max_body_bytes: int = Field(
        4 * 1024 * 1024,
        ge=1024,
        description="Largest request body accepted; a larger one is refused with 413 before"
        " it is read.",
    )
    max_images_per_repository: int = Field(
        10_000,
        ge=1,
        description="Most images one repository may hold; a push that would record more is"
        " refused with 409 and nothing is written. Bounds what one image list costs to store,"
        " read and send.",
    )
    body_buffer_bytes: int = Field(
        64 * 1024 * 1024,
        ge=1024,
        description="Most bytes of request bodies each process holds at once (bodies being"
        " received, and those of requests being answered); a body that would pass it is refused"
        " with 503 and Retry-After.",
    )
    max_header_bytes: int = Field(
        16 * 1024,
        ge=1024,
        description="Largest request line and headers accepted; a larger one is answered 431"
        " and its connection closed.",
    )
    header_timeout_seconds: float = Field(
        10.0,
        gt=0,
        description="How long a request's line and headers may take to arrive, from the"
        " connection's opening (or, on a reused connection, from their first byte); past it:"
        " 408 and the connection is closed.",
    )
    body_timeout_seconds: float = Field(
        30.0,
        gt=0,
        description="How long a request body may take to arrive after its headers (time the"
        " server itself holds the client off not counted); past it: 408 and the connection is"
        " closed.",
    )
    max_connections: int = Field(
        1000,
        ge=1,
        description="Most connections each process keeps open; one more is answered 503 with"
        " Retry-After and closed. `hubindex serve` raises its open-file limit to fit, or refuses"
        " to start.",
    )
    max_connections_per_address: int = Field(
        100,
        ge=0,
        description="Most connections each process keeps open from one client address (not"
        " counting proxies trusted by --forwarded-allow-ips); one more is answered 429 and"
        " closed; 0: no limit.",
    )
    engine: Literal["fast", "connexion"] = Field(
        "fast",
        description="What answers the spec's operations: fast, hubindex's dispatcher compiled"
        " from the spec at start-up; connexion, Connexion's own request pipeline (slower; the"
        " reference the differential tests compare the fast engine with). Both call the same"
        " generated glue and handlers.",
    )
    validate_responses: bool = Field(
        False,
        description="Check every response against the spec (a non-conforming one becomes a 500);"
        " for development and tests.",
    )
    webhooks_allow_private_addresses: bool = Field(
        False,
        description="Let webhooks call loopback, link-local and private addresses (checked when a"
        " hook is created and at every delivery); off: only public addresses.",
    )
    webhooks_timeout_seconds: float = Field(
        10.0, gt=0, le=60, description="How long one webhook delivery attempt may take."
    )
    webhooks_max_attempts: int = Field(
        15,
        ge=1,
        le=100,
        description="Attempts per webhook delivery before it is given up (the waits between"
        " them double from 1 s up to HUBINDEX_WEBHOOKS_RETRY_MAX_SECONDS, with jitter).",
    )
    webhooks_retry_max_seconds: float = Field(
        3600.0, ge=1, description="Longest wait between two attempts of a webhook delivery."
    )
    webhooks_disable_after: int = Field(
        5,
        ge=0,
        description="Disable a hook when this many of its deliveries in a row were given up;"
        " 0: never.",
    )
    secrets_key_file: str | None = Field(
        None,
        description="The file of keys webhook secrets are sealed with in the database (made"
        " with mode 0600 at the first start if missing). Unset: hubindex-secrets.key beside"
        " the SQLite file, or for PostgreSQL in the working directory. Every process of one"
        " database must have the same keys; keep a copy apart from the database's backups.",
    )
    audit_retention_days: int = Field(
        365,
        ge=0,
        le=36500,
        description="Days an audit log event is kept; older ones are pruned by every serving"
        " process, a bounded batch at a time. 0: kept for ever.",
    )

    @field_validator("smtp_url")
    @classmethod
    def _check_smtp_scheme(cls, url: AnyUrl | None) -> AnyUrl | None:
        if url is not None and url.scheme not in ("smtp", "smtps", "smtp+starttls"):
            raise ValueError("use smtp://, smtps:// or smtp+starttls://")
        return url

    @field_validator("registry_endpoints", mode="before")
    @classmethod
    def _split_endpoints(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("registry_endpoints")
    @classmethod
    def _check_endpoints(cls, endpoints: list[str]) -> list[str]:
        for endpoint in endpoints:
            if not re.match(_HOST_PORT, endpoint):
                raise ValueError(f"{endpoint!r} is not host[:port] (no scheme, no path)")
        return endpoints

    @model_validator(mode="after")
    def _one_body_fits(self) -> "Settings":
        if self.body_buffer_bytes < self.max_body_bytes:
            raise ValueError(
                f"{ENV_PREFIX}BODY_BUFFER_BYTES must be at least {ENV_PREFIX}MAX_BODY_BYTES"
            )
        return self


def check_mail_links(settings: Settings) -> None:
    """ConfigurationError when mails would go out with no configured URL for their links: a
    link built from a request's ``Host`` would send a genuine code wherever the client said."""
    if settings.smtp_url is not None and settings.public_url is None:
        raise ConfigurationError(
            f"{ENV_PREFIX}PUBLIC_URL: required when {ENV_PREFIX}SMTP_URL is set (the links in"
            " confirmation mails are built from it)"
        )


def load_settings() -> Settings:
    """Settings from the environment, or a ConfigurationError naming each bad variable."""
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{ENV_PREFIX}{str(e['loc'][0]).upper()}: {e['msg']}" for e in error.errors()
        )
        raise ConfigurationError(problems) from None


def masked(settings: Settings) -> dict[str, str]:
    """Every setting as its environment variable would spell it, passwords replaced by ***."""
    shown = {}
    for name, value in settings.model_dump().items():
        if value is None:
            text = ""
        elif isinstance(value, list):
            text = ",".join(value)
        elif isinstance(value, bool):
            text = str(value).lower()
        else:
            text = str(value)
        if name in ("database_url", "smtp_url") and text:
            text = mask_password(text)
        shown[name] = text
    return shown


def mask_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))
