"""Organizations the index accepts, for the stateful phase, in-process and in the CLI alike.

The chains of the organization operations start at ``orgs.create``, whose owner must be an
account: a drawn name almost never is. Every other schema-valid creation of the stateful phase
is therefore given a name no one has yet and the run's administrator as its owner; the rest,
and every creation of the other phases, are sent as drawn.
"""

import itertools
import json
import secrets
import zlib

import schemathesis
from schemathesis.generation.meta import TestPhase

CREATE = "orgs.create"
# Names unused by an earlier run against the same server (scripts/conformance --url).
_RUN = secrets.token_hex(3)
_creations = itertools.count()


def make_creatable(case: schemathesis.Case, owner: str) -> None:
    if case.operation.definition.raw.get("operationId") != CREATE:
        return
    meta = case.meta
    if meta is None or meta.phase.name != TestPhase.STATEFUL or meta.generation.mode.is_negative:
        return
    if not isinstance(case.body, dict):
        return
    # Which half is decided by the drawn body, as for registrations (registrations.py).
    drawn = json.dumps(case.body, sort_keys=True, default=repr).encode()
    if zlib.crc32(drawn) % 2 == 1:
        return  # sent as drawn
    case.body = {**case.body, "orgname": f"o{_RUN}{next(_creations):06d}", "owner": owner}
