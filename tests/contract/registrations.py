"""New accounts the index accepts, for the stateful phase, in-process and in the CLI alike.

Every chain of the spec's links starts at ``users.register``: its 201 leads to the new account's
repositories, and those to their images, tokens and the library. Its schema bounds lengths
only (the rules of a new account are judged once the name is known to be free), so a drawn
body is refused 400 nineteen times in twenty, and the chains behind it were hardly ever walked.
Every other schema-valid registration of the stateful phase is therefore made into one that
meets the rules (``RegistrationRules``) under a name no account has yet; the rest, and every
registration of the other phases, are sent as drawn.
"""

import itertools
import json
import secrets
import zlib

import schemathesis
from schemathesis.generation.meta import TestPhase

REGISTER = "users.register"
# Names unused by an earlier run against the same server (scripts/conformance --url).
_RUN = secrets.token_hex(3)
_registrations = itertools.count()


def make_registrable(case: schemathesis.Case) -> None:
    if case.operation.definition.raw.get("operationId") != REGISTER:
        return
    meta = case.meta
    if meta is None or meta.phase.name != TestPhase.STATEFUL or meta.generation.mode.is_negative:
        return
    if not isinstance(case.body, dict):
        return
    # Which half is decided by the drawn body, not by a count: the same case is treated the
    # same whatever ran before it in this process (a derandomized run must replay alike).
    drawn = json.dumps(case.body, sort_keys=True, default=repr).encode()
    if zlib.crc32(drawn) % 2 == 1:
        return  # sent as drawn
    name = f"u{_RUN}{next(_registrations):06d}"
    case.body = {
        **case.body,
        "username": name,
        "password": f"conformance-{name}",
        "email": f"{name}@conformance.example.com",
    }
