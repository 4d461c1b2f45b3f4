"""Shared schema building blocks: strict numbers, safe strings, list envelopes, problems."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict, StringConstraints

MAX_DB_INT = 2_147_483_647


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _finite(**kwargs: Any) -> Any:
    return Field(allow_inf_nan=False, **kwargs)


# Strict numbers: never booleans or strings (API-CONTRACT.md §1 "Strict values").
StrictNum = Annotated[float, Strict(), _finite()]
NonNegative = Annotated[float, Strict(), _finite(ge=0)]
LossDb = Annotated[float, Strict(), _finite(ge=0, le=1000)]
Fraction = Annotated[float, Strict(), _finite(ge=0, le=1)]
Latitude = Annotated[float, Strict(), _finite(ge=-90, le=90)]
Longitude = Annotated[float, Strict(), _finite(ge=-180, le=180)]
StrictBool = Annotated[bool, Strict()]
Count = Annotated[int, Strict(), Field(ge=0, le=100_000)]
EntityId = Annotated[int, Strict(), Field(ge=1, le=MAX_DB_INT)]
Name = Annotated[
    str, Strict(), StringConstraints(min_length=1, max_length=200), AfterValidator(_no_nul)
]
Text = Annotated[str, Strict(), StringConstraints(max_length=20_000), AfterValidator(_no_nul)]
Label = Annotated[
    str, Strict(), StringConstraints(min_length=1, max_length=100), AfterValidator(_no_nul)
]

T = TypeVar("T")


class StrictModel(BaseModel):
    """Request bodies: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class ProblemError(BaseModel):
    detail: str
    pointer: str | None = None
    parameter: str | None = None


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[ProblemError] = Field(default_factory=list)
