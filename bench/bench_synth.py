"""Benchmark ``revict synth``: wall time and peak memory for 100k and 1M registered victims (CSV)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from bench._util import TMP, measure, write_results

SIZES = (100_000, 1_000_000)


def _run(victims: int, out: str) -> dict[str, Any]:
    from revict.synth import synthesize

    res = synthesize(out, victims=victims, seed=1, fmt="csv")
    size = sum(p.stat().st_size for p in res.paths.values())
    return {"rows": res.rows, "total_rows": sum(res.rows.values()), "bytes": size}


def main() -> Path:
    figures: dict[str, Any] = {}
    for victims in SIZES:
        out = TMP / f"synth_{victims}"
        shutil.rmtree(out, ignore_errors=True)
        try:
            figures[f"victims_{victims}"] = {"victims": victims, "format": "csv", **measure(_run, victims, str(out))}
        finally:
            shutil.rmtree(out, ignore_errors=True)
    return write_results("synth", figures)


if __name__ == "__main__":
    print(main())
