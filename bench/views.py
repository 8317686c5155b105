"""Server time of map views that are not cached yet: national maps, province pages, comparisons.

Run: ``.venv/bin/python bench/views.py [--data BUILD] [--sample 300] [--seed 1]``. Prints figures; asserts nothing.

Issue 12's target: an uncached national map, province page or comparison in under 15 ms (p50) and 40 ms (p99) of
server time, for any valid parameter combination; issue 23's: every progress map under 15 ms (p50). The app runs in this process with a page cache of 0 bytes, so
every request renders; what a build precomputes on first use (per unit, indicator and year) stays, as it does in
a serving process, and the first requests that make it are part of the figures. Views are drawn at random from
every valid combination (seeded): each boundary set, mapped indicator, year, classification, class count, map mode
and language; each unit's page in both languages; 2-4 units or 2-6 regions compared.
"""

from __future__ import annotations

import argparse
import logging
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.hostile import percentile  # noqa: E402
from etl.build import build  # noqa: E402
from webmap import create_app  # noqa: E402
from webmap.read.geography import BOUNDARIES  # noqa: E402
from webmap.read.store import Store  # noqa: E402
from webmap.render.classify import CLASS_RANGE, METHODS  # noqa: E402
from webmap.views.params import has_target  # noqa: E402

LANGS = ("vi", "en")


def national_views(store: Store, rng: random.Random, n: int) -> list[str]:
    """``n`` national map URLs drawn from every valid combination of parameters."""
    combos = [(b, i, y) for b in BOUNDARIES for i in store.values.mapped_indicators(b) for y in store.values.years(i, b)]
    out = []
    for _ in range(n):
        boundary, indicator, year = rng.choice(combos)
        mode = rng.choice(["value", "gap"]) if has_target(store, indicator) else "value"
        out.append(
            f"/?boundary={boundary}&indicator={indicator}&year={year}&method={rng.choice(METHODS)}"
            f"&classes={rng.randint(*CLASS_RANGE)}&mode={mode}&lang={rng.choice(LANGS)}"
        )
    return out


def progress_views(store: Store) -> list[str]:
    """Every progress map: each boundary set, indicator measuring a target and target it measures, both languages."""
    table = store.progress.table
    combos = sorted({(b, i, t) for b, i, t in zip(table["boundary"], table["indicator"], table["target_id"]) if b in BOUNDARIES})
    out = []
    for boundary, indicator, target in combos:
        if any(t["target_id"] == target for t in store.progress.targets_of(indicator, boundary)):
            out += [f"/?boundary={boundary}&indicator={indicator}&mode=progress&target={target}&lang={lang}" for lang in LANGS]
    return out


def province_views(store: Store) -> list[str]:
    """Every unit's page of both province sets, in both languages."""
    return [f"/province/{code}?boundary={b}&lang={lang}" for b in BOUNDARIES for code in store.geography.units[b]["code"] for lang in LANGS]


def compare_views(store: Store, rng: random.Random, n: int) -> list[str]:
    """``n`` comparisons: 2-4 random units, or 2-6 random regions (one in four), of a random set and language."""
    out = []
    for _ in range(n):
        boundary = rng.choice(BOUNDARIES)
        if rng.random() < 0.25:
            regions = sorted(store.geography.region_names(boundary))
            keys = "&".join(f"regions={r}" for r in rng.sample(regions, rng.randint(2, min(6, len(regions)))))
        else:
            keys = "&".join(f"codes={c}" for c in rng.sample(list(store.geography.units[boundary]["code"]), rng.randint(2, 4)))
        out.append(f"/compare?boundary={boundary}&{keys}&lang={rng.choice(LANGS)}")
    return out


def timed(client, urls: list[str]) -> tuple[list[float], list[float]]:
    """Milliseconds per request, elapsed and of CPU (this process's: steadier on a shared machine); every answer
    must be a 200."""
    elapsed, cpu = [], []
    for url in urls:
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        elapsed.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="a build directory (default: build geodata/raw into a temporary one)")
    parser.add_argument("--sample", type=int, default=300, help="national maps and comparisons drawn (default 300)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data
        if data is None:
            data = Path(tmp) / "build"
            build(ROOT / "geodata/raw", data)
        app = create_app({"DATA_DIR": data, "CACHE_BYTES": 0, "SECRET_KEY": "bench" * 8, "LONG_RUNNING": True})  # as serve
        client = app.test_client()
        client.get("/healthz")
        store: Store = app.extensions["urbanmap_build"].current()
        rng = random.Random(args.seed)
        kinds = {
            "national map": national_views(store, rng, args.sample),
            "province page": province_views(store),
            "comparison": compare_views(store, rng, args.sample),
            "progress map": progress_views(store),
            "dashboard": [f"/program/progress?lang={lang}" for lang in LANGS] * 10,
            "indicator page": [f"/indicator/{i}?lang={rng.choice(LANGS)}" for i in sorted(store.values.catalogue_rows())],
        }
        print("server time of uncached views (Flask test client, page cache off; target p50 < 15 ms, p99 < 40 ms):")
        for kind, urls in kinds.items():
            times, cpu = timed(client, urls)
            print(
                f"  {kind:14} {len(times):4} views: p50 {statistics.median(times):5.1f} ms, p99 {percentile(times, 0.99):5.1f} ms, "
                f"max {max(times):6.1f} ms (the first of each kind: {times[0]:.1f} ms); "
                f"CPU p50 {statistics.median(cpu):5.1f} ms, p99 {percentile(cpu, 0.99):5.1f} ms"
            )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of this process after every view above (store and what it derives): {peak:.0f} MB")


if __name__ == "__main__":
    main()
