"""Schemathesis proves the running app against the spec: every operation, every phase, every
check, authenticated through ``@schema.auth()`` so that its ignored-auth check stays honest.

Bounded and deterministic for CI: see ``schemathesis.toml`` for the budget and for the few
exceptions, each named after the protocol rule that forces it.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.contract.conftest import reset_to_admin_only

schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_every_operation_keeps_the_spec(case: schemathesis.Case) -> None:
    case.call_and_validate()


@pytest.fixture
def state_machine(api_schema: schemathesis.BaseSchema, conformance_database: str) -> type:
    machine = api_schema.as_state_machine()

    class FromAnEmptyIndex(machine):  # type: ignore[misc, valid-type]
        """Each sequence starts from the same data, so that Hypothesis can replay it."""

        def setup(self) -> None:
            reset_to_admin_only(conformance_database)

    return FromAnEmptyIndex


def test_stateful_sequences_follow_the_links(state_machine) -> None:
    state_machine.run(settings=settings(max_examples=50, stateful_step_count=10, deadline=None))
