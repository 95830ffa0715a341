"""hubindex: a spec-first Docker Hub v1 index."""

import warnings

# Connexion 3.3 imports Starlette's test client, which Starlette 1.10 deprecates at import
# time; operators should not see a warning about a test tool we do not use.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

# Email addresses are checked for syntax (protocol.md); whether one receives mail is what the
# confirmation mail finds out. email-validator would also refuse special-use domains such as
# example.test, which are syntactically valid and which the spec's `format: email` accepts.
import email_validator  # noqa: E402

email_validator.SPECIAL_USE_DOMAIN_NAMES.clear()
