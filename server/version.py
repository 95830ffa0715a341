"""The version of hubindex that is running, as its package metadata says."""

from importlib.metadata import PackageNotFoundError, version


def _installed() -> str:
    try:
        return version("hubindex")
    except PackageNotFoundError:  # server/ imported from a checkout never installed
        return "unknown"


VERSION = _installed()
