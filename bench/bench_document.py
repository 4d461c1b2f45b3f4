"""GET /networks/{id}/document on a 1,000-node / 3,000-link network over loopback
(Foundation II): requests per second, latency percentiles, bounded in time."""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from bench.server import live_server
from bench.synthetic import synthetic_document

DURATION_S = 10.0


def _loop(base: str, path: str, until: float) -> list[float]:
    latencies = []
    with httpx.Client(base_url=base, timeout=30) as client:
        while time.perf_counter() < until:
            t0 = time.perf_counter()
            response = client.get(path)
            response.raise_for_status()
            latencies.append(time.perf_counter() - t0)
    return latencies


def main() -> None:
    doc = synthetic_document(1000, 3000)
    with live_server() as base:
        t0 = time.perf_counter()
        created = httpx.post(f"{base}/api/v1/networks/import-document", json=doc, timeout=120)
        created.raise_for_status()
        print(f"import-document 1,000 nodes / 3,000 links: {time.perf_counter() - t0:.2f} s")
        path = f"/api/v1/networks/{created.json()['id']}/document"
        body = httpx.get(base + path, timeout=60)
        print(f"document size: {len(body.content) / 1e6:.2f} MB")
        t0 = time.perf_counter()
        put = httpx.put(base + path, json=body.json(), timeout=120)
        put.raise_for_status()
        print(f"PUT document (all updated in place): {time.perf_counter() - t0:.2f} s")
        for clients in (1, 4):
            until = time.perf_counter() + DURATION_S
            with ThreadPoolExecutor(clients) as pool:
                results = list(pool.map(lambda _, u=until: _loop(base, path, u), range(clients)))
            lat = sorted(x for r in results for x in r)
            rps = len(lat) / DURATION_S
            print(f"GET document, {clients} client(s), {DURATION_S:.0f} s: {rps:.1f} req/s, "
                  f"p50 {statistics.median(lat) * 1e3:.0f} ms, "
                  f"p95 {lat[int(0.95 * (len(lat) - 1))] * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
