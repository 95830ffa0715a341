"""Schemathesis CLI hooks (``SCHEMATHESIS_HOOKS=tests.contract.cli_hooks``, loaded by
``scripts/conformance``): the same real credentials and codes as the in-process suite.

The database and the administrator come from ``HUBINDEX_CONFORMANCE_DATABASE_URL`` and
``HUBINDEX_CONFORMANCE_ADMIN`` (``name:password``).
"""

import os

import schemathesis

from tests.contract.credentials import Credentials

_name, _, _password = os.environ["HUBINDEX_CONFORMANCE_ADMIN"].partition(":")
_credentials = Credentials(os.environ["HUBINDEX_CONFORMANCE_DATABASE_URL"], (_name, _password))
_credentials.install(schemathesis)
