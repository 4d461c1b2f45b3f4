"""Domain error hierarchy. No HTTP knowledge: ``api/errors.py`` maps these to responses."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldProblem:
    """One field-level problem: ``pointer`` is a JSON Pointer into the request body,
    ``parameter`` names a path or query parameter."""

    detail: str
    pointer: str | None = None
    parameter: str | None = None


class QNetPlanError(Exception):
    """Base class of every error the application reports to a client."""

    title = "Error"

    def __init__(self, detail: str, problems: list[FieldProblem] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.problems: list[FieldProblem] = problems or []


class NotFoundError(QNetPlanError):
    title = "Not found"


class ConflictError(QNetPlanError):
    title = "Conflict"


class PreconditionFailedError(QNetPlanError):
    title = "Precondition failed"


class InvalidInputError(QNetPlanError):
    title = "Invalid input"


class PayloadTooLargeError(QNetPlanError):
    title = "Payload too large"


class CapabilityUnavailableError(QNetPlanError):
    title = "Capability unavailable"


@dataclass
class ProblemCollector:
    """Collects field problems and raises one :class:`InvalidInputError` with all of them."""

    problems: list[FieldProblem] = field(default_factory=list)

    def add(self, pointer: str, detail: str) -> None:
        self.problems.append(FieldProblem(detail=detail, pointer=pointer))

    def raise_if_any(self, detail: str = "The request body is invalid.") -> None:
        if self.problems:
            raise InvalidInputError(detail, list(self.problems))
