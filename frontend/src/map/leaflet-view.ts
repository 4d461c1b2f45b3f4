/**
 * Leaflet implementation of MapView. Nodes are circle markers and links polylines, both in the
 * SVG renderer so each carries one `data-node-id` / `data-link-id` element (a link cut at the edge
 * of the longitude window stays one <path> with several sub-paths). The Natural Earth base map
 * draws on a canvas in its own pane; layers are switched by hiding panes, so the node and link
 * elements stay in the DOM.
 */
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import type { Topology } from "topojson-specification";
import { polygonsForWindow, polygonsFromTopology, type BasePolygon } from "../lib/basemap";
import {
  boundsOf,
  centralMeridian,
  greatCirclePoints,
  normalizeLongitude,
  splitAtWindowEdge,
  wrapLongitudeAround,
} from "../lib/geodesy";
import { SELECTED_COLOR, linkStyle, nodeStyle } from "../lib/styles";
import type { LayerName, MapEvents, MapLink, MapMode, MapNode, MapView, Selection } from "./types";

const TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
const LABEL_LIMIT = 300;

interface NodeEntry {
  data: MapNode;
  marker: L.CircleMarker;
}
interface LinkEntry {
  data: MapLink;
  line: L.Polyline;
}

export function createMapView(container: HTMLElement, events: MapEvents): MapView {
  return new LeafletMapView(container, events);
}

class LeafletMapView implements MapView {
  private map: L.Map;
  private nodes = new Map<number, NodeEntry>();
  private links = new Map<number, LinkEntry>();
  private adjacency = new Map<number, Set<number>>();
  private centralLon = 0;
  private selection: Selection = null;
  private linkSource: number | null = null;
  private mode: MapMode = "select";
  private nodeRenderer: L.SVG;
  private linkRenderer: L.SVG;
  private countryRenderer: L.Canvas;
  private nodeGroup = L.layerGroup();
  private linkGroup = L.layerGroup();
  private countryGroup = L.layerGroup();
  private basePolygons: BasePolygon[] | null = null;
  private tiles: L.TileLayer | null = null;
  private labelsVisible = true;
  private countriesVisible = true;
  /** Many nodes: draw them smaller so the network stays readable at a glance. */
  private dense = false;
  private rubber: L.Polyline | null = null;
  private drag: { id: number; startX: number; startY: number; moved: boolean } | null = null;
  private suppressClick = false;

  constructor(
    private container: HTMLElement,
    private events: MapEvents,
  ) {
    this.map = L.map(container, {
      zoomControl: true,
      attributionControl: true,
      worldCopyJump: false,
      minZoom: 1,
      maxZoom: 18,
      zoomSnap: 0.25,
      preferCanvas: false,
      boxZoom: true,
      keyboard: true,
    });
    this.map.attributionControl.setPrefix(false);
    this.map.attributionControl.addAttribution("Base map: Natural Earth");
    for (const [name, z] of [
      ["qnp-countries", 250],
      ["qnp-links", 410],
      ["qnp-nodes", 420],
    ] as const) {
      const pane = this.map.createPane(name);
      pane.style.zIndex = String(z);
    }
    this.map.getPane("qnp-countries")!.style.pointerEvents = "none";
    this.countryRenderer = L.canvas({ pane: "qnp-countries", padding: 0.2 });
    this.linkRenderer = L.svg({ pane: "qnp-links", padding: 0.3 });
    this.nodeRenderer = L.svg({ pane: "qnp-nodes", padding: 0.3 });
    this.countryGroup.addTo(this.map);
    this.linkGroup.addTo(this.map);
    this.nodeGroup.addTo(this.map);
    this.map.setView([20, 0], 2, { animate: false });

    this.map.on("click", (e: L.LeafletMouseEvent) => {
      if (this.suppressClick) {
        this.suppressClick = false;
        return;
      }
      this.events.mapClick(e.latlng.lat, normalizeLongitude(e.latlng.lng));
    });
    this.map.on("mousemove", (e: L.LeafletMouseEvent) => this.onMouseMove(e));
    document.addEventListener("mouseup", this.onMouseUp);
  }

  // ---- data -------------------------------------------------------------------------------

  setData(nodes: readonly MapNode[], links: readonly MapLink[], opts: { fit?: boolean; bottomPx?: number } = {}): void {
    // Build the layers off the map, set the view, then attach: every path is projected once.
    this.nodeGroup.remove();
    this.linkGroup.remove();
    this.nodeGroup.clearLayers();
    this.linkGroup.clearLayers();
    this.nodes.clear();
    this.links.clear();
    this.adjacency.clear();
    const newCenter = centralMeridian(nodes.map((n) => n.longitude_deg));
    if (newCenter !== this.centralLon || !this.countryGroup.getLayers().length) {
      this.centralLon = newCenter;
      this.drawCountries();
    }
    this.labelsVisible = nodes.length <= LABEL_LIMIT;
    this.dense = nodes.length > LABEL_LIMIT;
    for (const n of nodes) this.upsertNode(n);
    for (const l of links) this.upsertLink(l);
    if (opts.fit) this.fitAll({ bottomPx: opts.bottomPx });
    this.linkGroup.addTo(this.map);
    this.nodeGroup.addTo(this.map);
    this.applyLabelVisibility();
  }

  upsertNode(node: MapNode): void {
    const existing = this.nodes.get(node.id);
    const pos = this.displayLatLng(node.latitude_deg, node.longitude_deg);
    if (existing) {
      const roleChanged = existing.data.role !== node.role;
      const nameChanged = existing.data.name !== node.name;
      existing.data = { ...node };
      existing.marker.setLatLng(pos);
      if (roleChanged) this.styleNode(existing);
      if (nameChanged) this.bindLabel(existing);
      for (const lid of this.adjacency.get(node.id) ?? []) this.redrawLink(lid);
      return;
    }
    const marker = L.circleMarker(pos, { renderer: this.nodeRenderer, pane: "qnp-nodes", bubblingMouseEvents: false });
    const entry: NodeEntry = { data: { ...node }, marker };
    marker.on("add", () => {
      const el = marker.getElement();
      if (el) {
        el.setAttribute("data-node-id", String(node.id));
        el.setAttribute("data-role", entry.data.role);
        el.classList.add("qnp-node");
      }
    });
    marker.on("click", (e: L.LeafletMouseEvent) => {
      L.DomEvent.stop(e);
      if (this.suppressClick) {
        this.suppressClick = false;
        return;
      }
      this.events.nodeClick(node.id);
    });
    marker.on("mousedown", (e: L.LeafletMouseEvent) => {
      if (this.mode !== "select" || e.originalEvent.button !== 0) return;
      L.DomEvent.stop(e);
      this.drag = { id: node.id, startX: e.originalEvent.clientX, startY: e.originalEvent.clientY, moved: false };
      this.map.dragging.disable();
    });
    this.nodes.set(node.id, entry);
    this.styleNode(entry);
    this.bindLabel(entry);
    marker.addTo(this.nodeGroup);
  }

  removeNode(id: number): void {
    const e = this.nodes.get(id);
    if (!e) return;
    this.nodeGroup.removeLayer(e.marker);
    this.nodes.delete(id);
    for (const lid of [...(this.adjacency.get(id) ?? [])]) this.removeLink(lid);
    this.adjacency.delete(id);
    if (this.linkSource === id) this.setLinkSource(null);
  }

  upsertLink(link: MapLink): void {
    const existing = this.links.get(link.id);
    if (existing) {
      this.unindex(existing.data);
      existing.data = { ...link };
      this.index(link);
      this.redrawLink(link.id);
      return;
    }
    const line = L.polyline([], { renderer: this.linkRenderer, pane: "qnp-links", bubblingMouseEvents: false, interactive: true });
    line.on("add", () => {
      const el = line.getElement();
      if (el) {
        el.setAttribute("data-link-id", String(link.id));
        el.classList.add("qnp-link");
      }
    });
    line.on("click", (e: L.LeafletMouseEvent) => {
      L.DomEvent.stop(e);
      this.events.linkClick(link.id);
    });
    const entry: LinkEntry = { data: { ...link }, line };
    this.links.set(link.id, entry);
    this.index(link);
    this.redrawLink(link.id);
    line.addTo(this.linkGroup);
  }

  removeLink(id: number): void {
    const e = this.links.get(id);
    if (!e) return;
    this.linkGroup.removeLayer(e.line);
    this.unindex(e.data);
    this.links.delete(id);
  }

  // ---- selection, modes, layers ----------------------------------------------------------------

  select(selection: Selection): void {
    const prev = this.selection;
    this.selection = selection;
    if (prev?.kind === "node") {
      const e = this.nodes.get(prev.id);
      if (e) this.styleNode(e);
    } else if (prev?.kind === "link") {
      this.redrawLinkStyle(prev.id);
    }
    if (selection?.kind === "node") {
      const e = this.nodes.get(selection.id);
      if (e) {
        this.styleNode(e);
        e.marker.bringToFront();
      }
    } else if (selection?.kind === "link") {
      this.redrawLinkStyle(selection.id);
      this.links.get(selection.id)?.line.bringToFront();
    }
  }

  setLinkSource(id: number | null): void {
    const prev = this.linkSource;
    this.linkSource = id;
    if (prev !== null) {
      const e = this.nodes.get(prev);
      if (e) this.styleNode(e);
    }
    if (id !== null) {
      const e = this.nodes.get(id);
      if (e) this.styleNode(e);
    }
    if (id === null && this.rubber) {
      this.rubber.remove();
      this.rubber = null;
    }
  }

  setMode(mode: MapMode): void {
    this.mode = mode;
    this.container.dataset.mode = mode;
    if (mode !== "add-link") this.setLinkSource(null);
  }

  setLayerVisible(layer: LayerName, visible: boolean): void {
    if (layer === "tiles") {
      if (visible && !this.tiles) {
        this.tiles = L.tileLayer(TILE_URL, {
          maxZoom: 19,
          attribution: "© OpenStreetMap contributors",
          crossOrigin: true,
        }).addTo(this.map);
      } else if (!visible && this.tiles) {
        this.tiles.remove();
        this.tiles = null;
      }
      this.applyCountryVisibility();
      return;
    }
    if (layer === "labels") {
      this.labelsVisible = visible;
      this.applyLabelVisibility();
      return;
    }
    if (layer === "countries") this.countriesVisible = visible;
    const pane = { countries: "qnp-countries", links: "qnp-links", nodes: "qnp-nodes" }[layer];
    this.map.getPane(pane)!.style.display = visible ? "" : "none";
    this.applyCountryVisibility();
  }

  /** Online tiles replace the (opaque) offline outlines while they are shown. */
  private applyCountryVisibility(): void {
    this.map.getPane("qnp-countries")!.style.display = this.countriesVisible && !this.tiles ? "" : "none";
  }

  fitAll(reserved: { bottomPx?: number } = {}): void {
    this.map.invalidateSize();
    const b = boundsOf([...this.nodes.values()].map((e) => [e.marker.getLatLng().lat, e.marker.getLatLng().lng]));
    // No animation: the view is final when this returns (the ready flag follows it).
    if (!b) {
      this.map.setView([20, this.centralLon], 2, { animate: false });
    } else if (b[0][0] === b[1][0] && b[0][1] === b[1][1]) {
      this.map.setView(b[0], 8, { animate: false });
    } else {
      this.map.fitBounds(b, {
        paddingTopLeft: [40, 40],
        paddingBottomRight: [40, 40 + (reserved.bottomPx ?? 0)],
        maxZoom: 12,
        animate: false,
      });
    }
  }

  zoomToNode(id: number): void {
    const e = this.nodes.get(id);
    if (!e) return;
    this.map.setView(e.marker.getLatLng(), Math.max(this.map.getZoom(), 9));
  }

  center(): { lat_deg: number; lon_deg: number } {
    const c = this.map.getCenter();
    return { lat_deg: clampLat(c.lat), lon_deg: normalizeLongitude(c.lng) };
  }

  async loadBaseMap(url: string): Promise<void> {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`Base map ${url}: HTTP ${res.status}`);
    const topo = (await res.json()) as Topology;
    this.basePolygons = polygonsFromTopology(topo);
    this.drawCountries();
  }

  destroy(): void {
    document.removeEventListener("mouseup", this.onMouseUp);
    this.map.remove();
  }

  // ---- internals ---------------------------------------------------------------------------

  private displayLatLng(lat: number, lon: number): L.LatLng {
    return L.latLng(lat, wrapLongitudeAround(lon, this.centralLon));
  }

  private drawCountries(): void {
    this.countryGroup.clearLayers();
    if (!this.basePolygons) return;
    const style: L.PolylineOptions = {
      renderer: this.countryRenderer,
      pane: "qnp-countries",
      interactive: false,
      color: "#a8a29e",
      weight: 0.7,
      fillColor: "#faf7f0",
      fillOpacity: 1,
      smoothFactor: 1.5,
    };
    for (const p of polygonsForWindow(this.basePolygons, this.centralLon)) {
      L.polygon(p.rings, style).addTo(this.countryGroup);
    }
  }

  private styleNode(e: NodeEntry): void {
    const s = nodeStyle(e.data.role);
    const selected = this.selection?.kind === "node" && this.selection.id === e.data.id;
    const source = this.linkSource === e.data.id;
    const r = this.dense ? Math.max(3, Math.round(s.radius * 0.55)) : s.radius;
    e.marker.setRadius(selected || source ? r + 3 : r);
    e.marker.setStyle({
      color: selected ? "#111827" : source ? "#111827" : s.color,
      weight: selected || source ? 3.5 : s.filled ? (this.dense ? 1 : 1.5) : this.dense ? 2 : 3,
      fillColor: selected ? SELECTED_COLOR : s.fill,
      fillOpacity: 1,
      dashArray: source ? "3 3" : undefined,
    });
    const el = e.marker.getElement();
    if (el) {
      el.setAttribute("data-role", e.data.role);
      el.classList.toggle("qnp-selected", selected);
    }
  }

  private bindLabel(e: NodeEntry): void {
    e.marker.unbindTooltip();
    e.marker.bindTooltip(e.data.name, {
      permanent: this.nodes.size <= LABEL_LIMIT,
      direction: "right",
      offset: [8, 0],
      className: "qnp-label",
      opacity: 1,
    });
  }

  private applyLabelVisibility(): void {
    this.container.classList.toggle("qnp-labels-hidden", !this.labelsVisible);
  }

  private index(l: MapLink): void {
    for (const n of [l.a_node_id, l.b_node_id]) {
      let s = this.adjacency.get(n);
      if (!s) this.adjacency.set(n, (s = new Set()));
      s.add(l.id);
    }
  }

  private unindex(l: MapLink): void {
    this.adjacency.get(l.a_node_id)?.delete(l.id);
    this.adjacency.get(l.b_node_id)?.delete(l.id);
  }

  private linkLatLngs(l: MapLink): L.LatLngExpression[][] {
    const a = this.nodes.get(l.a_node_id);
    const b = this.nodes.get(l.b_node_id);
    if (!a || !b) return [];
    const pa = a.marker.getLatLng();
    const pb = b.marker.getLatLng();
    const pts = greatCirclePoints([pa.lat, pa.lng], [pb.lat, pb.lng]);
    return splitAtWindowEdge(pts, this.centralLon);
  }

  private redrawLink(id: number): void {
    const e = this.links.get(id);
    if (!e) return;
    e.line.setLatLngs(this.linkLatLngs(e.data));
    this.redrawLinkStyle(id);
  }

  private redrawLinkStyle(id: number): void {
    const e = this.links.get(id);
    if (!e) return;
    const s = linkStyle(e.data.medium, e.data.status);
    const selected = this.selection?.kind === "link" && this.selection.id === id;
    e.line.setStyle({
      color: selected ? "#111827" : s.color,
      weight: selected ? s.weight + 2.5 : s.weight,
      dashArray: s.dashArray ?? undefined,
      opacity: selected ? 1 : s.opacity,
      lineCap: "round",
    });
    const el = e.line.getElement();
    if (el) {
      el.classList.toggle("qnp-selected", selected);
      el.setAttribute("data-status", e.data.status);
      el.setAttribute("data-medium", e.data.medium);
    }
  }

  private onMouseMove(e: L.LeafletMouseEvent): void {
    if (this.drag) {
      const d = this.drag;
      const dx = e.originalEvent.clientX - d.startX;
      const dy = e.originalEvent.clientY - d.startY;
      if (!d.moved && Math.hypot(dx, dy) < 4) return;
      d.moved = true;
      const entry = this.nodes.get(d.id);
      if (!entry) return;
      entry.marker.setLatLng(e.latlng);
      for (const lid of this.adjacency.get(d.id) ?? []) this.redrawLink(lid);
      return;
    }
    if (this.mode === "add-link" && this.linkSource !== null) {
      const src = this.nodes.get(this.linkSource);
      if (!src) return;
      const pts = [src.marker.getLatLng(), e.latlng];
      if (!this.rubber) {
        this.rubber = L.polyline(pts, {
          renderer: this.linkRenderer,
          pane: "qnp-links",
          interactive: false,
          color: "#111827",
          weight: 2,
          dashArray: "4 4",
        }).addTo(this.map);
      } else {
        this.rubber.setLatLngs(pts);
      }
    }
  }

  private onMouseUp = (): void => {
    const d = this.drag;
    if (!d) return;
    this.drag = null;
    this.map.dragging.enable();
    if (!d.moved) return;
    this.suppressClick = true;
    // A click event may or may not follow the mouseup (depending on the target under the
    // pointer); never let a stale suppression eat a later, real click.
    setTimeout(() => (this.suppressClick = false), 0);
    const entry = this.nodes.get(d.id);
    if (!entry) return;
    const p = entry.marker.getLatLng();
    this.events.nodeDragEnd(d.id, clampLat(p.lat), normalizeLongitude(p.lng));
  };
}

function clampLat(lat: number): number {
  return Math.max(-90, Math.min(90, lat));
}
