"""End-to-end fixtures: a live ``qnetplan serve`` on a free port with a fresh SQLite file, and
Debian's Chromium driven by Playwright (never ``playwright install``).

When /usr/bin/chromium is missing the browser tests fail if ``CI`` is set, else they skip with
the reason. Every page fails its test on a console error, an uncaught exception or a failed
request, unless the test declared it expected (``console.allow(...)``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
STATIC_INDEX = ROOT / "backend" / "qnetplan" / "static" / "index.html"
CHROMIUM = os.environ.get("QNETPLAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1400, "height": 860}


def _bin(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Api:
    """A small JSON client for arranging and checking state behind the browser's back."""

    def __init__(self, base: str) -> None:
        self.base = base

    def call(self, method: str, path: str, body: Any = None,
             headers: dict[str, str] | None = None) -> tuple[int, Any, dict[str, str]]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + "/api/v1" + path, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=60) as res:
                raw = res.read()
                return res.status, json.loads(raw) if raw else None, dict(res.headers)
        except urllib.error.HTTPError as e:
            raw = e.read()
            return e.code, json.loads(raw) if raw else None, dict(e.headers)

    def ok(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        status, data, _ = self.call(method, path, body, **kw)
        assert 200 <= status < 300, f"{method} {path} -> {status}: {data}"
        return data


@dataclass
class Server:
    url: str
    api: Api
    process: subprocess.Popen[bytes]
    log: Path
    log_file: IO[bytes]


def start_server(tmp: Path) -> Server:
    """Migrate a fresh SQLite database and start ``qnetplan serve`` on a free port."""
    if not STATIC_INDEX.is_file() or "/assets/" not in STATIC_INDEX.read_text():
        raise RuntimeError(
            f"{STATIC_INDEX} is not the built front end: run `make frontend` "
            "(or `cd frontend && npm ci && npm run build`) first."
        )
    port = _free_port()
    env = dict(os.environ)
    env.update(
        QNETPLAN_DATABASE_URL=f"sqlite:///{tmp / 'e2e.sqlite3'}",
        QNETPLAN_HOST="127.0.0.1",
        QNETPLAN_PORT=str(port),
    )
    subprocess.run([_bin("qnetplan"), "db", "upgrade"], env=env, check=True, cwd=ROOT,
                   capture_output=True, timeout=120)
    log = tmp / "server.log"
    log_file = log.open("wb")
    proc = subprocess.Popen([_bin("qnetplan"), "serve"], env=env, cwd=ROOT,
                            stdout=log_file, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/api/v1/health", timeout=2) as res:
                if res.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            log_file.close()
            raise RuntimeError(f"qnetplan serve did not start:\n{log.read_text()[-4000:]}")
        time.sleep(0.1)
    return Server(url, Api(url), proc, log, log_file)


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    server.log_file.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start_server(tmp_path_factory.mktemp("e2e-server"))
    yield srv
    stop_server(srv)


def chromium_or_skip() -> str:
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return CHROMIUM
    reason = (f"Chromium not found at {CHROMIUM}: install it with `make sysdeps` "
              "(apt-get install chromium)")
    if os.environ.get("CI"):
        pytest.fail(reason + " — a missing browser is a failure in CI.")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class ConsoleWatch:
    """Console errors, page errors and failed requests seen by a page."""

    problems: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """Declare an expected message (e.g. the 412 a conflict test provokes)."""
        self.allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [m for m in self.problems if not any(p.search(m) for p in self.allowed)]


@pytest.fixture
def console() -> ConsoleWatch:
    return ConsoleWatch()


@pytest.fixture
def page(browser: Any, console: ConsoleWatch, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORT)
    pg = context.new_page()
    pg.set_default_timeout(15_000)

    def on_console(msg: Any) -> None:
        if msg.type in ("error", "assert"):
            loc = msg.location or {}
            console.problems.append(f"console.{msg.type}: {msg.text} @ {loc.get('url', '')}")

    pg.on("console", on_console)
    pg.on("pageerror", lambda exc: console.problems.append(f"pageerror: {exc}"))

    def on_request_failed(req: Any) -> None:
        # Requests cut short by a navigation or reload (net::ERR_ABORTED) are not failures;
        # an HTTP error status is reported by the console anyway.
        if "ERR_ABORTED" not in (req.failure or ""):
            console.problems.append(f"requestfailed: {req.method} {req.url} {req.failure}")

    pg.on("requestfailed", on_request_failed)
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    # A failed screenshot must never hide the test's own result.
    with contextlib.suppress(Exception):
        pg.screenshot(path=str(ARTIFACTS / f"e2e-{name}-final.png"))
    context.close()
    bad = console.unexpected()
    assert not bad, "console errors:\n" + "\n".join(bad)


def wait_ready(pg: Any, timeout: float = 15_000) -> None:
    """Wait for the page's ready flag (API-CONTRACT.md §7) and for pending writes."""
    pg.wait_for_function("document.body.dataset.ready === '1'", timeout=timeout)
    wait_idle(pg)


def wait_idle(pg: Any) -> None:
    pg.wait_for_function("document.body.dataset.busy !== '1'")


def shot(pg: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    pg.screenshot(path=str(path))
    return path
