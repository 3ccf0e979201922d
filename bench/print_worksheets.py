"""Benchmark the crew worksheet renderer: 20 trucks x 25 stops on ~2,000 street segments each.

Run: .venv/bin/python -m bench.print_worksheets [--trucks 20] [--stops 25] [--grid 32]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from print.sample import build_sample_set
from print.worksheet import plan_route_maps, render_worksheets


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trucks", type=int, default=20)
    parser.add_argument("--stops", type=int, default=25, help="pickups per truck")
    parser.add_argument("--grid", type=int, default=37, help="grid lines: 37 gives ~2,000 ways")
    parser.add_argument("--dense", type=int, default=5, help="stops in one spot, every 2nd truck")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--paper", choices=("A4", "A3"), default="A4")
    return parser.parse_args()


def count_pages(pdf: bytes) -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.pdf"
        path.write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    return int(next(x.split()[1] for x in info.stdout.splitlines() if x.startswith("Pages:")))


def main() -> None:
    args = parse_args()
    sheet = build_sample_set(args.trucks, args.stops, args.grid, args.dense)
    stops = sum(len(route.stops) for route in sheet.routes)
    streets = sum(len(route.streets) for route in sheet.routes)
    insets = sum(len(plan_route_maps(route, args.paper)) - 1 for route in sheet.routes)
    print(f"trucks={args.trucks} stops={stops} (incl. 1 unload each) street_segments={streets}")
    print(f"street_segments_per_truck={streets // args.trucks} zoomed_inset_pages={insets}")
    timings: list[float] = []
    pdf = b""
    for run in range(args.runs):
        started = time.perf_counter()
        pdf = render_worksheets(sheet, args.paper)
        timings.append(time.perf_counter() - started)
        print(f"run {run + 1}: {timings[-1]:.2f} s")
    median = statistics.median(timings)
    pages = count_pages(pdf)
    per_truck = median / args.trucks
    print(f"median render time: {median:.2f} s of {args.runs} runs ({per_truck:.3f} s per truck)")
    print(
        f"pages: {pages} ({pages / median:.1f} pages/s)  pdf size: {len(pdf) / 1e6:.2f} MB "
        f"({len(pdf) / pages / 1e3:.0f} kB/page)"
    )


if __name__ == "__main__":
    main()
