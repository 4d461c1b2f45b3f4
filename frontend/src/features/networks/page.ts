/**
 * The networks page (`/`): list, create, rename, duplicate, delete, import a document, load demos.
 */
import { ApiError, api, type DemoNetwork, type Network, type NetworkDocumentIn } from "../../api/client";
import { confirmDialog, promptDialog } from "../../ui/dialog";
import { clear, formatDateTime, h, setReady } from "../../ui/dom";
import { toast, toastError } from "../../ui/toast";

export function renderNetworksPage(root: HTMLElement, navigate: (path: string) => void): () => void {
  document.title = "Networks · QNetPlan";
  let alive = true;

  const listBox = h("div", { class: "network-list", "aria-live": "polite" }, h("p", { class: "muted" }, "Loading networks…"));
  const demoBox = h("div", { class: "demo-list" }, h("p", { class: "muted" }, "Loading demo networks…"));

  const nameInput = h("input", { id: "new-network-name", name: "name", type: "text", required: true, maxlength: 200, placeholder: "e.g. Geneva metro QKD" });
  const nameError = h("p", { class: "field-error", id: "new-network-name-error", "data-error-for": "name", "aria-live": "polite" });
  nameInput.setAttribute("aria-describedby", "new-network-name-error");
  const createForm = h(
    "form",
    { class: "inline-form", novalidate: true, "data-form": "create-network" },
    h("div", { class: "field" }, h("label", { for: "new-network-name" }, "Network name"), nameInput, nameError),
    h("button", { type: "submit", class: "btn btn-primary" }, "Create network"),
  );
  createForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const name = nameInput.value.trim();
    if (!name) {
      nameError.textContent = "Network name is required.";
      nameInput.setAttribute("aria-invalid", "true");
      nameInput.focus();
      return;
    }
    nameError.textContent = "";
    nameInput.removeAttribute("aria-invalid");
    try {
      const { data } = await api.createNetwork({ name });
      navigate(`/networks/${data.id}`);
    } catch (err) {
      const ptr = err instanceof ApiError ? err.problem?.errors?.find((x) => x.pointer === "/name") : undefined;
      if (ptr) nameError.textContent = ptr.detail;
      else toastError(err, "Could not create the network");
    }
  });

  const fileInput = h("input", { id: "import-file", type: "file", accept: ".json,application/json", class: "sr-only" });
  fileInput.addEventListener("change", async () => {
    const file = fileInput.files?.[0];
    fileInput.value = "";
    if (!file) return;
    let doc: unknown;
    try {
      doc = JSON.parse(await file.text());
    } catch {
      toast(`${file.name} is not a JSON network document.`, "error");
      return;
    }
    if (!doc || typeof doc !== "object" || !("network" in doc)) {
      toast(`${file.name} is not a qnetplan-network document (no "network" object).`, "error");
      return;
    }
    try {
      // The server validates the rest and answers with pointers into the document.
      const { data } = await api.importDocument(doc as NetworkDocumentIn);
      toast(`Imported “${data.name}”.`, "success");
      await refresh();
    } catch (err) {
      toastError(err, `Could not import ${file.name}`);
    }
  });
  const importLabel = h("label", { for: "import-file", class: "btn", tabindex: 0, role: "button" }, "Import a document…");
  importLabel.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      fileInput.click();
    }
  });

  root.append(
    h(
      "header",
      { class: "topbar" },
      h("a", { href: "/", "data-nav": true, class: "brand" }, h("img", { src: "/favicon.svg", alt: "", width: 22, height: 22 }), "QNetPlan"),
      h("span", { class: "muted" }, "Quantum network planning"),
      h("span", { class: "spacer" }),
      h("a", { href: "/docs", class: "toplink" }, "API docs"),
    ),
    h(
      "main",
      { id: "main", class: "page" },
      h("h1", {}, "Networks"),
      h("section", { class: "card", "aria-labelledby": "create-h" }, h("h2", { id: "create-h" }, "New network"), createForm, h("div", { class: "row" }, fileInput, importLabel, h("span", { class: "muted" }, "A qnetplan-network JSON document (from another QNetPlan)."))),
      h("section", { class: "card", "aria-labelledby": "list-h" }, h("h2", { id: "list-h" }, "Your networks"), listBox),
      h("section", { class: "card", "aria-labelledby": "demo-h" }, h("h2", { id: "demo-h" }, "Demo networks"), demoBox),
    ),
  );

  async function refresh(): Promise<void> {
    let networks: Network[];
    try {
      networks = await api.listNetworks();
    } catch (err) {
      if (!alive) return;
      clear(listBox);
      listBox.append(h("p", { class: "error-text" }, `Could not load the networks: ${(err as Error).message}`));
      return;
    }
    if (!alive) return;
    clear(listBox);
    if (networks.length === 0) {
      listBox.append(h("p", { class: "empty", "data-empty": "networks" }, "No networks yet. Create one above, import a document, or load a demo network below."));
      return;
    }
    networks.sort((a, b) => b.updated_at.localeCompare(a.updated_at));
    const rows = networks.map((n) =>
      h(
        "tr",
        { "data-network-id": n.id },
        h("td", {}, h("a", { href: `/networks/${n.id}`, "data-nav": true, class: "network-link" }, n.name), n.description ? h("div", { class: "muted small clamp", title: n.description }, n.description) : null),
        h("td", { class: "nowrap" }, formatDateTime(n.updated_at)),
        h(
          "td",
          { class: "actions-cell" },
          h(
          "div",
          { class: "actions" },
          h("button", { type: "button", class: "btn btn-small", "data-action": "rename", "aria-label": `Rename ${n.name}`, onclick: () => rename(n) }, "Rename"),
          h("button", { type: "button", class: "btn btn-small", "data-action": "duplicate", "aria-label": `Duplicate ${n.name}`, onclick: () => duplicate(n) }, "Duplicate"),
          h("button", { type: "button", class: "btn btn-small btn-danger", "data-action": "delete", "aria-label": `Delete ${n.name}`, onclick: () => remove(n) }, "Delete"),
          ),
        ),
      ),
    );
    listBox.append(
      h(
        "table",
        { class: "table" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Updated"), h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Actions")))),
        h("tbody", {}, rows),
      ),
    );
  }

  async function loadDemos(): Promise<void> {
    let demos: DemoNetwork[] = [];
    try {
      demos = (await api.listDemos()).data.items;
    } catch (err) {
      if (!alive) return;
      clear(demoBox);
      demoBox.append(h("p", { class: "muted" }, `Demo networks are not available (${(err as Error).message}).`));
      return;
    }
    if (!alive) return;
    clear(demoBox);
    if (!demos.length) {
      demoBox.append(h("p", { class: "empty" }, "This server ships no demo networks."));
      return;
    }
    demoBox.append(
      h(
        "ul",
        { class: "demos" },
        demos.map((d) =>
          h(
            "li",
            { "data-demo-key": d.key },
            h("div", {}, h("strong", {}, d.name), h("div", { class: "muted small" }, d.description)),
            h("button", { type: "button", class: "btn btn-small", "aria-label": `Load demo ${d.name}`, onclick: (e: Event) => loadDemo(d, e.currentTarget as HTMLButtonElement) }, "Load"),
          ),
        ),
      ),
    );
  }

  async function loadDemo(d: DemoNetwork, btn: HTMLButtonElement): Promise<void> {
    btn.disabled = true;
    try {
      const { data } = await api.loadDemo(d.key);
      toast(`Loaded demo “${data.name}”.`, "success", { label: "Open", run: () => navigate(`/networks/${data.id}`) });
      await refresh();
    } catch (err) {
      toastError(err, `Could not load ${d.name}`);
    } finally {
      btn.disabled = false;
    }
  }

  async function rename(n: Network): Promise<void> {
    const name = await promptDialog(`Rename “${n.name}”`, "Name", n.name, "Rename");
    if (name === null || name === n.name) return;
    try {
      await api.updateNetwork(n.id, { name }, n.version);
      await refresh();
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) {
        toast(`“${n.name}” was changed elsewhere; the list is reloaded. Rename it again.`, "error");
        await refresh();
      } else toastError(err, "Could not rename");
    }
  }

  async function duplicate(n: Network): Promise<void> {
    try {
      const { data: doc } = await api.getDocument(n.id);
      doc.network = { ...doc.network, name: `${n.name} (copy)` };
      const { data } = await api.importDocument(doc);
      toast(`Created “${data.name}”.`, "success");
      await refresh();
    } catch (err) {
      toastError(err, `Could not duplicate ${n.name}`);
    }
  }

  async function remove(n: Network): Promise<void> {
    const ok = await confirmDialog(`Delete “${n.name}”?`, "The network, its nodes, links, demands and analyses are deleted. This cannot be undone.", "Delete network");
    if (!ok) return;
    try {
      await api.deleteNetwork(n.id);
      toast(`Deleted “${n.name}”.`, "info");
      await refresh();
    } catch (err) {
      toastError(err, "Could not delete");
    }
  }

  void Promise.all([refresh(), loadDemos()]).finally(() => alive && setReady(true));
  nameInput.focus();
  return () => {
    alive = false;
  };
}
