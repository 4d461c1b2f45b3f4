/** The only entry point to the map: features import from here, never from Leaflet. */
export type { LayerName, MapEvents, MapLink, MapMode, MapNode, MapView, Selection } from "./types";
export { createMapView } from "./leaflet-view";
