"""Cheap argon2id for tests; production keeps the strong defaults (server.settings).

A module of its own, so that what needs only this (the Schemathesis CLI's hooks,
tests/contract/credentials.py) does not import the harness, and with it the app and uvicorn.
"""

FAST_HASHING = {"argon2_time_cost": 1, "argon2_memory_kib": 64, "argon2_parallelism": 1}
