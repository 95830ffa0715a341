"""``python -m bench [options]`` runs the benchmark; ``python -m bench seed ...`` only seeds;
``python -m bench private-search ...`` times search's worst case with private repositories."""

import sys

from bench import private_search, run, seed
from bench.stopping import clean_up_on_sigterm


def main() -> int:
    clean_up_on_sigterm()
    argv = sys.argv[1:]
    if argv[:1] == ["seed"]:
        return seed.main(argv[1:])
    if argv[:1] == ["private-search"]:
        return private_search.main(argv[1:])
    return run.main(argv)


if __name__ == "__main__":
    sys.exit(main())
