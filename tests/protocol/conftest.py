"""Protocol tests run on the functional fixtures: a real index per test, on both backends."""

from tests.functional.conftest import *  # noqa: F403
