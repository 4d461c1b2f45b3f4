"""Run every benchmark (``make bench``) or the ones named: ``python -m bench document``."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    names = sorted(m.name.removeprefix("bench_") for m in pkgutil.iter_modules(
        [str(Path(__file__).parent)]) if m.name.startswith("bench_"))
    chosen = argv or names
    for name in chosen:
        module = importlib.import_module(f"bench.bench_{name}")
        print(f"\n=== bench_{name} ===", flush=True)
        start = time.perf_counter()
        module.main()
        print(f"(bench_{name} took {time.perf_counter() - start:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
