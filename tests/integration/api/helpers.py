"""Small builders for API tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

API = "/api/v1"


def make_network(client: TestClient, **fields: Any) -> dict[str, Any]:
    response = client.post(f"{API}/networks", json={"name": "test net", **fields})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def make_node(client: TestClient, network_id: int, name: str, role: str = "trusted_node",
              lat: float = 48.2, lon: float = 16.4, **fields: Any) -> dict[str, Any]:
    response = client.post(f"{API}/networks/{network_id}/nodes", json={
        "name": name, "role": role, "latitude_deg": lat, "longitude_deg": lon, **fields})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def make_link(client: TestClient, network_id: int, a: int, b: int, **fields: Any
              ) -> dict[str, Any]:
    response = client.post(f"{API}/networks/{network_id}/links",
                           json={"a_node_id": a, "b_node_id": b, **fields})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def assert_problem(response: Any, status: int, pointer: str | None = None,
                   parameter: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    if pointer is not None:
        assert pointer in [e.get("pointer") for e in body["errors"]], body
    if parameter is not None:
        assert parameter in [e.get("parameter") for e in body["errors"]], body
    return body
