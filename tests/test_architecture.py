"""Layering is enforced, not hoped for: physics and engine never import the web, the database
or settings (ARCHITECTURE.md §1), checked with the import-linter contracts in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower() or " 0 broken" in result.stdout.lower()


def test_engine_is_usable_without_the_web_stack() -> None:
    """Importing the engine and physics packages loads no FastAPI, SQLAlchemy or settings."""
    code = (
        "import sys, pkgutil, importlib, qnetplan.engine, qnetplan.physics\n"
        "for pkg in (qnetplan.engine, qnetplan.physics):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "bad = [m for m in ('fastapi', 'sqlalchemy', 'pydantic_settings', 'qnetplan.config')"
        " if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300, check=True)
    assert result.stdout.strip() == ""
