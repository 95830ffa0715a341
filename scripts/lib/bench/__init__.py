"""scripts/bench: hubindex under load against a plain-Starlette reference (see run.py)."""
