"""Configuration: typed settings from HUBINDEX_* environment variables, built once."""

from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "HUBINDEX_"


class ConfigurationError(Exception):
    """A setting is invalid; the message names its environment variable."""


class Settings(BaseSettings):
    """Every setting of hubindex. Each field is read from ``HUBINDEX_<FIELD NAME>``."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    database_url: str = Field(
        "sqlite:///hubindex.db",
        description="SQLAlchemy URL of the database; a relative SQLite path is relative to the"
        " working directory.",
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "info", description="Lowest level of log lines written."
    )
    validate_responses: bool = Field(
        False,
        description="Check every response against the spec (a non-conforming one becomes a 500);"
        " for development and tests.",
    )


def load_settings() -> Settings:
    """Settings from the environment, or a ConfigurationError naming each bad variable."""
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{ENV_PREFIX}{'_'.join(str(part) for part in e['loc']).upper()}: {e['msg']}"
            f" (got {e['input']!r})"
            for e in error.errors()
        )
        raise ConfigurationError(problems) from None
