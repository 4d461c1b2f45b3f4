import "./styles.css";
import { renderNetworksPage } from "./features/networks/page";
import { renderEditor } from "./features/network-editor/editor";
import { h, setReady } from "./ui/dom";

/** A page's teardown, called before the next route renders. */
type Teardown = () => void;
let teardown: Teardown | null = null;

export function navigate(path: string): void {
  if (path !== location.pathname) history.pushState(null, "", path);
  route();
}

function route(): void {
  setReady(false);
  teardown?.();
  teardown = null;
  const app = document.getElementById("app")!;
  app.replaceChildren();
  const path = location.pathname.replace(/\/+$/, "") || "/";
  const m = /^\/networks\/(\d+)$/.exec(path);
  if (path === "/") {
    teardown = renderNetworksPage(app, navigate);
  } else if (m) {
    teardown = renderEditor(app, Number(m[1]));
  } else {
    document.title = "Not found · QNetPlan";
    app.append(
      h(
        "main",
        { id: "main", class: "page narrow" },
        h("h1", {}, "Page not found"),
        h("p", {}, "There is nothing at ", h("code", {}, location.pathname), "."),
        h("p", {}, h("a", { href: "/", "data-nav": true }, "Back to the networks")),
      ),
    );
    setReady(true);
  }
}

// Same-origin links marked data-nav navigate without reloading the page.
document.addEventListener("click", (e) => {
  const a = (e.target as Element).closest?.("a[data-nav]") as HTMLAnchorElement | null;
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(a.pathname);
});
window.addEventListener("popstate", route);
route();
