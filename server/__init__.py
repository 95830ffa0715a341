"""hubindex: a spec-first Docker Hub v1 index."""

import warnings

# Connexion 3.3 imports Starlette's test client, which Starlette 1.10 deprecates at import
# time; operators should not see a warning about a test tool we do not use.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
