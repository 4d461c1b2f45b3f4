"""Satellites of a network (API-CONTRACT.md §5): CRUD, passes over the ground stations and the
key volume of a trusted-relay satellite.

A satellite owns a node of role ``satellite`` (same name; position = the sub-satellite point
and orbit altitude at the TLE epoch) so that it takes part in routes, exposure and vertex cuts.
Every write bumps the satellite's version and its network's version. Services flush; the
request's unit of work commits, so a rejected request writes nothing.

Key model of a pass (PHYSICS.md §3): only a ``bb84_decoy`` equipment profile gives one (the
satellite's ``equipment_profile_id``, else the network's default): two-decoy BB84 with the
finite-key bound of Lim et al. (2014), one pass = one block
(:func:`qnetplan.engine.satellites.decoy_bb84_pass_model`). The profile's ``system`` fields
are used merged with the calculator's defaults; the signal intensity is the profile's
``signal_mean_photon_number`` and the two decoys its ``decoy_mean_photon_numbers`` when its
``decoy_method`` is ``vacuum_weak``, else (0.1, 0) (Liao et al., Nature 549, 43 (2017):
signal 0.8, decoy 0.1, vacuum); the intensity choice probabilities are fixed at
0.5 / 0.25 / 0.25 (the same paper) rather than optimised per pass, and the key-basis
probability is sqrt(sifting_factor) as in the calculator. The epsilons come from the
satellite's ``finite_key``, else the profile's, else the calculator's defaults.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qnetplan.engine.calculator import CalculatorInputError, validate_inputs
from qnetplan.engine.passes import (
    PassSearchError,
    PassStation,
    TLEError,
    TwoLineElement,
    find_passes,
    parse_tle,
)
from qnetplan.engine.satellites import (
    DecoyBB84PassParameters,
    GroundStation,
    PassKey,
    PassKeyModel,
    SatelliteTerminal,
    decoy_bb84_pass_model,
    key_volume,
    pass_keys,
)
from qnetplan.errors import (
    ConflictError,
    FieldProblem,
    InvalidInputError,
    NotFoundError,
    ProblemCollector,
)
from qnetplan.physics.orbits import WGS84_A_KM, WGS84_F, teme_to_ecef_km
from qnetplan.services.concurrency import check_if_match
from qnetplan.services.topology import PageRequest, check_profile_ref, get_network, touch
from qnetplan.storage import repositories as repo
from qnetplan.storage.models import NodeRow, SatelliteRow

SATELLITE_FIELDS = ("name", "tle_line1", "tle_line2", "mode", "wavelength_nm",
                    "divergence_full_angle_urad", "divergence_convention",
                    "transmit_aperture_m", "beam_quality_m2", "pointing_jitter_urad",
                    "equipment_profile_id", "finite_key")
VIEW_FIELDS = ("id", "network_id", "node_id", *SATELLITE_FIELDS, "version")

MAX_WINDOW_DAYS = 366
# Windows are bounded to sensible calendar years (sgp4 and datetime arithmetic stay defined).
EARLIEST = datetime(1957, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)

# Fixed intensity choice probabilities (signal, decoy, weakest) of the pass key model:
# Liao et al., Nature 549, 43 (2017) (Micius decoy BB84 downlink).
INTENSITY_PROBABILITIES = (0.5, 0.25, 0.25)
DEFAULT_DECOYS = (0.1, 0.0)


# ---------------------------------------------------------------- validation
def check_satellite_values(values: dict[str, Any], checked: set[str],
                           problems: ProblemCollector, prefix: str = ""
                           ) -> TwoLineElement | None:
    """Check the TLE and the beam description of merged satellite ``values``.

    Returns the parsed TLE (None when it is malformed; the problem then points to the line).
    Beam rules: the divergence (with its convention) or ``transmit_aperture_m``, not both.
    ``checked`` names the fields the request set (pointers prefer them).
    """
    tle: TwoLineElement | None = None
    try:
        tle = parse_tle(values["tle_line1"], values["tle_line2"])
    except TLEError as exc:
        problems.add(f"{prefix}/tle_line{exc.line}", exc.detail)
    divergence = values.get("divergence_full_angle_urad")
    convention = values.get("divergence_convention")
    aperture = values.get("transmit_aperture_m")
    if divergence is not None and aperture is not None:
        field = "transmit_aperture_m" if "transmit_aperture_m" in checked or \
            "divergence_full_angle_urad" not in checked else "divergence_full_angle_urad"
        problems.add(f"{prefix}/{field}", "give divergence_full_angle_urad (with "
                     "divergence_convention) or transmit_aperture_m, not both")
    elif divergence is None and aperture is None:
        problems.add(f"{prefix}/divergence_full_angle_urad", "give divergence_full_angle_urad "
                     "(with divergence_convention) or transmit_aperture_m")
    elif divergence is not None and convention is None:
        problems.add(f"{prefix}/divergence_convention", "required with a divergence: "
                     "gaussian_1e2 (1/e^2 full angle of a Gaussian) or flat_top")
    elif divergence is None and convention is not None:
        problems.add(f"{prefix}/divergence_convention", "applies only with "
                     "divergence_full_angle_urad; a transmit aperture takes null")
    return tle


def subsatellite_point(tle: TwoLineElement) -> tuple[float, float, float]:
    """Geodetic latitude, longitude [deg] and altitude [m] of the satellite at its TLE epoch
    (WGS84; sgp4 in TEME rotated by GMST, Bowring's iteration for the latitude)."""
    satrec = tle.satrec
    jd, fr = satrec.jdsatepoch, satrec.jdsatepochF
    _, r, _ = satrec.sgp4(jd, fr)
    x, y, z = (float(c) for c in teme_to_ecef_km(r, jd, fr))
    e2 = WGS84_F * (2.0 - WGS84_F)
    p = math.hypot(x, y)
    lon = math.atan2(y, x)
    lat = math.atan2(z, p * (1.0 - e2))
    for _ in range(8):
        n = WGS84_A_KM / math.sqrt(1.0 - e2 * math.sin(lat) ** 2)
        h = p / math.cos(lat) - n if abs(lat) < math.pi / 4 else \
            z / math.sin(lat) - n * (1.0 - e2)
        lat = math.atan2(z, p * (1.0 - e2 * n / (n + h)))
    n = WGS84_A_KM / math.sqrt(1.0 - e2 * math.sin(lat) ** 2)
    h = p / math.cos(lat) - n if abs(lat) < math.pi / 4 else z / math.sin(lat) - n * (1.0 - e2)
    lon_deg = (math.degrees(lon) + 180.0) % 360.0 - 180.0
    return math.degrees(lat), lon_deg, h * 1000.0


def node_values(tle: TwoLineElement, name: str) -> dict[str, Any]:
    """The derived fields of a satellite's node."""
    lat, lon, alt_m = subsatellite_point(tle)
    return {"name": name, "role": "satellite", "latitude_deg": lat, "longitude_deg": lon,
            "altitude_m": alt_m}


def default_node_notes(name: str, tle: TwoLineElement) -> str:
    return (f"Node of satellite {name!r}: position is the sub-satellite point and orbit "
            f"altitude at the TLE epoch {_iso(tle.epoch_utc)}. Source: the satellite's TLE.")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# ---------------------------------------------------------------- views
def satellite_view(row: SatelliteRow) -> dict[str, Any]:
    out = {name: getattr(row, name) for name in VIEW_FIELDS}
    try:
        out["tle_epoch_utc"] = parse_tle(row.tle_line1, row.tle_line2).epoch_utc
    except TLEError:  # pragma: no cover - stored TLEs were validated
        out["tle_epoch_utc"] = None
    return out


def satellites_of_network(session: Session, network_id: int) -> list[SatelliteRow]:
    return list(session.scalars(select(SatelliteRow).where(
        SatelliteRow.network_id == network_id).order_by(SatelliteRow.id)).all())


# ---------------------------------------------------------------- CRUD
def get_satellite(session: Session, network_id: int, satellite_id: int) -> SatelliteRow:
    get_network(session, network_id)
    row = session.get(SatelliteRow, satellite_id)
    if row is None or row.network_id != network_id:
        raise NotFoundError(f"Satellite {satellite_id} does not exist in network {network_id}.")
    return row


def list_satellites(session: Session, network_id: int, page: PageRequest
                    ) -> tuple[list[SatelliteRow], int]:
    get_network(session, network_id)
    return repo.page(session, SatelliteRow, [SatelliteRow.network_id == network_id],
                     page.limit, page.offset)


def _name_conflict(session: Session, network_id: int, name: str, node_id: int | None) -> None:
    if repo.node_name_taken(session, network_id, name, node_id):
        message = f"A node named {name!r} already exists in network {network_id}."
        raise ConflictError(message, [FieldProblem(detail=message, pointer="/name")])


def create_satellite(session: Session, network_id: int, values: dict[str, Any]
                     ) -> SatelliteRow:
    network = get_network(session, network_id)
    problems = ProblemCollector()
    tle = check_satellite_values(values, set(values), problems)
    check_profile_ref(session, values.get("equipment_profile_id"), "/equipment_profile_id",
                      problems)
    problems.raise_if_any()
    assert tle is not None
    _name_conflict(session, network_id, values["name"], None)
    node = NodeRow(network_id=network_id, version=1, notes=default_node_notes(
        values["name"], tle), **node_values(tle, values["name"]))
    session.add(node)
    session.flush()
    stored = {k: values.get(k) for k in SATELLITE_FIELDS}
    stored["tle_line1"], stored["tle_line2"] = tle.line1, tle.line2
    row = SatelliteRow(network_id=network_id, node_id=node.id, version=1, **stored)
    session.add(row)
    touch(network)
    session.flush()
    return row


def update_satellite(session: Session, network_id: int, satellite_id: int,
                     changes: dict[str, Any], if_match: str | None) -> SatelliteRow:
    row = get_satellite(session, network_id, satellite_id)
    check_if_match(if_match, row.version)
    problems = ProblemCollector()
    merged = {name: getattr(row, name) for name in SATELLITE_FIELDS}
    merged.update(changes)
    tle = check_satellite_values(merged, set(changes), problems)
    if "equipment_profile_id" in changes:
        check_profile_ref(session, changes["equipment_profile_id"], "/equipment_profile_id",
                          problems)
    problems.raise_if_any()
    assert tle is not None
    node = session.get(NodeRow, row.node_id)
    assert node is not None
    if merged["name"] != node.name:
        _name_conflict(session, network_id, merged["name"], node.id)
    for name, value in changes.items():
        setattr(row, name, value)
    row.tle_line1, row.tle_line2 = tle.line1, tle.line2
    if changes.keys() & {"name", "tle_line1", "tle_line2"}:
        for name, value in node_values(tle, merged["name"]).items():
            setattr(node, name, value)
        node.version += 1
    row.version += 1
    touch(get_network(session, network_id))
    session.flush()
    return row


def delete_satellite(session: Session, network_id: int, satellite_id: int, cascade: bool,
                     if_match: str | None) -> None:
    """Delete the satellite and its node. Links and demands that use the node make it a 409
    unless ``cascade`` (then they go too), as for a node."""
    row = get_satellite(session, network_id, satellite_id)
    check_if_match(if_match, row.version)
    links = repo.links_of_node(session, row.node_id)
    demands = repo.demands_of_node(session, row.node_id)
    if (links or demands) and not cascade:
        raise ConflictError(
            f"The node of satellite {satellite_id} is used by links {[x.id for x in links]} "
            f"and demands {[d.id for d in demands]}; delete them first or pass ?cascade=true.")
    for dependent in (*links, *demands):
        session.delete(dependent)
    node = session.get(NodeRow, row.node_id)
    session.delete(row)
    session.flush()
    if node is not None:
        session.delete(node)
    touch(get_network(session, network_id))
    session.flush()


# ---------------------------------------------------------------- passes and key volume
@dataclass(frozen=True)
class _Station:
    """A ground-station node: its pass constraints and, when it has a receiver, its budget."""

    pass_station: PassStation
    ground_station: GroundStation | None
    cloud_free_fraction: float


def _stations(session: Session, network_id: int, station_id: int | None) -> list[_Station]:
    if station_id is not None:
        node = repo.child(session, NodeRow, network_id, station_id)
        if node is None:
            raise NotFoundError(f"Node {station_id} does not exist in network {network_id}.",
                                [FieldProblem(detail="names no node of this network",
                                              parameter="station_id")])
        if node.role != "ground_station":
            message = f"node {station_id} is a {node.role}, not a ground_station"
            raise InvalidInputError(message, [FieldProblem(detail=message,
                                                           parameter="station_id")])
        nodes = [node]
    else:
        nodes = list(session.scalars(select(NodeRow).where(
            NodeRow.network_id == network_id, NodeRow.role == "ground_station"
        ).order_by(NodeRow.id)).all())
    out = []
    for node in nodes:
        params = dict(node.ground_station or {})
        mask = float(params.get("minimum_elevation_deg", 10.0))
        night = float(params.get("night_sun_elevation_deg", -12.0))
        station = PassStation(node.id, node.latitude_deg, node.longitude_deg, node.altitude_m,
                              mask, night)
        ground = None
        if params.get("receiver_aperture_m") is not None:
            ground = GroundStation(
                station_id=node.id, latitude_deg=node.latitude_deg,
                longitude_deg=node.longitude_deg,
                receiver_aperture_m=float(params["receiver_aperture_m"]),
                altitude_m=node.altitude_m,
                obscuration_ratio=float(params.get("obscuration_ratio", 0.0)),
                optics_efficiency=float(params.get("optics_efficiency", 1.0)),
                minimum_elevation_deg=mask,
                zenith_transmittance=float(params.get("zenith_transmittance", 0.8)),
                night_sun_elevation_deg=night,
                cloud_free_fraction=float(params.get("cloud_free_fraction", 1.0)),
                turbulence_loss_db=float(params.get("turbulence_loss_db", 0.0)),
                extra_loss_db=float(params.get("extra_loss_db", 0.0)))
        out.append(_Station(station, ground, float(params.get("cloud_free_fraction", 1.0))))
    return out


def _terminal(row: SatelliteRow) -> SatelliteTerminal:
    return SatelliteTerminal(
        wavelength_nm=row.wavelength_nm,
        divergence_full_angle_urad=row.divergence_full_angle_urad,
        divergence_convention=row.divergence_convention,
        transmit_aperture_m=row.transmit_aperture_m,
        beam_quality_m2=row.beam_quality_m2,
        pointing_jitter_urad=row.pointing_jitter_urad)


def key_model(session: Session, row: SatelliteRow) -> PassKeyModel | None:
    """The pass key model of the satellite, or None when no equipment profile applies (see
    the module docstring). Entanglement-source satellites give no single-station key."""
    if row.mode != "trusted_relay":
        return None
    network = get_network(session, row.network_id)
    profile_id = row.equipment_profile_id or network.default_equipment_profile_id
    profile = repo.profile(session, profile_id) if profile_id is not None else None
    if profile is None or profile.protocol != "bb84_decoy":
        return None
    try:
        _, system, profile_fk = validate_inputs(profile.protocol, dict(profile.system or {}),
                                                profile.finite_key)
    except CalculatorInputError:
        return None
    finite_key = row.finite_key or profile_fk or {}
    if system["decoy_method"] == "vacuum_weak":
        nu, weakest = (float(x) for x in system["decoy_mean_photon_numbers"])
    else:
        nu, weakest = DEFAULT_DECOYS
    mu = float(system["signal_mean_photon_number"])
    if mu <= nu + weakest:
        mu = 2.0 * (nu + weakest)
    return decoy_bb84_pass_model(DecoyBB84PassParameters(
        repetition_rate_hz=float(system["repetition_rate_hz"]),
        detector_efficiency=float(system["detector_efficiency"]),
        dark_count_probability=float(system["dark_count_probability"]),
        intensities=(mu, nu, weakest),
        intensity_probabilities=INTENSITY_PROBABILITIES,
        misalignment_error=float(system["misalignment_error"]),
        error_correction_efficiency=float(system["error_correction_efficiency"]),
        x_basis_probability=math.sqrt(float(system["sifting_factor"])),
        security_epsilon=float(finite_key.get("security_epsilon") or 1e-10),
        correctness_epsilon=float(finite_key.get("correctness_epsilon") or 1e-15)))


def _as_utc(moment: datetime, parameter: str) -> datetime:
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if not EARLIEST <= moment < LATEST:
        message = f"must lie between {_iso(EARLIEST)} and {_iso(LATEST)}"
        raise InvalidInputError(f"{parameter}: {message}",
                                [FieldProblem(detail=message, parameter=parameter)])
    return moment


def _window_error(parameter: str, message: str) -> InvalidInputError:
    return InvalidInputError(f"{parameter}: {message}",
                             [FieldProblem(detail=message, parameter=parameter)])


def _keys(session: Session, row: SatelliteRow, tle: TwoLineElement, stations: list[_Station],
          start: datetime, end: datetime) -> tuple[dict[int, list[PassKey]], set[int]]:
    """Passes with culmination in [start, end) and their keys, per station id; and the ids of
    the stations that have a key model (a profile applies and the station has a receiver)."""
    try:
        found = find_passes(tle, [s.pass_station for s in stations], start, end)
    except PassSearchError as exc:
        raise InvalidInputError(f"The passes of this satellite are undefined: {exc}.") from exc
    model = key_model(session, row)
    terminal = _terminal(row)
    out: dict[int, list[PassKey]] = {}
    keyed: set[int] = set()
    for station in stations:
        sid = station.pass_station.station_id
        mine = [p for p in found if p.station_id == sid]
        if station.ground_station is None or model is None:
            out[sid] = [PassKey(p, None, math.inf) for p in mine]
            continue
        keyed.add(sid)
        out[sid] = pass_keys(tle, terminal, station.ground_station, mine, model)
    return out, keyed


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def passes(session: Session, network_id: int, satellite_id: int, start: datetime | None,
           end: datetime | None, station_id: int | None) -> list[dict[str, Any]]:
    row = get_satellite(session, network_id, satellite_id)
    tle = parse_tle(row.tle_line1, row.tle_line2)
    t0 = _as_utc(start, "start") if start is not None else tle.epoch_utc
    t1 = _as_utc(end, "end") if end is not None else t0 + timedelta(days=1)
    if t1 <= t0:
        raise _window_error("end", "must be after start")
    if t1 - t0 > timedelta(days=MAX_WINDOW_DAYS):
        raise _window_error("end", f"the window may span at most {MAX_WINDOW_DAYS} days")
    stations = _stations(session, network_id, station_id)
    by_station, _ = _keys(session, row, tle, stations, t0, t1)
    keys = sorted((k for ks in by_station.values() for k in ks),
                  key=lambda k: (k.satellite_pass.culmination_utc, k.satellite_pass.station_id))
    return [{
        "station_id": k.satellite_pass.station_id,
        "rise_utc": k.satellite_pass.rise_utc,
        "culmination_utc": k.satellite_pass.culmination_utc,
        "set_utc": k.satellite_pass.set_utc,
        "max_elevation_deg": k.satellite_pass.max_elevation_deg,
        "min_range_km": k.satellite_pass.min_range_km,
        "night": k.satellite_pass.night,
        "key_bits": _finite(k.key_bits),
    } for k in keys]


def key_volume_of(session: Session, network_id: int, satellite_id: int,
                  start: datetime | None, days: int, station_id: int | None
                  ) -> dict[str, Any]:
    row = get_satellite(session, network_id, satellite_id)
    tle = parse_tle(row.tle_line1, row.tle_line2)
    if not 1 <= days <= MAX_WINDOW_DAYS:
        raise _window_error("days", f"must lie in [1, {MAX_WINDOW_DAYS}]")
    t0 = _as_utc(start, "start") if start is not None else tle.epoch_utc
    stations = _stations(session, network_id, station_id)
    by_station, keyed = _keys(session, row, tle, stations, t0, t0 + timedelta(days=days))
    volume = key_volume(by_station, t0, days,
                        {s.pass_station.station_id: s.cloud_free_fraction for s in stations})

    def figure(station: int, value: float | None) -> float | None:
        return _finite(value) if station in keyed else None

    return {
        "days": [{"date": d.date, "station_id": d.station_id,
                  "key_bits": figure(d.station_id, d.key_bits)} for d in volume.days],
        "stations": [{"station_id": s.station_id,
                      "average_key_rate_bps": figure(s.station_id, s.average_key_rate_bps),
                      "key_store_bits_needed": figure(s.station_id, s.key_store_bits_needed),
                      "total_key_bits": figure(s.station_id, s.total_key_bits)}
                     for s in volume.stations],
    }
