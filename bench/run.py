"""Run every benchmark module ``bench/bench_*.py`` (or those named on the command line).

Each module has ``main() -> Path`` that measures and writes ``bench/results/<name>.json``.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    names = argv or sorted(p.stem for p in here.glob("bench_*.py"))
    for name in names:
        mod = importlib.import_module(f"bench.{name if name.startswith('bench_') else 'bench_' + name}")
        print(f"== {name}", flush=True)
        path = mod.main()
        print(f"   -> {path}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
