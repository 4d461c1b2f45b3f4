"""The map editor end to end: a real browser against a live server (API-CONTRACT.md §7)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import Server, shot, wait_idle, wait_ready

pytestmark = pytest.mark.e2e

MIDPOINT_JS = """(id) => {
  const p = document.querySelector(`[data-link-id="${id}"]`);
  const pt = p.getPointAtLength(p.getTotalLength() / 2);
  const m = p.getScreenCTM();
  return {x: pt.x * m.a + pt.y * m.c + m.e, y: pt.x * m.b + pt.y * m.d + m.f};
}"""


def ids(pg: Any, attr: str) -> list[int]:
    return sorted(int(v) for v in pg.eval_on_selector_all(
        f"[{attr}]", f"els => els.map(e => e.getAttribute('{attr}'))"))


def click_link(pg: Any, link_id: int) -> None:
    pt = pg.evaluate(MIDPOINT_JS, link_id)
    pg.mouse.click(pt["x"], pt["y"])


def center(pg: Any, selector: str) -> tuple[float, float]:
    box = pg.locator(selector).bounding_box()
    assert box is not None, selector
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def effective_length(pg: Any) -> float:
    return float(pg.locator("[data-testid=effective-length]").get_attribute("data-value"))


def test_build_a_network_on_the_map(server: Server, page: Any, console: Any) -> None:
    pg, api = page, server.api
    # The duplicate-name step provokes a 409, which the browser logs as a console error.
    console.allow(r"status of 409 \(Conflict\) @ .*/nodes/\d+$")
    pg.goto(server.url + "/")
    wait_ready(pg)

    # Create a network from the networks page: the editor opens on its own path.
    pg.get_by_label("Network name").fill("E2E metro")
    pg.get_by_role("button", name="Create network").click()
    pg.wait_for_url(re.compile(r"/networks/\d+$"))
    wait_ready(pg)
    net_id = int(pg.url.rsplit("/", 1)[1])
    assert pg.locator(".map-empty").is_visible()  # empty state

    # Zoom in a little so three clicks make a regional network, then add three nodes.
    for _ in range(3):
        pg.locator(".leaflet-control-zoom-in").click()
        pg.wait_for_timeout(300)
    pg.get_by_role("button", name="Add node").click()
    box = pg.locator("#map").bounding_box()
    assert box is not None
    spots = [(0.35, 0.40), (0.55, 0.35), (0.50, 0.62)]
    for i, (fx, fy) in enumerate(spots, start=1):
        pg.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
        pg.wait_for_function(f"document.querySelectorAll('[data-node-id]').length === {i}")
        wait_idle(pg)
    node_ids = ids(pg, "data-node-id")
    assert len(node_ids) == 3
    stored = api.ok("GET", f"/networks/{net_id}/nodes")["items"]
    assert sorted(n["id"] for n in stored) == node_ids

    # Draw two links: 1-2 and 2-3.
    pg.get_by_role("button", name="Add link").click()
    n1, n2, n3 = node_ids
    for a, b in [(n1, n2), (n2, n3)]:
        pg.locator(f'[data-node-id="{a}"]').click()
        pg.locator(f'[data-node-id="{b}"]').click()
        wait_idle(pg)
    pg.wait_for_function("document.querySelectorAll('[data-link-id]').length === 2")
    link_ids = ids(pg, "data-link-id")
    links = {x["id"]: x for x in api.ok("GET", f"/networks/{net_id}/links")["items"]}
    assert sorted(links) == link_ids
    l12 = next(i for i, x in links.items() if {x["a_node_id"], x["b_node_id"]} == {n1, n2})
    l23 = next(i for i, x in links.items() if {x["a_node_id"], x["b_node_id"]} == {n2, n3})
    pg.get_by_role("button", name="Select").click()
    shot(pg, "e2e-1-three-nodes-two-links")

    # An invalid length is refused with the message beside the field; nothing is written.
    click_link(pg, l12)
    length = pg.locator("#link-length_km")
    length.wait_for()
    length.fill("-5")
    pg.get_by_role("button", name="Save link").click()
    err = pg.locator('[data-error-for="length_km"]')
    assert err.inner_text() == "Must be at least 0 km."
    assert length.get_attribute("aria-invalid") == "true"
    assert api.ok("GET", f"/networks/{net_id}/links/{l12}")["length_km"] is None
    shot(pg, "e2e-2-invalid-length")

    # Fix it: saved, and the computed length follows.
    length.fill("12.5")
    pg.get_by_role("button", name="Save link").click()
    wait_idle(pg)
    assert err.inner_text() == ""
    assert api.ok("GET", f"/networks/{net_id}/links/{l12}")["length_km"] == 12.5
    assert effective_length(pg) == 12.5

    # A refusal from the server (duplicate node name: 409) lands beside the field too.
    pg.locator(f'[data-node-id="{n3}"]').click()
    name = pg.locator("#node-name")
    taken = api.ok("GET", f"/networks/{net_id}/nodes/{n1}")["name"]
    name.fill(taken)
    pg.get_by_role("button", name="Save node").click()
    wait_idle(pg)
    name_err = pg.locator('[data-error-for="name"]')
    name_err.wait_for()
    assert taken in name_err.inner_text() or "exist" in name_err.inner_text()
    shot(pg, "e2e-3-server-message-beside-field")
    name.fill("Node C")
    pg.get_by_role("button", name="Save node").click()
    wait_idle(pg)
    assert api.ok("GET", f"/networks/{net_id}/nodes/{n3}")["name"] == "Node C"

    # Move node 3: the geodesic length of link 2-3 changes (computed by the server).
    click_link(pg, l23)
    pg.locator("[data-testid=effective-length]").wait_for()
    before_len = effective_length(pg)
    before_node = api.ok("GET", f"/networks/{net_id}/nodes/{n3}")
    x, y = center(pg, f'[data-node-id="{n3}"]')
    pg.mouse.move(x, y)
    pg.mouse.down()
    pg.mouse.move(x + 60, y + 50, steps=8)
    pg.mouse.move(x + 120, y + 100, steps=8)
    pg.mouse.up()
    wait_idle(pg)
    moved = api.ok("GET", f"/networks/{net_id}/nodes/{n3}")
    assert (moved["latitude_deg"], moved["longitude_deg"]) != (
        before_node["latitude_deg"], before_node["longitude_deg"])
    click_link(pg, l23)
    pg.wait_for_function(
        "v => Number(document.querySelector('[data-testid=effective-length]')"
        ".dataset.value) !== v", arg=before_len)
    after_len = effective_length(pg)
    assert after_len > before_len
    assert api.ok("GET", f"/networks/{net_id}/links/{l23}")["effective_length_km"] == after_len
    shot(pg, "e2e-4-node-moved")

    # Undo the move (keyboard): the node and the length come back.
    pg.locator("#map").focus()
    pg.keyboard.press("Control+z")
    wait_idle(pg)
    back = api.ok("GET", f"/networks/{net_id}/nodes/{n3}")
    assert (back["latitude_deg"], back["longitude_deg"]) == (
        before_node["latitude_deg"], before_node["longitude_deg"])
    assert api.ok("GET", f"/networks/{net_id}/links/{l23}")["effective_length_km"] == before_len
    # ...and redo, then undo again with the button.
    pg.locator("[data-action=redo]").click()
    wait_idle(pg)
    assert api.ok("GET", f"/networks/{net_id}/nodes/{n3}")["latitude_deg"] == moved["latitude_deg"]
    pg.locator("[data-action=undo]").click()
    wait_idle(pg)

    # Reload: everything persisted and is drawn again, in a view fitting all nodes.
    pg.reload()
    wait_ready(pg)
    assert ids(pg, "data-node-id") == node_ids
    assert ids(pg, "data-link-id") == link_ids
    map_box = pg.locator("#map").bounding_box()
    assert map_box is not None
    for nid in node_ids:
        nx, ny = center(pg, f'[data-node-id="{nid}"]')
        assert map_box["x"] <= nx <= map_box["x"] + map_box["width"]
        assert map_box["y"] <= ny <= map_box["y"] + map_box["height"]
    click_link(pg, l12)
    assert pg.locator("#link-length_km").input_value() == "12.5"
    assert effective_length(pg) == 12.5
    click_link(pg, l23)
    assert effective_length(pg) == before_len
    shot(pg, "e2e-5-after-reload")


def test_delete_with_confirmation_and_undo(server: Server, page: Any) -> None:
    pg, api = page, server.api
    net = api.ok("POST", "/networks", {"name": "Delete me"})
    a = api.ok("POST", f"/networks/{net['id']}/nodes",
               {"name": "A", "role": "endpoint", "latitude_deg": 46.2, "longitude_deg": 6.1})
    b = api.ok("POST", f"/networks/{net['id']}/nodes",
               {"name": "B", "role": "trusted_node", "latitude_deg": 46.5, "longitude_deg": 6.6})
    api.ok("POST", f"/networks/{net['id']}/links",
           {"a_node_id": a["id"], "b_node_id": b["id"], "length_km": 60})
    pg.goto(f"{server.url}/networks/{net['id']}")
    wait_ready(pg)

    # Search and zoom to a node selects it.
    pg.locator("#node-search").fill("B")
    pg.locator("#node-search").press("Enter")
    assert pg.locator("#node-name").input_value() == "B"

    # Delete asks first; cancelling keeps the node.
    pg.get_by_role("button", name="Delete", exact=True).click()
    dialog = pg.locator("dialog[open]")
    assert "B" in dialog.inner_text() and "1 link" in dialog.inner_text()
    dialog.get_by_role("button", name="Cancel").click()
    assert len(ids(pg, "data-node-id")) == 2

    pg.get_by_role("button", name="Delete", exact=True).click()
    pg.locator("dialog[open]").get_by_role("button", name="Delete node").click()
    wait_idle(pg)
    assert len(ids(pg, "data-node-id")) == 1
    assert len(ids(pg, "data-link-id")) == 0
    assert api.ok("GET", f"/networks/{net['id']}/nodes")["total"] == 1

    # Undo brings the node and its link back (new ids, same data).
    pg.locator("[data-action=undo]").click()
    wait_idle(pg)
    assert len(ids(pg, "data-node-id")) == 2
    assert len(ids(pg, "data-link-id")) == 1
    links = api.ok("GET", f"/networks/{net['id']}/links")["items"]
    assert len(links) == 1 and links[0]["length_km"] == 60

    # Layer toggles hide panes but keep one element per node and link.
    pg.locator(".layers summary").click()
    pg.get_by_role("checkbox", name="Links").uncheck()
    assert not pg.locator("[data-link-id]").first.is_visible()
    assert len(ids(pg, "data-link-id")) == 1
    pg.get_by_role("checkbox", name="Links").check()
    shot(pg, "e2e-delete-undo")


def test_conflict_412_keeps_the_edit(server: Server, page: Any, console: Any) -> None:
    pg, api = page, server.api
    # The browser logs the provoked 412 response as a console error: expected here.
    console.allow(r"status of 412")
    net = api.ok("POST", "/networks", {"name": "Conflicts"})
    node = api.ok("POST", f"/networks/{net['id']}/nodes",
                  {"name": "Site", "role": "endpoint",
                   "latitude_deg": 47.37, "longitude_deg": 8.54})
    pg.goto(f"{server.url}/networks/{net['id']}")
    wait_ready(pg)
    pg.locator(f'[data-node-id="{node["id"]}"]').click()

    # Someone else edits the node after the page loaded it.
    api.ok("PATCH", f"/networks/{net['id']}/nodes/{node['id']}", {"notes": "changed elsewhere"})

    pg.locator("#node-name").fill("Zurich")
    pg.get_by_role("button", name="Save node").click()
    dialog = pg.locator("dialog[open]")
    dialog.wait_for()
    assert "changed by someone else" in dialog.inner_text()
    shot(pg, "e2e-conflict-412")

    # Keeping the edit leaves it in the form, unsaved.
    dialog.get_by_role("button", name="Keep editing (not saved)").click()
    assert pg.locator("#node-name").input_value() == "Zurich"
    assert api.ok("GET", f"/networks/{net['id']}/nodes/{node['id']}")["name"] == "Site"

    # Saving again and choosing to reload and re-apply stores both changes.
    pg.get_by_role("button", name="Save node").click()
    pg.locator("dialog[open]").get_by_role("button", name="Reload and apply my edit").click()
    wait_idle(pg)
    stored = api.ok("GET", f"/networks/{net['id']}/nodes/{node['id']}")
    assert stored["name"] == "Zurich"
    assert stored["notes"] == "changed elsewhere"
    assert pg.locator("#node-name").input_value() == "Zurich"


def test_antimeridian_link_is_one_element(server: Server, page: Any) -> None:
    pg, api = page, server.api
    doc = {
        "format": "qnetplan-network",
        "format_version": 1,
        "network": {"name": "Pacific", "description": "", "route_factor": 1.3},
        "nodes": [
            {"id": 1, "name": "Suva", "role": "trusted_node", "latitude_deg": -18.14,
             "longitude_deg": 178.44},
            {"id": 2, "name": "Apia", "role": "trusted_node", "latitude_deg": -13.83,
             "longitude_deg": -171.76},
            {"id": 3, "name": "Honolulu", "role": "endpoint", "latitude_deg": 21.31,
             "longitude_deg": -157.86},
        ],
        "links": [
            {"id": 1, "a_node_id": 1, "b_node_id": 2, "medium": "fiber"},
            {"id": 2, "a_node_id": 2, "b_node_id": 3, "medium": "fiber", "status": "existing"},
        ],
        "demands": [],
        "equipment_profiles": [],
        "satellites": [],
    }
    net = api.ok("POST", "/networks/import-document", doc)
    pg.goto(f"{server.url}/networks/{net['id']}")
    wait_ready(pg)
    assert len(ids(pg, "data-node-id")) == 3
    link_ids = ids(pg, "data-link-id")
    assert len(link_ids) == 2
    # Drawn short: the Suva-Apia link (about 1,150 km) must not span the map's width.
    map_w = pg.locator("#map").bounding_box()["width"]
    for lid in link_ids:
        box = pg.locator(f'[data-link-id="{lid}"]').bounding_box()
        assert box is not None and box["width"] < map_w / 2
    shot(pg, "e2e-antimeridian")
