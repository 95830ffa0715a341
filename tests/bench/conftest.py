"""The benchmark's Python lives in scripts/lib/bench; these tests import it as ``bench``."""

import sys

from tests.conftest import ROOT

BENCH_LIB = str(ROOT / "scripts" / "lib")
if BENCH_LIB not in sys.path:
    sys.path.insert(0, BENCH_LIB)
