import base64

import pytest

from server.errors import AuthenticationFailed
from server.http.credentials import BasicCredential, TokenCredential, parse_authorization


def _basic(text: str) -> str:
    return "Basic " + base64.b64encode(text.encode()).decode()


def test_no_header_is_no_credential():
    assert parse_authorization(None) is None


def test_basic_credentials_split_at_the_first_colon():
    assert parse_authorization(_basic("alice:pa:ss")) == BasicCredential("alice", "pa:ss")


def test_the_password_is_not_in_the_repr():
    assert "secret" not in repr(parse_authorization(_basic("alice:secret")))


def test_a_docker_token_is_parsed_with_its_quotes_removed():
    credential = parse_authorization('Token signature=abc,repository="foo/bar",access=write')
    assert credential == TokenCredential("abc", "foo/bar", "write")


@pytest.mark.parametrize(
    "header",
    [
        "Basic !!!",
        _basic("no-colon"),
        _basic(":empty-user"),
        "Basic " + base64.b64encode(b"\xff:x").decode(),
        'Token repository="foo/bar",access=write',
        'Token signature=a,signature=b,repository="foo/bar",access=read',
        "Token garbage",
        "Bearer abc",
    ],
)
def test_a_malformed_or_unknown_credential_is_refused(header: str):
    with pytest.raises(AuthenticationFailed):
        parse_authorization(header)
