"""Every response body of spec/openapi.yaml round-trips through its model and the glue's writer
as the spec's JSON (tests/unit/response_roundtrip.py; the probe spec's, in test_probe.py)."""

import pytest

from tests.unit.response_roundtrip import check, documented

RESPONSES = {response.name: response for response in documented()}


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_a_valid_body_is_written_back_as_the_spec_spells_it(name: str) -> None:
    check(RESPONSES[name], examples=100)
