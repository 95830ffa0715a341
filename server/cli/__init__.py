"""The ``hubindex`` command."""
