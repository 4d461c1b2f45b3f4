"""The map editor on a 2,000-node / 5,000-link network in headless Chromium: time from
navigation to the page's ready flag (API-CONTRACT.md §7; goal < 2 s). Prints figures only."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from bench.server import live_server
from bench.synthetic import synthetic_document

NODES = 2000
LINKS = 5000
RUNS = 5
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage

STATIC_INDEX = Path(__file__).resolve().parents[1] / "backend/qnetplan/static/index.html"


def main() -> None:
    if not Path(CHROMIUM).exists():
        print(f"skipped: no Chromium at {CHROMIUM} (make sysdeps)")
        return
    if not STATIC_INDEX.is_file() or "/assets/" not in STATIC_INDEX.read_text():
        print("skipped: the front end is not built (make frontend)")
        return
    from playwright.sync_api import sync_playwright

    doc = synthetic_document(NODES, LINKS)
    with live_server() as base:
        t0 = time.perf_counter()
        res = httpx.post(f"{base}/api/v1/networks/import-document", json=doc, timeout=300)
        res.raise_for_status()
        net_id = res.json()["id"]
        print(f"import-document {NODES} nodes / {len(doc['links'])} links: "
              f"{time.perf_counter() - t0:.2f} s")
        t0 = time.perf_counter()
        httpx.get(f"{base}/api/v1/networks/{net_id}/document", timeout=60).raise_for_status()
        print(f"GET document: {time.perf_counter() - t0:.3f} s")

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=CHROMIUM_ARGS)
            wall: list[float] = []
            in_page: list[float] = []
            marks: list[dict[str, float]] = []
            for run in range(RUNS):
                # A fresh context each run: no HTTP cache, a cold page.
                context = browser.new_context(viewport={"width": 1400, "height": 860})
                page = context.new_page()
                errors: list[str] = []

                def on_console(msg: ConsoleMessage, errors: list[str] = errors) -> None:
                    if msg.type == "error":
                        errors.append(msg.text)

                page.on("console", on_console)
                t0 = time.perf_counter()
                page.goto(f"{base}/networks/{net_id}", wait_until="commit")
                page.wait_for_function("document.body.dataset.ready === '1'", timeout=60_000,
                                       polling=10)
                wall.append(time.perf_counter() - t0)
                in_page.append(page.evaluate("performance.now()") / 1000)
                counts = page.evaluate(
                    "[document.querySelectorAll('[data-node-id]').length,"
                    " document.querySelectorAll('[data-link-id]').length]")
                marks.append(page.evaluate(
                    "Object.fromEntries(performance.getEntriesByType('mark')"
                    ".filter(m => m.name.startsWith('qnp:')).map(m => [m.name, m.startTime]))"))
                if run == 0:
                    print(f"elements: {counts[0]} data-node-id, {counts[1]} data-link-id"
                          + (f"; console errors: {errors}" if errors else ""))
                    out = Path(__file__).resolve().parent / "out"
                    out.mkdir(exist_ok=True)
                    page.screenshot(path=str(out / "bench_ui_2000_nodes.png"))
                context.close()
            browser.close()
    print(f"navigation -> ready, {RUNS} cold page loads: median {statistics.median(wall):.2f} s, "
          f"min {min(wall):.2f} s, max {max(wall):.2f} s (goal < 2 s)")
    print(f"in-page time to ready (performance.now): median {statistics.median(in_page):.2f} s")
    for name in ("qnp:document-loaded", "qnp:drawn", "qnp:basemap-drawn"):
        values = [m[name] / 1000 for m in marks if name in m]
        if values:
            print(f"  {name.removeprefix('qnp:')} at {statistics.median(values):.2f} s (median)")


if __name__ == "__main__":
    main()
