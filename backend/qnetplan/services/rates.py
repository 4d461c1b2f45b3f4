"""The link rate model the analysis uses: equipment profile + QKD-link loss -> key rate.

Evaluating the calculator link by link costs ~15 ms each (intensity optimisation and the
cut-off search), too slow for national networks. So the rates are prefetched: one pass over the
QKD links the engine will form records every (profile, loss, relay position) it will ask for,
then each (profile, relay position) group is evaluated as one vectorised curve, and its cut-off
once. The engine then reads a table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from qnetplan.domain import (
    EquipmentProfileSpec,
    KeyRateEval,
    LinkStatus,
    NetworkSnapshot,
)
from qnetplan.engine.calculator import CalculatorInputError, evaluate_curve, evaluate_key_rate
from qnetplan.engine.graph import build_qkd_graph

Key = tuple[int, float, float | None]


def _key(profile: EquipmentProfileSpec, loss_db: float, fraction: float | None) -> Key:
    return (profile.id, round(loss_db, 9), None if fraction is None else round(fraction, 9))


def _channel(fraction: float | None) -> dict[str, float]:
    channel = {"loss_db": 0.0}
    if fraction is not None:
        channel["relay_position_fraction"] = fraction
    return channel


class PrefetchedRateModel:
    """A :data:`qnetplan.domain.LinkRateModel` backed by batched calculator evaluations.

    A profile the calculator rejects for a link (e.g. twin-field with the relay off centre,
    which needs per-side settings) yields no key on that link: rate 0 and cut-off 0 dB, and the
    model id says why.
    """

    def __init__(self) -> None:
        self._table: dict[Key, KeyRateEval] = {}
        self.evaluations = 0

    def prefetch(self, snapshot: NetworkSnapshot, statuses: Iterable[LinkStatus]) -> None:
        wanted: dict[tuple[int, float | None], set[float]] = defaultdict(set)
        profiles: dict[int, EquipmentProfileSpec] = {}

        def record(profile: EquipmentProfileSpec, loss_db: float, fraction: float | None
                   ) -> KeyRateEval:
            key = _key(profile, loss_db, fraction)
            wanted[(key[0], key[2])].add(key[1])
            profiles[profile.id] = profile
            return KeyRateEval(key_rate_bps=0.0, max_channel_loss_db=None)

        build_qkd_graph(snapshot, record, tuple(statuses))
        for (profile_id, fraction), losses in wanted.items():
            self._evaluate_group(profiles[profile_id], fraction, sorted(losses))

    def _evaluate_group(self, profile: EquipmentProfileSpec, fraction: float | None,
                        losses: list[float]) -> None:
        system, finite_key = dict(profile.system), profile.finite_key
        finite = None if finite_key is None else dict(finite_key)
        try:
            cutoff = evaluate_key_rate(profile.protocol, _channel(fraction), system, finite)
            curve = evaluate_curve(profile.protocol, _channel(fraction), system, finite,
                                   losses_db=losses)
        except CalculatorInputError as exc:
            for loss in losses:
                self._table[(profile.id, loss, fraction)] = KeyRateEval(
                    key_rate_bps=0.0, max_channel_loss_db=0.0,
                    model=f"not evaluable: {exc.message}")
            return
        self.evaluations += 1
        for loss, rate in zip(losses, curve.secret_key_rate_bps, strict=True):
            self._table[(profile.id, loss, fraction)] = KeyRateEval(
                key_rate_bps=float(rate or 0.0), max_channel_loss_db=cutoff.max_channel_loss_db,
                model=curve.model)

    def __call__(self, profile: EquipmentProfileSpec, loss_db: float, fraction: float | None
                 ) -> KeyRateEval:
        key = _key(profile, loss_db, fraction)
        if key not in self._table:
            self._evaluate_group(profile, key[2], [key[1]])
        return self._table[key]
