"""The networks page (`/`) end to end: list, create, rename, duplicate, delete, import, demos."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import Server, shot, wait_idle, wait_ready

pytestmark = pytest.mark.e2e


def row(pg: Any, name: str) -> Any:
    return pg.locator("tr[data-network-id]").filter(
        has=pg.get_by_role("link", name=name, exact=True))


def test_manage_networks(server: Server, page: Any, tmp_path: Path) -> None:
    pg, api = page, server.api
    src = api.ok("POST", "/networks", {"name": "Source net", "description": "to copy"})
    a = api.ok("POST", f"/networks/{src['id']}/nodes",
               {"name": "A", "role": "endpoint", "latitude_deg": 48.2, "longitude_deg": 16.4})
    b = api.ok("POST", f"/networks/{src['id']}/nodes",
               {"name": "B", "role": "endpoint", "latitude_deg": 48.4, "longitude_deg": 15.6})
    api.ok("POST", f"/networks/{src['id']}/links",
           {"a_node_id": a["id"], "b_node_id": b["id"], "length_km": 70})

    pg.goto(server.url + "/")
    wait_ready(pg)
    assert row(pg, "Source net").count() == 1

    # An empty name is refused beside the field.
    pg.get_by_role("button", name="Create network").click()
    assert pg.locator('[data-error-for="name"]').inner_text() == "Network name is required."

    # Rename through a labelled dialog.
    row(pg, "Source net").get_by_role("button", name="Rename Source net").click()
    dlg = pg.locator("dialog[open]")
    dlg.get_by_label("Name").fill("Vienna ring")
    dlg.get_by_role("button", name="Rename").click()
    row(pg, "Vienna ring").wait_for()
    assert api.ok("GET", f"/networks/{src['id']}")["name"] == "Vienna ring"

    # Duplicate: a new network with the same nodes and links.
    row(pg, "Vienna ring").get_by_role("button", name="Duplicate Vienna ring").click()
    row(pg, "Vienna ring (copy)").wait_for()
    copy_id = int(row(pg, "Vienna ring (copy)").get_attribute("data-network-id"))
    assert copy_id != src["id"]
    doc = api.ok("GET", f"/networks/{copy_id}/document")
    assert sorted(n["name"] for n in doc["nodes"]) == ["A", "B"]
    assert [x["length_km"] for x in doc["links"]] == [70]

    # Import a document file.
    doc["network"]["name"] = "Imported from file"
    path = tmp_path / "net.json"
    path.write_text(json.dumps(doc))
    pg.locator("#import-file").set_input_files(str(path))
    row(pg, "Imported from file").wait_for()

    # Load a demo network (if the server ships any) and open it.
    demos = api.ok("GET", "/demo-networks")["items"]
    if demos:
        first = demos[0]
        pg.locator(f'[data-demo-key="{first["key"]}"] button').click()
        row(pg, first["name"]).first.wait_for()
    shot(pg, "e2e-networks-page")

    # Delete asks for confirmation; cancel keeps it.
    row(pg, "Vienna ring (copy)").get_by_role("button", name="Delete Vienna ring (copy)").click()
    pg.locator("dialog[open]").get_by_role("button", name="Cancel").click()
    assert row(pg, "Vienna ring (copy)").count() == 1
    row(pg, "Vienna ring (copy)").get_by_role("button", name="Delete Vienna ring (copy)").click()
    pg.locator("dialog[open]").get_by_role("button", name="Delete network").click()
    row(pg, "Vienna ring (copy)").wait_for(state="detached")
    assert api.call("GET", f"/networks/{copy_id}")[0] == 404

    # Open a network by its link; the path is real, so a reload lands in the editor again.
    pg.get_by_role("link", name="Vienna ring", exact=True).click()
    pg.wait_for_url(re.compile(rf"/networks/{src['id']}$"))
    wait_ready(pg)
    assert pg.locator("[data-node-id]").count() == 2
    pg.reload()
    wait_ready(pg)
    assert pg.locator("[data-link-id]").count() == 1
    pg.get_by_role("link", name="← Networks").click()
    wait_ready(pg)
    wait_idle(pg)
    assert pg.get_by_role("heading", name="Networks", exact=True).is_visible()


def test_unknown_network_and_page(server: Server, page: Any, console: Any) -> None:
    pg = page
    pg.goto(server.url + "/no/such/page")
    wait_ready(pg)
    assert pg.get_by_role("heading", name="Page not found").is_visible()
    console.allow(r"status of 404 .*/api/v1/networks/999999")
    pg.goto(server.url + "/networks/999999")
    wait_ready(pg)
    assert pg.get_by_role("heading", name="Network not found").is_visible()
