"""Measure wall time and peak memory of a piece of work in a fresh subprocess."""

from __future__ import annotations

import json
import multiprocessing as mp
import platform
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
TMP = RESULTS / "tmp"


def _child(fn: Callable[..., Any], args: tuple[Any, ...], q: Any) -> None:
    t0 = time.perf_counter()
    extra = fn(*args)
    wall = time.perf_counter() - t0
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    q.put({"wall_s": round(wall, 3), "peak_mem_mib": round(peak_kib / 1024, 1), **(extra or {})})


def measure(fn: Callable[..., Any], *args: Any) -> dict[str, Any]:
    """Run ``fn(*args)`` in a fresh process; return wall time, peak RSS and what ``fn`` returns.

    ``fn`` must be a module-level function (picklable); its return value (a dict or
    None) is merged into the figures.
    """
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(fn, args, q))
    p.start()
    while True:  # poll, so a child that dies does not leave us waiting forever
        try:
            out = q.get(timeout=5)
            break
        except Exception:  # queue.Empty
            if not p.is_alive():
                raise RuntimeError(f"benchmark child {fn.__name__} died (exit code {p.exitcode})") from None
    p.join()
    return out


def machine() -> dict[str, Any]:
    """Facts about the machine a benchmark ran on."""
    import os

    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def write_results(name: str, figures: dict[str, Any]) -> Path:
    """Write ``bench/results/<name>.json``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"benchmark": name, "when": time.strftime("%Y-%m-%dT%H:%M:%S"), "machine": machine(), **figures}
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return path
