/**
 * The network editor (`/networks/{id}`): the map, a toolbar (modes, undo/redo, search, layers)
 * and a side panel editing the selection. Every edit goes to the API at once, with the entity's
 * version in If-Match; a 412 is explained and never drops the edit silently.
 */
import countriesUrl from "world-atlas/countries-50m.json?url";
import { ApiError, api, type Link, type NodeT } from "../../api/client";
import { IdAliases, UndoStack, type Command } from "../../lib/history";
import { LINK_PROPERTIES, NETWORK_PROPERTIES, NODE_PROPERTIES, NODE_ROLES, changedFields } from "../../lib/properties";
import { fieldErrors } from "../../lib/problem";
import { createMapView, type LayerName, type MapMode, type MapView, type Selection } from "../../map";
import { choose, confirmDialog } from "../../ui/dialog";
import { clear, formatNumber, h, setReady, typingInField } from "../../ui/dom";
import { propertyForm, type FormHandle, type ProfileOption } from "../../ui/form";
import { toast, toastError } from "../../ui/toast";
import { renderLegend } from "./legend";
import { NetworkStore, linkCreateBody, nodeCreateBody, toMapLink, toMapNode } from "./store";

const TILES_KEY = "qnetplan.onlineTiles";

/** Thrown to stop an action after a conflict the person chose not to resolve now. */
class Cancelled extends Error {}

export function renderEditor(root: HTMLElement, networkId: number): () => void {
  const ed = new Editor(root, networkId);
  void ed.start();
  return () => ed.destroy();
}

class Editor {
  private store = new NetworkStore();
  private aliases = new IdAliases();
  private history = new UndoStack(200, () => this.updateToolbar());
  private view!: MapView;
  private mode: MapMode = "select";
  private selection: Selection = null;
  private linkSource: number | null = null;
  private newNodeRole = "endpoint";
  private profiles: ProfileOption[] = [];
  private form: FormHandle | null = null;
  private pending = 0;
  private alive = true;
  private loaded = false;

  // DOM
  private titleEl = h("h1", { class: "net-title" }, "…");
  private panel = h("aside", { class: "side-panel", "aria-label": "Properties" });
  private hint = h("div", { class: "map-hint", role: "status", "aria-live": "polite" });
  private emptyState = h("div", { class: "map-empty", hidden: true }, h("strong", {}, "No nodes yet."), " Choose ", h("em", {}, "Add node"), " and click the map to place one.");
  private undoBtn = h("button", { type: "button", class: "btn", "data-action": "undo", title: "Undo (Ctrl+Z)", onclick: () => this.undo() }, "Undo");
  private redoBtn = h("button", { type: "button", class: "btn", "data-action": "redo", title: "Redo (Ctrl+Shift+Z)", onclick: () => this.redo() }, "Redo");
  private modeBtns = new Map<MapMode, HTMLButtonElement>();
  private searchInput = h("input", { id: "node-search", type: "search", list: "node-names", placeholder: "Find a node…", autocomplete: "off" });
  private datalist = h("datalist", { id: "node-names" });
  private mapEl = h("div", { class: "map", id: "map", role: "application", "aria-label": "Network map" });

  constructor(
    private root: HTMLElement,
    private networkId: number,
  ) {}

  // ---- life cycle ------------------------------------------------------------------------------

  async start(): Promise<void> {
    this.buildLayout();
    this.view = createMapView(this.mapEl, {
      mapClick: (lat, lon) => this.onMapClick(lat, lon),
      nodeClick: (id) => this.onNodeClick(id),
      linkClick: (id) => this.select({ kind: "link", id }),
      nodeDragEnd: (id, lat, lon) => void this.moveNode(id, lat, lon),
    });
    if (localStorage.getItem(TILES_KEY) === "1") this.view.setLayerVisible("tiles", true);
    document.addEventListener("keydown", this.onKey);
    const base = this.view
      .loadBaseMap(countriesUrl)
      .then(() => performance.mark("qnp:basemap-drawn"))
      .catch((e) => toastError(e, "Base map"));
    void api
      .listProfiles()
      .then((ps) => {
        this.profiles = ps.map((p) => ({ id: p.id, name: p.name }));
        if (this.alive && !this.form?.el.querySelector("[aria-invalid]")) this.renderPanel();
      })
      .catch(() => {});
    await Promise.all([this.load(true), base]);
    if (this.alive && this.loaded) setReady(true);
  }

  destroy(): void {
    this.alive = false;
    document.removeEventListener("keydown", this.onKey);
    this.view?.destroy();
  }

  /** (Re)load the whole network from its document; the ready flag is "0" meanwhile. */
  private async load(fit: boolean): Promise<void> {
    setReady(false);
    this.busy(1);
    try {
      let nodes: NodeT[];
      let links: Link[];
      try {
        const { data } = await api.getDocument(this.networkId);
        this.store.network = data.network;
        nodes = data.nodes;
        links = data.links;
      } catch (e) {
        // Servers without the document endpoint: assemble it from the collections.
        if (!(e instanceof ApiError && (e.status === 404 || e.status === 405))) throw e;
        const { data } = await api.getNetwork(this.networkId);
        this.store.network = data;
        [nodes, links] = await Promise.all([api.listNodes(this.networkId), api.listLinks(this.networkId)]);
      }
      if (!this.alive) return;
      performance.mark("qnp:document-loaded");
      this.store.replace(this.store.network, nodes, links);
      this.view.setData(nodes.map(toMapNode), links.map(toMapLink), { fit, bottomPx: this.legendHeight() });
      performance.mark("qnp:drawn");
      if (this.selection && !this.entityOf(this.selection)) this.selection = null;
      this.view.select(this.selection);
      document.title = `${this.store.network.name} · QNetPlan`;
      this.titleEl.textContent = this.store.network.name;
      this.loaded = true;
      this.refreshDatalist();
      this.renderPanel();
      this.updateEmptyState();
      if (!fit) setReady(true);
    } catch (e) {
      if (!this.alive) return;
      if (e instanceof ApiError && e.status === 404) {
        this.showNotFound();
        setReady(true);
      } else {
        toastError(e, "Could not load the network");
        this.panel.replaceChildren(h("p", { class: "error-text" }, "The network could not be loaded. ", h("button", { type: "button", class: "btn btn-small", onclick: () => void this.load(true).then(() => setReady(true)) }, "Retry")));
        setReady(true);
      }
    } finally {
      this.busy(-1);
    }
  }

  private showNotFound(): void {
    this.root.replaceChildren(
      h("main", { id: "main", class: "page narrow" }, h("h1", {}, "Network not found"), h("p", {}, `There is no network ${this.networkId}.`), h("p", {}, h("a", { href: "/", "data-nav": true }, "Back to the networks"))),
    );
  }

  /** Run a top-level edit with the busy flag raised (tests wait for `data-busy` to drop). */
  private async track(fn: () => Promise<void>): Promise<void> {
    this.busy(1);
    try {
      await fn();
    } finally {
      this.busy(-1);
    }
  }

  private busy(delta: number): void {
    this.pending += delta;
    document.body.dataset.busy = this.pending > 0 ? "1" : "0";
  }

  // ---- layout ------------------------------------------------------------------------------------

  private buildLayout(): void {
    const modeBtn = (mode: MapMode, label: string, key: string) => {
      const b = h("button", { type: "button", class: "btn mode-btn", "data-mode": mode, "aria-pressed": "false", title: `${label} (${key})`, onclick: () => this.setMode(mode) }, label);
      this.modeBtns.set(mode, b);
      return b;
    };
    const roleSelect = h("select", { id: "new-node-role", "aria-label": "Role of new nodes" }, ...NODE_ROLES.filter((r) => r.value !== "satellite").map((r) => h("option", { value: r.value }, r.label)));
    roleSelect.value = this.newNodeRole;
    roleSelect.addEventListener("change", () => (this.newNodeRole = roleSelect.value));

    this.searchInput.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        this.search(this.searchInput.value);
      }
    });
    this.searchInput.addEventListener("change", () => {
      const v = this.searchInput.value.trim().toLowerCase();
      if ([...this.store.nodes.values()].some((n) => n.name.toLowerCase() === v)) this.search(this.searchInput.value);
    });

    const layers: [LayerName, string, boolean][] = [
      ["countries", "Country outlines", true],
      ["links", "Links", true],
      ["nodes", "Nodes", true],
      ["labels", "Node names", true],
      ["tiles", "Online map tiles (OpenStreetMap, needs internet)", localStorage.getItem(TILES_KEY) === "1"],
    ];
    const layerMenu = h(
      "details",
      { class: "layers" },
      h("summary", { class: "btn" }, "Layers"),
      h(
        "fieldset",
        { class: "layer-list" },
        h("legend", { class: "sr-only" }, "Layers"),
        ...layers.map(([name, label, on]) => {
          const id = `layer-${name}`;
          const cb = h("input", { type: "checkbox", id, "data-layer": name, checked: on });
          cb.addEventListener("change", () => {
            this.view.setLayerVisible(name, cb.checked);
            if (name === "tiles") localStorage.setItem(TILES_KEY, cb.checked ? "1" : "0");
          });
          return h("div", { class: "check" }, cb, h("label", { for: id }, label));
        }),
      ),
    );

    const toolbar = h(
      "div",
      { class: "toolbar", role: "toolbar", "aria-label": "Editing tools" },
      h("div", { class: "group", role: "group", "aria-label": "Mode" }, modeBtn("select", "Select", "S"), modeBtn("add-node", "Add node", "N"), modeBtn("add-link", "Add link", "L")),
      h("label", { for: "new-node-role", class: "small muted" }, "New node role"),
      roleSelect,
      h("div", { class: "group" }, this.undoBtn, this.redoBtn),
      h("button", { type: "button", class: "btn", title: "Zoom to all nodes", onclick: () => this.fitAll() }, "Fit"),
      layerMenu,
      h("span", { class: "spacer" }),
      h("label", { for: "node-search", class: "sr-only" }, "Find a node"),
      this.searchInput,
      this.datalist,
    );

    this.root.append(
      h(
        "header",
        { class: "topbar" },
        h("a", { href: "/", "data-nav": true, class: "brand" }, h("img", { src: "/favicon.svg", alt: "", width: 22, height: 22 }), "QNetPlan"),
        h("a", { href: "/", "data-nav": true, class: "toplink" }, "← Networks"),
        this.titleEl,
      ),
      toolbar,
      h("main", { id: "main", class: "editor" }, h("div", { class: "map-wrap" }, this.mapEl, this.hint, this.emptyState, renderLegend()), this.panel),
    );
    this.setMode("select");
    this.updateToolbar();
  }

  private legendHeight(): number {
    return this.root.querySelector<HTMLElement>(".legend")?.offsetHeight ?? 0;
  }

  private fitAll(): void {
    this.view.fitAll({ bottomPx: this.legendHeight() });
  }

  private updateToolbar(): void {
    this.undoBtn.disabled = !this.history.canUndo;
    this.redoBtn.disabled = !this.history.canRedo;
    this.undoBtn.title = this.history.undoLabel ? `Undo ${this.history.undoLabel} (Ctrl+Z)` : "Nothing to undo";
    this.redoBtn.title = this.history.redoLabel ? `Redo ${this.history.redoLabel} (Ctrl+Shift+Z)` : "Nothing to redo";
  }

  private updateEmptyState(): void {
    this.emptyState.hidden = this.store.nodes.size > 0;
  }

  private refreshDatalist(): void {
    clear(this.datalist);
    const names = [...this.store.nodes.values()].map((n) => n.name).sort((a, b) => a.localeCompare(b));
    for (const n of names.slice(0, 5000)) this.datalist.append(h("option", { value: n }));
  }

  private setMode(mode: MapMode): void {
    this.mode = mode;
    this.linkSource = null;
    this.view?.setMode(mode);
    this.view?.setLinkSource(null);
    for (const [m, b] of this.modeBtns) {
      b.setAttribute("aria-pressed", String(m === mode));
      b.classList.toggle("active", m === mode);
    }
    this.hint.textContent =
      mode === "add-node"
        ? `Click the map to add a node (${NODE_ROLES.find((r) => r.value === this.newNodeRole)?.label ?? this.newNodeRole}), or press Enter on the focused map to add one at its centre. Esc to stop.`
        : mode === "add-link"
          ? "Click the first node of the new link."
          : "";
    this.hint.hidden = this.hint.textContent === "";
  }

  // ---- map events ------------------------------------------------------------------------------

  private onMapClick(lat: number, lon: number): void {
    if (this.mode === "add-node") void this.addNode(lat, lon);
    else if (this.mode === "add-link") {
      this.linkSource = null;
      this.view.setLinkSource(null);
      this.setMode("add-link");
    } else this.select(null);
  }

  private onNodeClick(id: number): void {
    if (this.mode !== "add-link") {
      this.select({ kind: "node", id });
      return;
    }
    if (this.linkSource === null) {
      this.linkSource = id;
      this.view.setLinkSource(id);
      this.hint.textContent = `From ${this.store.nodeName(id)}: click the other end. Esc to cancel.`;
      this.hint.hidden = false;
    } else if (this.linkSource === id) {
      this.linkSource = null;
      this.view.setLinkSource(null);
      this.setMode("add-link");
    } else {
      const a = this.linkSource;
      this.linkSource = null;
      this.view.setLinkSource(null);
      this.setMode("add-link");
      void this.addLink(a, id);
    }
  }

  private onKey = (e: KeyboardEvent): void => {
    if (document.querySelector("dialog[open]")) return;
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key.toLowerCase() === "z" && !typingInField()) {
      e.preventDefault();
      if (e.shiftKey) void this.redo();
      else void this.undo();
      return;
    }
    if (mod && e.key.toLowerCase() === "y" && !typingInField()) {
      e.preventDefault();
      void this.redo();
      return;
    }
    if (e.key === "Escape") {
      if (this.mode !== "select") this.setMode("select");
      else this.select(null);
      return;
    }
    if (typingInField() || mod || e.altKey) return;
    if (e.key === "Enter" && this.mode === "add-node" && this.mapEl.contains(document.activeElement)) {
      // Keyboard users place nodes at the map's centre (arrow keys pan the map).
      e.preventDefault();
      const c = this.view.center();
      void this.addNode(c.lat_deg, c.lon_deg);
      return;
    }
    if (e.key === "Delete" || e.key === "Backspace") {
      if (this.selection) {
        e.preventDefault();
        void this.deleteSelection();
      }
    } else if (e.key === "n" || e.key === "N") this.setMode("add-node");
    else if (e.key === "l" || e.key === "L") this.setMode("add-link");
    else if (e.key === "s" || e.key === "S") this.setMode("select");
  };

  private search(text: string): void {
    const q = text.trim().toLowerCase();
    if (!q) return;
    const nodes = [...this.store.nodes.values()];
    const hit = nodes.find((n) => n.name.toLowerCase() === q) ?? nodes.find((n) => n.name.toLowerCase().includes(q));
    if (!hit) {
      toast(`No node matches “${text.trim()}”.`, "info");
      return;
    }
    this.select({ kind: "node", id: hit.id });
    this.view.zoomToNode(hit.id);
  }

  // ---- selection and side panel ------------------------------------------------------------------

  private entityOf(sel: Selection): NodeT | Link | undefined {
    if (!sel) return undefined;
    return sel.kind === "node" ? this.store.nodes.get(sel.id) : this.store.links.get(sel.id);
  }

  private select(sel: Selection): void {
    const next = sel && this.entityOf(sel) ? sel : null;
    // Re-selecting what is shown keeps the panel (and what is typed in it) as it is.
    if (next?.kind === this.selection?.kind && next?.id === this.selection?.id && this.form) return;
    this.selection = next;
    this.view.select(this.selection);
    this.renderPanel();
  }

  private renderPanel(): void {
    if (!this.loaded) return;
    clear(this.panel);
    this.form = null;
    const sel = this.selection;
    if (sel?.kind === "node") this.renderNodePanel(this.store.nodes.get(sel.id)!);
    else if (sel?.kind === "link") this.renderLinkPanel(this.store.links.get(sel.id)!);
    else this.renderNetworkPanel();
  }

  /** Redraw the panel for an entity the server just changed, unless the person is typing in it. */
  private panelEntityChanged(kind: "node" | "link" | "network", id: number): void {
    const sel = this.selection;
    const showing = kind === "network" ? sel === null : sel?.kind === kind && sel.id === id;
    if (!showing) return;
    const typing = this.form && this.form.el.contains(document.activeElement) && document.activeElement !== this.form.el.querySelector("button[type=submit]");
    if (!typing) this.renderPanel();
    else this.updateLinkInfo();
  }

  private panelHeader(kicker: string, title: string, del?: () => void): HTMLElement {
    return h(
      "div",
      { class: "panel-head" },
      h("div", {}, h("div", { class: "kicker" }, kicker), h("h2", { class: "panel-title" }, title)),
      del ? h("button", { type: "button", class: "btn btn-danger btn-small", "data-action": "delete-selection", onclick: del }, "Delete") : null,
    );
  }

  private renderNodePanel(n: NodeT): void {
    const links = this.store.linksOf(n.id);
    this.panel.append(this.panelHeader(NODE_ROLES.find((r) => r.value === n.role)?.label ?? n.role, n.name, () => void this.deleteSelection()));
    this.form = propertyForm({
      idPrefix: "node",
      defs: NODE_PROPERTIES,
      entity: n as unknown as Record<string, unknown>,
      profiles: this.profiles,
      submitLabel: "Save node",
      discriminators: ["role"],
      onSubmit: (values) => this.saveEntity("node", n.id, values),
    });
    this.panel.append(this.form.el);
    if (links.length) {
      this.panel.append(
        h("h3", { class: "small-head" }, `Links (${links.length})`),
        h(
          "ul",
          { class: "link-list" },
          links.slice(0, 50).map((l) => {
            const other = l.a_node_id === n.id ? l.b_node_id : l.a_node_id;
            return h("li", {}, h("button", { type: "button", class: "linkish", onclick: () => this.select({ kind: "link", id: l.id }) }, `→ ${this.store.nodeName(other)}`), h("span", { class: "muted small" }, ` ${formatNumber(l.effective_length_km)} km`));
          }),
        ),
      );
    }
  }

  private linkInfo = h("dl", { class: "facts", "data-testid": "link-facts" });

  private updateLinkInfo(): void {
    const sel = this.selection;
    if (sel?.kind !== "link") return;
    const l = this.store.links.get(sel.id);
    if (!l) return;
    clear(this.linkInfo);
    this.linkInfo.append(
      h("dt", {}, "Effective length"),
      h("dd", { "data-testid": "effective-length", "data-value": String(l.effective_length_km) }, `${formatNumber(l.effective_length_km, 2)} km`, h("span", { class: "muted small" }, l.length_source === "given" ? " (given)" : ` (geodesic × route factor ${formatNumber(this.store.network.route_factor, 3)})`)),
    );
  }

  private renderLinkPanel(l: Link): void {
    const end = (id: number) => h("button", { type: "button", class: "linkish", onclick: () => this.select({ kind: "node", id }) }, this.store.nodeName(id));
    this.panel.append(
      this.panelHeader(`Link · ${l.medium === "free_space" ? "free space" : "fiber"}`, `${this.store.nodeName(l.a_node_id)} – ${this.store.nodeName(l.b_node_id)}`, () => void this.deleteSelection()),
      h("p", { class: "ends" }, "A: ", end(l.a_node_id), " · B: ", end(l.b_node_id)),
      this.linkInfo,
    );
    this.updateLinkInfo();
    this.form = propertyForm({
      idPrefix: "link",
      defs: LINK_PROPERTIES,
      entity: l as unknown as Record<string, unknown>,
      profiles: this.profiles,
      submitLabel: "Save link",
      discriminators: ["medium"],
      onSubmit: (values) => this.saveEntity("link", l.id, values),
    });
    this.panel.append(this.form.el);
  }

  private renderNetworkPanel(): void {
    const net = this.store.network;
    this.panel.append(
      this.panelHeader("Network", net.name),
      h("p", { class: "muted small", "data-testid": "counts" }, `${this.store.nodes.size} nodes · ${this.store.links.size} links. Select a node or link on the map to edit it.`),
    );
    this.form = propertyForm({
      idPrefix: "network",
      defs: NETWORK_PROPERTIES,
      entity: net as unknown as Record<string, unknown>,
      profiles: this.profiles,
      submitLabel: "Save network",
      onSubmit: (values) => this.saveEntity("network", net.id, values),
    });
    this.panel.append(
      this.form.el,
      h(
        "details",
        { class: "help-box" },
        h("summary", {}, "Keyboard"),
        h("ul", { class: "small" }, h("li", {}, "N: add nodes · L: add links · S or Esc: select"), h("li", {}, "On the focused map: arrows pan, +/− zoom, Enter adds a node at the centre (Add node mode)"), h("li", {}, "Delete: delete the selection"), h("li", {}, "Ctrl+Z / Ctrl+Shift+Z: undo / redo"), h("li", {}, "Drag a node to move it")),
      ),
    );
  }

  // ---- applying server state ---------------------------------------------------------------------

  private applyNode(n: NodeT): void {
    const prev = this.store.nodes.get(n.id);
    this.store.nodes.set(n.id, n);
    this.view.upsertNode(toMapNode(n));
    if (!prev || prev.name !== n.name) this.refreshDatalist();
    this.updateEmptyState();
    this.panelEntityChanged("node", n.id);
  }

  private dropNode(id: number): void {
    for (const l of this.store.linksOf(id)) this.store.links.delete(l.id);
    this.store.nodes.delete(id);
    this.view.removeNode(id);
    if (this.selection && !this.entityOf(this.selection)) this.select(null);
    this.refreshDatalist();
    this.updateEmptyState();
  }

  private applyLink(l: Link): void {
    this.store.links.set(l.id, l);
    this.view.upsertLink(toMapLink(l));
    this.panelEntityChanged("link", l.id);
  }

  private dropLink(id: number): void {
    this.store.links.delete(id);
    this.view.removeLink(id);
    if (this.selection?.kind === "link" && this.selection.id === id) this.select(null);
  }

  /** Links' computed lengths follow their nodes: fetch the links of a moved node again. */
  private async refreshLinksOf(nodeId: number): Promise<void> {
    const links = this.store.linksOf(nodeId);
    const fresh = await Promise.all(links.map((l) => api.getLink(this.networkId, l.id).then((r) => r.data).catch(() => null)));
    for (const l of fresh) if (l) this.applyLink(l);
  }

  private nodeVersion(id: number): number | undefined {
    return this.store.nodes.get(id)?.version;
  }

  private linkVersion(id: number): number | undefined {
    return this.store.links.get(id)?.version;
  }

  // ---- conflicts -------------------------------------------------------------------------------

  /**
   * Run a write; on 412 explain what happened and let the person reload and re-apply the edit,
   * reload and drop it, or (for forms) keep it on screen unsaved.
   */
  private async guarded<T>(what: string, attempt: () => Promise<T>, opts: { canKeep?: boolean; onDiscard?: () => void } = {}): Promise<T> {
    this.busy(1);
    try {
      for (;;) {
        try {
          return await attempt();
        } catch (e) {
          if (!(e instanceof ApiError && e.status === 412)) throw e;
          const choice = await choose<"reapply" | "discard" | "keep">({
            title: "Changed elsewhere",
            body: [
              `${what} was changed by someone else (or in another tab) after this page loaded it, so your edit was not saved.`,
              "Reload the network to see the latest version. Your edit is kept: you can apply it again on top of the latest version, or drop it.",
            ],
            choices: [
              ...(opts.canKeep ? [{ label: "Keep editing (not saved)", value: "keep" as const }] : []),
              { label: "Reload and drop my edit", value: "discard" as const },
              { label: "Reload and apply my edit", value: "reapply" as const, kind: "primary" as const },
            ],
            cancel: opts.canKeep ? "keep" : "discard",
          });
          if (choice === "keep") throw new Cancelled("kept");
          await this.load(false);
          if (choice !== "reapply") {
            opts.onDiscard?.();
            throw new Cancelled("discarded");
          }
          // Loop: try again against the versions just loaded.
        }
      }
    } finally {
      this.busy(-1);
    }
  }

  /** Report a failed write (conflict choices are not failures). */
  private report(e: unknown, context: string, form?: FormHandle | null, changedKeys: string[] = []): void {
    if (e instanceof Cancelled) return;
    if (e instanceof ApiError && form && e.status >= 400 && e.status < 500) {
      if (e.problem?.errors?.length) {
        const keys = [...NODE_PROPERTIES, ...LINK_PROPERTIES, ...NETWORK_PROPERTIES].map((d) => d.key);
        const { byField, other } = fieldErrors(e.problem, keys);
        form.setErrors(byField, other);
        if (!Object.keys(byField).length) toastError(e, context);
        return;
      }
      // A refusal without pointers (e.g. 409 duplicate name) of an edit that changed one field
      // concerns that field.
      if (changedKeys.length === 1 && e.problem?.detail) {
        form.setErrors({ [changedKeys[0]]: e.problem.detail });
        return;
      }
    }
    toastError(e, context);
  }

  // ---- edits -----------------------------------------------------------------------------------

  private addNode(lat: number, lon: number): Promise<void> {
    return this.track(() => this.addNodeNow(lat, lon));
  }

  private async addNodeNow(lat: number, lon: number): Promise<void> {
    const body = { name: this.store.freeNodeName(), role: this.newNodeRole as NodeT["role"], latitude_deg: round6(lat), longitude_deg: round6(lon) };
    try {
      this.busy(1);
      const { data } = await api.createNode(this.networkId, body).finally(() => this.busy(-1));
      this.applyNode(data);
      this.history.record(this.createCommand("node", data.id, `add node ${data.name}`, () => api.createNode(this.networkId, body).then((r) => r.data)));
      this.select({ kind: "node", id: data.id });
    } catch (e) {
      this.report(e, "Could not add the node");
    }
  }

  private addLink(a: number, b: number): Promise<void> {
    return this.track(() => this.addLinkNow(a, b));
  }

  private async addLinkNow(a: number, b: number): Promise<void> {
    const body = { a_node_id: a, b_node_id: b, medium: "fiber" as const };
    try {
      this.busy(1);
      const { data } = await api.createLink(this.networkId, body).finally(() => this.busy(-1));
      this.applyLink(data);
      const label = `add link ${this.store.nodeName(a)} – ${this.store.nodeName(b)}`;
      this.history.record(
        this.createCommand("link", data.id, label, () =>
          api.createLink(this.networkId, { ...body, a_node_id: this.aliases.resolve("node", a), b_node_id: this.aliases.resolve("node", b) }).then((r) => r.data),
        ),
      );
      this.select({ kind: "link", id: data.id });
    } catch (e) {
      this.report(e, "Could not add the link");
    }
  }

  /** Undo of a creation deletes the entity; redo creates it again under a new id (aliased). */
  private createCommand(kind: "node" | "link", firstId: number, label: string, recreate: () => Promise<NodeT | Link>): Command {
    return {
      label,
      revert: async () => {
        const id = this.aliases.resolve(kind, firstId);
        if (kind === "node") {
          await this.guarded(`Node “${this.store.nodeName(id)}”`, () => api.deleteNode(this.networkId, id, this.nodeVersion(id)));
          this.dropNode(id);
        } else {
          await this.guarded("The link", () => api.deleteLink(this.networkId, id, this.linkVersion(id)));
          this.dropLink(id);
        }
      },
      apply: async () => {
        const made = await recreate();
        this.aliases.set(kind, this.aliases.resolve(kind, firstId), made.id);
        if (kind === "node") this.applyNode(made as NodeT);
        else this.applyLink(made as Link);
      },
    };
  }

  private moveNode(id: number, lat: number, lon: number): Promise<void> {
    return this.track(() => this.moveNodeNow(id, lat, lon));
  }

  private async moveNodeNow(id: number, lat: number, lon: number): Promise<void> {
    const before = this.store.nodes.get(id);
    if (!before) return;
    const from = { latitude_deg: before.latitude_deg, longitude_deg: before.longitude_deg };
    const to = { latitude_deg: round6(lat), longitude_deg: round6(lon) };
    const patchTo = async (p: typeof to, firstId: number) => {
      const cur = this.aliases.resolve("node", firstId);
      const what = `Node “${this.store.nodeName(cur)}”`;
      const { data } = await this.guarded(what, () => api.updateNode(this.networkId, this.aliases.resolve("node", firstId), p, this.nodeVersion(this.aliases.resolve("node", firstId))));
      this.applyNode(data);
      await this.refreshLinksOf(data.id);
    };
    try {
      await patchTo(to, id);
      this.history.record({ label: `move ${before.name}`, apply: () => patchTo(to, id), revert: () => patchTo(from, id) });
    } catch (e) {
      // Put the marker back where the server has it.
      const cur = this.store.nodes.get(id);
      if (cur) this.view.upsertNode(toMapNode(cur));
      this.report(e, "Could not move the node");
    }
  }

  /** Save a form: PATCH the changed fields; undo PATCHes the old values back. */
  private saveEntity(kind: "node" | "link" | "network", id: number, values: Record<string, unknown>): Promise<void> {
    return this.track(() => this.saveEntityNow(kind, id, values));
  }

  private async saveEntityNow(kind: "node" | "link" | "network", id: number, values: Record<string, unknown>): Promise<void> {
    const form = this.form;
    const defs = kind === "node" ? NODE_PROPERTIES : kind === "link" ? LINK_PROPERTIES : NETWORK_PROPERTIES;
    const stored = () => (kind === "node" ? this.store.nodes.get(id) : kind === "link" ? this.store.links.get(id) : this.store.network) as unknown as Record<string, unknown> | undefined;
    const base = stored();
    if (!base) return;
    const patch = changedFields(defs, base, values);
    if (!Object.keys(patch).length) {
      toast("Nothing changed.", "info");
      return;
    }
    const oldValues: Record<string, unknown> = {};
    for (const k of Object.keys(patch)) oldValues[k] = base[k];
    const raw = form?.raw() ?? {};
    const send = async (p: Record<string, unknown>) => {
      if (kind === "node") {
        const cur = this.aliases.resolve("node", id);
        const { data } = await this.guarded(`Node “${this.store.nodeName(cur)}”`, () => api.updateNode(this.networkId, this.aliases.resolve("node", id), p, this.nodeVersion(this.aliases.resolve("node", id))), { canKeep: true });
        this.applyNode(data);
        if ("latitude_deg" in p || "longitude_deg" in p) await this.refreshLinksOf(data.id);
      } else if (kind === "link") {
        const { data } = await this.guarded("This link", () => api.updateLink(this.networkId, this.aliases.resolve("link", id), p, this.linkVersion(this.aliases.resolve("link", id))), { canKeep: true });
        this.applyLink(data);
      } else {
        const { data } = await this.guarded("The network", () => api.updateNetwork(this.networkId, p, this.store.network.version), { canKeep: true });
        const factorChanged = data.route_factor !== this.store.network.route_factor;
        this.store.network = data;
        this.titleEl.textContent = data.name;
        document.title = `${data.name} · QNetPlan`;
        if (factorChanged) {
          for (const l of await api.listLinks(this.networkId)) this.applyLink(l);
        }
        this.panelEntityChanged("network", data.id);
      }
    };
    try {
      await send(patch);
      this.history.record({ label: `edit ${kind}`, apply: () => send(patch), revert: () => send(oldValues) });
      if (document.activeElement === document.body || !document.activeElement) this.form?.el.querySelector<HTMLElement>("input, select, textarea")?.focus();
      toast(`Saved.`, "success");
    } catch (e) {
      // Whatever happened, what the person typed stays in the form.
      const dropped = e instanceof Cancelled && e.message === "discarded";
      if (!dropped && this.form && this.form !== form) this.form.restore(raw);
      this.report(e, `Could not save the ${kind}`, this.form, Object.keys(patch));
    }
  }

  private deleteSelection(): Promise<void> {
    return this.track(() => this.deleteSelectionNow());
  }

  private async deleteSelectionNow(): Promise<void> {
    const sel = this.selection;
    if (!sel) return;
    if (sel.kind === "node") {
      const n = this.store.nodes.get(sel.id);
      if (!n) return;
      const links = this.store.linksOf(n.id);
      const ok = await confirmDialog(
        `Delete node “${n.name}”?`,
        links.length ? `Its ${links.length} link${links.length > 1 ? "s" : ""} (and any demands using it) are deleted too. You can undo this.` : "You can undo this.",
        "Delete node",
      );
      if (!ok) return;
      const firstId = n.id;
      const snapNode = n;
      const snapLinks = links;
      const del = async () => {
        const id = this.aliases.resolve("node", firstId);
        await this.guarded(`Node “${this.store.nodeName(id)}”`, () => api.deleteNode(this.networkId, id, this.nodeVersion(id), true));
        this.dropNode(id);
      };
      const restore = async () => {
        const { data } = await api.createNode(this.networkId, nodeCreateBody(snapNode) as never);
        this.aliases.set("node", this.aliases.resolve("node", firstId), data.id);
        this.applyNode(data);
        for (const l of snapLinks) {
          const a = this.aliases.resolve("node", l.a_node_id);
          const b = this.aliases.resolve("node", l.b_node_id);
          const { data: made } = await api.createLink(this.networkId, linkCreateBody(l, a, b) as never);
          this.aliases.set("link", this.aliases.resolve("link", l.id), made.id);
          this.applyLink(made);
        }
      };
      try {
        await del();
        this.history.record({ label: `delete node ${snapNode.name}`, apply: del, revert: restore });
        toast(`Deleted node “${snapNode.name}”.`, "info", { label: "Undo", run: () => void this.undo() });
      } catch (e) {
        this.report(e, "Could not delete the node");
      }
    } else {
      const l = this.store.links.get(sel.id);
      if (!l) return;
      const label = `${this.store.nodeName(l.a_node_id)} – ${this.store.nodeName(l.b_node_id)}`;
      const ok = await confirmDialog(`Delete link ${label}?`, "You can undo this.", "Delete link");
      if (!ok) return;
      const firstId = l.id;
      const del = async () => {
        const id = this.aliases.resolve("link", firstId);
        await this.guarded("The link", () => api.deleteLink(this.networkId, id, this.linkVersion(id)));
        this.dropLink(id);
      };
      const restore = async () => {
        const a = this.aliases.resolve("node", l.a_node_id);
        const b = this.aliases.resolve("node", l.b_node_id);
        const { data } = await api.createLink(this.networkId, linkCreateBody(l, a, b) as never);
        this.aliases.set("link", this.aliases.resolve("link", firstId), data.id);
        this.applyLink(data);
      };
      try {
        await del();
        this.history.record({ label: `delete link ${label}`, apply: del, revert: restore });
        toast(`Deleted link ${label}.`, "info", { label: "Undo", run: () => void this.undo() });
      } catch (e) {
        this.report(e, "Could not delete the link");
      }
    }
  }

  private undo(): Promise<void> {
    return this.track(() => this.undoNow());
  }

  private async undoNow(): Promise<void> {
    if (!this.history.canUndo) return;
    const label = this.history.undoLabel;
    try {
      await this.history.undo();
      toast(`Undone: ${label}.`, "info");
    } catch (e) {
      this.report(e, `Could not undo ${label}`);
    }
  }

  private redo(): Promise<void> {
    return this.track(() => this.redoNow());
  }

  private async redoNow(): Promise<void> {
    if (!this.history.canRedo) return;
    const label = this.history.redoLabel;
    try {
      await this.history.redo();
      toast(`Redone: ${label}.`, "info");
    } catch (e) {
      this.report(e, `Could not redo ${label}`);
    }
  }
}

/** Coordinates to 6 decimals (~0.1 m): what a click can mean. */
function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
