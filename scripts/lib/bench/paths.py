"""Where the benchmark reads and writes.

Results go to ``build/bench`` (git-ignored). Seeded databases are cached outside the checkout
(``$HUBINDEX_BENCH_CACHE``, else ``$XDG_CACHE_HOME/hubindex-bench``, else
``~/.cache/hubindex-bench``), so that cleaning the work tree does not cost a re-seed.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HUBINDEX = ROOT / ".venv" / "bin" / "hubindex"
OUTPUT = ROOT / "build" / "bench"
LUA = Path(__file__).resolve().parent / "wrk"


def _cache() -> Path:
    if explicit := os.environ.get("HUBINDEX_BENCH_CACHE"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hubindex-bench"


CACHE = _cache()
