/** The map as the rest of the app sees it: no Leaflet types cross this line. */

export interface MapNode {
  id: number;
  name: string;
  role: string;
  latitude_deg: number;
  longitude_deg: number;
}

export interface MapLink {
  id: number;
  a_node_id: number;
  b_node_id: number;
  medium: string;
  status: string;
}

export type MapMode = "select" | "add-node" | "add-link";

/** Layers a person can switch on and off. `tiles` is the optional online base map. */
export type LayerName = "countries" | "links" | "nodes" | "labels" | "tiles";

export type Selection = { kind: "node" | "link"; id: number } | null;

export interface MapEvents {
  /** A click on the map background (not on a node or link), longitude in [-180, 180). */
  mapClick(lat_deg: number, lon_deg: number): void;
  nodeClick(id: number): void;
  linkClick(id: number): void;
  /** A node was dragged to a new place (longitude in [-180, 180)). */
  nodeDragEnd(id: number, lat_deg: number, lon_deg: number): void;
}

export interface MapView {
  /**
   * Replace everything drawn; recenters the longitude window for the network and, with `fit`,
   * opens a view fitting all nodes (keeping `bottomPx` free at the bottom).
   */
  setData(nodes: readonly MapNode[], links: readonly MapLink[], opts?: { fit?: boolean; bottomPx?: number }): void;
  upsertNode(node: MapNode): void;
  removeNode(id: number): void;
  upsertLink(link: MapLink): void;
  removeLink(id: number): void;
  select(selection: Selection): void;
  /** Mark the first end of a link being drawn (null clears it). */
  setLinkSource(id: number | null): void;
  setMode(mode: MapMode): void;
  setLayerVisible(layer: LayerName, visible: boolean): void;
  /** Fit every node in view, keeping `bottomPx` at the bottom free (e.g. for a legend). */
  fitAll(reserved?: { bottomPx?: number }): void;
  zoomToNode(id: number): void;
  /** The view's centre, longitude in [-180, 180). */
  center(): { lat_deg: number; lon_deg: number };
  /** Fetch and draw the offline base map (Natural Earth TopoJSON). */
  loadBaseMap(url: string): Promise<void>;
  destroy(): void;
}
