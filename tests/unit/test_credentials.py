import pytest

from server.errors import AuthenticationFailed
from server.http.credentials import TokenCredential, parse_token


def test_a_docker_token_is_parsed_with_its_quotes_removed():
    credential = parse_token('signature=abc,repository="foo/bar",access=write')
    assert credential == TokenCredential("abc", "foo/bar", "write")


def test_the_signature_is_not_in_the_repr():
    assert "secret" not in repr(parse_token('signature=secret,repository="a/b",access=read'))


@pytest.mark.parametrize(
    "text",
    [
        'repository="foo/bar",access=write',
        'signature=a,signature=b,repository="foo/bar",access=read',
        "garbage",
        "",
    ],
)
def test_a_malformed_token_is_refused(text: str):
    with pytest.raises(AuthenticationFailed, match="malformed Token credentials"):
        parse_token(text)
