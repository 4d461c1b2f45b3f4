"""Span loss budgets (PHYSICS.md §2), itemised in positive dB.

``itemised_span_budget`` is a small pure function on numbers, so ``physics/fiber.py`` can
replace it later without touching the graph code; ``span_budget`` maps a :class:`LinkSpec`
onto it. A free-space span has no attenuation-per-km item: its atmospheric/geometric budget is
computed elsewhere and arrives here as ``extra_loss_db`` (or as a key-rate override).
"""

from __future__ import annotations

from qnetplan.domain import LinkMedium, LinkSpec, LossBudget, LossBudgetItem


def itemised_span_budget(*, length_km: float, attenuation_db_per_km: float,
                         connector_count: int = 0, loss_per_connector_db: float = 0.3,
                         splice_count: int = 0, loss_per_splice_db: float = 0.05,
                         insertion_loss_db: float = 0.0, extra_loss_db: float = 0.0,
                         ageing_margin_db: float = 0.0) -> LossBudget:
    """Fiber span budget: attenuation × length + connectors + splices + insertion + extra +
    ageing margin [dB]. Items always appear in this order, zeros included, and sum to the
    total."""
    items = (
        LossBudgetItem("fiber", length_km * attenuation_db_per_km,
                       f"{length_km:g} km x {attenuation_db_per_km:g} dB/km"),
        LossBudgetItem("connectors", connector_count * loss_per_connector_db,
                       f"{connector_count} x {loss_per_connector_db:g} dB"),
        LossBudgetItem("splices", splice_count * loss_per_splice_db,
                       f"{splice_count} x {loss_per_splice_db:g} dB"),
        LossBudgetItem("insertion", insertion_loss_db, "switches, panels, filters in the span"),
        LossBudgetItem("extra", extra_loss_db, ""),
        LossBudgetItem("ageing_margin", ageing_margin_db, "ageing and repair margin"),
    )
    return LossBudget(items=items, total_db=sum(item.value_db for item in items))


def span_budget(link: LinkSpec) -> LossBudget:
    """The itemised budget of one stored span."""
    attenuation = link.attenuation_db_per_km if link.medium is LinkMedium.FIBER else 0.0
    return itemised_span_budget(
        length_km=link.effective_length_km, attenuation_db_per_km=attenuation,
        connector_count=link.connector_count, loss_per_connector_db=link.loss_per_connector_db,
        splice_count=link.splice_count, loss_per_splice_db=link.loss_per_splice_db,
        insertion_loss_db=link.insertion_loss_db, extra_loss_db=link.extra_loss_db,
        ageing_margin_db=link.ageing_margin_db)
