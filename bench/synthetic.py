"""Synthetic whole-network documents of a given size (random geometric graphs, seeded)."""

from __future__ import annotations

import math
import random
from typing import Any


def synthetic_document(nodes: int, links: int, seed: int = 7, demands: int = 0,
                       override_bps: float | None = 1000.0) -> dict[str, Any]:
    """``nodes`` trusted nodes scattered over central Europe, joined by a ring (so the graph is
    connected) plus the nearest-neighbour spans until ``links`` spans exist."""
    rng = random.Random(seed)
    pts = [(45.0 + 10.0 * rng.random(), 5.0 + 15.0 * rng.random()) for _ in range(nodes)]
    doc_nodes = [{"id": i + 1, "name": f"site-{i + 1:05d}", "role": "trusted_node",
                  "latitude_deg": lat, "longitude_deg": lon} for i, (lat, lon) in enumerate(pts)]
    order = sorted(range(nodes), key=lambda i: (pts[i][1], pts[i][0]))
    pairs: set[tuple[int, int]] = set()
    for i in range(nodes):
        a, b = order[i], order[(i + 1) % nodes]
        pairs.add((min(a, b), max(a, b)))
    cells: dict[tuple[int, int], list[int]] = {}
    for i, (lat, lon) in enumerate(pts):
        cells.setdefault((int(lat * 4), int(lon * 4)), []).append(i)
    candidates = []
    for i, (lat, lon) in enumerate(pts):
        ci, cj = int(lat * 4), int(lon * 4)
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                for j in cells.get((ci + di, cj + dj), []):
                    if j > i:
                        d = math.hypot(lat - pts[j][0], (lon - pts[j][1]) * 0.66)
                        candidates.append((d, i, j))
    candidates.sort()
    for _, i, j in candidates:
        if len(pairs) >= links:
            break
        pairs.add((i, j))
    doc_links = [{"id": k + 1, "a_node_id": a + 1, "b_node_id": b + 1,
                  "key_rate_override_bps": override_bps, "status": "existing"}
                 for k, (a, b) in enumerate(sorted(pairs))]
    doc_demands = []
    for k in range(demands):
        a, b = rng.sample(range(nodes), 2)
        doc_demands.append({"id": k + 1, "a_node_id": a + 1, "b_node_id": b + 1,
                            "required_key_rate_bps": 100.0})
    return {"format": "qnetplan-network", "format_version": 1,
            "network": {"name": f"synthetic {nodes} nodes / {len(doc_links)} links"},
            "nodes": doc_nodes, "links": doc_links, "demands": doc_demands,
            "equipment_profiles": [], "satellites": []}
