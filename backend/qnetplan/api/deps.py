"""Request-scoped dependencies: one session and one transaction per request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Query, Request
from sqlalchemy.orm import Session, sessionmaker

from qnetplan.services.topology import PageRequest


def get_session(request: Request) -> Iterator[Session]:
    """Commit when the handler returns, roll back when it raises. ``scope="function"`` makes
    the commit happen before the response is sent, so a failed commit is never a 2xx."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", description='Weak ETag of the version you edited, e.g. W/"7".'),
]


def page_params(
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size (max 1000).")] = 100,
    offset: Annotated[int, Query(ge=0, le=2_147_483_647)] = 0,
) -> PageRequest:
    return PageRequest(limit=limit, offset=offset)


PageDep = Annotated[PageRequest, Depends(page_params)]
