import re

import pytest

from server.settings import ENV_PREFIX, ConfigurationError, Settings, load_settings, masked
from tests.conftest import ROOT

SETTING_ROW = re.compile(r"^\| `(HUBINDEX_[A-Z0-9_]+)` \| (`[^`]*`|unset) \| .+ \|$")


def _documented_settings() -> dict[str, str]:
    rows = {}
    for line in (ROOT / "docs" / "operating.md").read_text().splitlines():
        match = SETTING_ROW.match(line)
        if match:
            rows[match.group(1)] = match.group(2).strip("`")
    return rows


def test_the_configuration_table_of_docs_operating_lists_every_setting_with_its_default():
    table = _documented_settings()
    defaults = masked(Settings.model_construct())  # the defaults, whatever the environment
    assert set(table) == {f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields}
    for name, default in defaults.items():
        assert table[f"{ENV_PREFIX}{name.upper()}"] == (default or "unset"), name


def test_a_bad_variable_is_named(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HUBINDEX_TOKEN_TTL_SECONDS", "soon")
    monkeypatch.setenv("HUBINDEX_REGISTRY_ENDPOINTS", "https://registry.example/v1")
    with pytest.raises(ConfigurationError) as error:
        load_settings()
    assert "HUBINDEX_TOKEN_TTL_SECONDS" in str(error.value)
    assert "HUBINDEX_REGISTRY_ENDPOINTS" in str(error.value)


def test_registry_endpoints_are_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HUBINDEX_REGISTRY_ENDPOINTS", "reg-1.example:5000, reg-2.example")
    assert load_settings().registry_endpoints == ["reg-1.example:5000", "reg-2.example"]


def test_passwords_in_urls_are_masked():
    shown = masked(
        Settings(
            database_url="postgresql+psycopg://hub:db-secret@db.example:5432/hub",
            smtp_url="smtp://mailer:mail-secret@smtp.example:587",
        )
    )
    assert shown["database_url"] == "postgresql+psycopg://hub:***@db.example:5432/hub"
    assert shown["smtp_url"] == "smtp://mailer:***@smtp.example:587"
    assert "secret" not in " ".join(shown.values())
