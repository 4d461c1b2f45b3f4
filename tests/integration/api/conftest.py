from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from qnetplan.config import Settings
from qnetplan.main import create_app


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url))
    with TestClient(app) as test_client:
        yield test_client
    app.state.engine.dispose()
