"""A live uvicorn server on a free loopback port with its own SQLite database, for benchmarks
and end-to-end runs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(database_url: str | None = None) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="qnetplan-bench-") as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        port = free_port()
        env = {**os.environ, "QNETPLAN_DATABASE_URL": url, "QNETPLAN_HOST": "127.0.0.1",
               "QNETPLAN_PORT": str(port)}
        cli = [sys.executable, "-m", "qnetplan.cli"]
        subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
        proc = subprocess.Popen([*cli, "serve"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            else:
                raise RuntimeError("server did not start")
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=10)
