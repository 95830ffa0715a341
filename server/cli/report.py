"""What every ``hubindex`` command says: ``hubindex: ...`` lines, failures on stderr."""

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from server.settings import Settings

# A command: what it was given on the command line and the settings; its exit status.
Command: TypeAlias = "Callable[[argparse.Namespace, Settings], int]"
# The ``add_subparsers`` of a parser, where each module adds its commands.
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def say(message: str) -> None:
    print(f"hubindex: {message}")


def fail(message: str, status: int) -> int:
    """Say on stderr, in one line, why the command failed; its exit status."""
    print(f"hubindex: {message}", file=sys.stderr)
    return status
