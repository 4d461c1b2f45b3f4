"""Span loss budgets (PHYSICS.md §2), itemised in positive dB.

``itemised_span_budget`` wraps the physics budget (same item names as ``/calc/loss-budget``);
``span_budget`` maps a :class:`LinkSpec` onto it. A free-space span has no attenuation-per-km
item: its atmospheric/geometric budget is
computed elsewhere and arrives here as ``extra_loss_db`` (or as a key-rate override).
"""

from __future__ import annotations

from qnetplan.domain import LinkMedium, LinkSpec, LossBudget, LossBudgetItem
from qnetplan.physics.fiber import fiber_loss_budget


def itemised_span_budget(*, length_km: float, attenuation_db_per_km: float,
                         connector_count: int = 0, loss_per_connector_db: float = 0.3,
                         splice_count: int = 0, loss_per_splice_db: float = 0.05,
                         insertion_loss_db: float = 0.0, extra_loss_db: float = 0.0,
                         ageing_margin_db: float = 0.0) -> LossBudget:
    """Fiber span budget from :func:`qnetplan.physics.fiber.fiber_loss_budget` (the one place
    the formula lives): attenuation x length + connectors + splices + insertion + extra +
    ageing margin [dB]. Items always appear in this order, zeros included, and sum to the
    total."""
    budget = fiber_loss_budget(
        length_km, attenuation_db_per_km, connector_count, loss_per_connector_db,
        splice_count, loss_per_splice_db, insertion_loss_db, extra_loss_db, ageing_margin_db)
    items = tuple(LossBudgetItem(item.name, float(item.value_db), item.detail)
                  for item in budget.items)
    return LossBudget(items=items, total_db=float(budget.total_db))


def span_budget(link: LinkSpec) -> LossBudget:
    """The itemised budget of one stored span."""
    attenuation = link.attenuation_db_per_km if link.medium is LinkMedium.FIBER else 0.0
    return itemised_span_budget(
        length_km=link.effective_length_km, attenuation_db_per_km=attenuation,
        connector_count=link.connector_count, loss_per_connector_db=link.loss_per_connector_db,
        splice_count=link.splice_count, loss_per_splice_db=link.loss_per_splice_db,
        insertion_loss_db=link.insertion_loss_db, extra_loss_db=link.extra_loss_db,
        ageing_margin_db=link.ageing_margin_db)
