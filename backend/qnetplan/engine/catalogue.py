"""Built-in equipment catalogue (read-only data): QKD receiver/source profiles with provenance.

Each profile's ``system`` and ``finite_key`` are exactly the calculator's objects
(API-CONTRACT §3) and validate against it. Every number is either taken from the cited paper
or marked illustrative in ``provenance``. ``builtin_profiles()`` is what the database seeding
uses; ``key`` is stable across releases (profiles are refreshed in place by key).
"""

from __future__ import annotations

import copy
import math
from typing import Any

__all__ = ["BUILTIN_PROFILES", "builtin_profiles", "get_builtin_profile"]

#: GYS background yield Y0 = 1.7e-6 is Bob's total (two detectors); per detector
#: p_d = 1 - sqrt(1 - Y0) so that 1 - (1 - p_d)^2 = Y0 exactly.
_GYS_PER_DETECTOR_DARK = 1.0 - math.sqrt(1.0 - 1.7e-6)

BUILTIN_PROFILES: tuple[dict[str, Any], ...] = (
    {
        "key": "gys-2004-decoy-bb84",
        "name": "GYS 2004 receiver, decoy BB84 (infinite decoys)",
        "protocol": "bb84_decoy",
        "system": {
            "repetition_rate_hz": 2e6,
            "detector_efficiency": 0.045,
            "dark_count_probability": _GYS_PER_DETECTOR_DARK,
            "misalignment_error": 0.033,
            "error_correction_efficiency": 1.22,
            "sifting_factor": 0.5,
            "decoy_method": "infinite",
            "signal_mean_photon_number": 0.48,
            "decoy_mean_photon_numbers": [],
            "optimize_intensities": True,
            "detector_dead_time_s": None,
        },
        "finite_key": None,
        "max_channel_loss_db": None,
        "provenance": (
            "C. Gobby, Z. L. Yuan, A. J. Shields, Appl. Phys. Lett. 84, 3762 (2004), "
            "doi:10.1063/1.1738173, as tabulated by X. Ma, B. Qi, Y. Zhao, H.-K. Lo, Phys. Rev. A "
            "72, 012326 (2005), Table I: eta_Bob 4.5%, Y0 1.7e-6 (Bob's total; here per "
            "detector 1 - sqrt(1 - Y0)), e_detector 3.3%, f 1.22, 2 MHz, fiber 0.21 dB/km. "
            "Signal intensity 0.48 is the optimum Ma et al. report; it is re-optimised."
        ),
    },
    {
        "key": "ingaas-spad-decoy-bb84",
        "name": "InGaAs/InP SPAD receiver, vacuum + weak decoy BB84",
        "protocol": "bb84_decoy",
        "system": {
            "repetition_rate_hz": 1e9,
            "detector_efficiency": 0.1,
            "dark_count_probability": 6e-7,
            "misalignment_error": 0.005,
            "error_correction_efficiency": 1.16,
            "sifting_factor": 0.5,
            "decoy_method": "vacuum_weak",
            "signal_mean_photon_number": 0.5,
            "decoy_mean_photon_numbers": [0.1, 0.0002],
            "optimize_intensities": True,
            "detector_dead_time_s": 1e-8,
        },
        "finite_key": {
            "block_size_pulses": 1e12,
            "security_epsilon": 1e-10,
            "correctness_epsilon": 1e-15,
        },
        "max_channel_loss_db": None,
        "provenance": (
            "Detector efficiency 10%, dark count probability 6e-7, misalignment 0.5%, f 1.16, "
            "weakest decoy 2e-4: C. C. W. Lim et al., Phys. Rev. A 89, 022307 (2014), Sec. IV "
            "(InGaAs APDs). Illustrative: 1 GHz repetition rate, 10 ns dead time (gated "
            "InGaAs SPADs are typically 10 ns-10 us), decoy 0.1, block of 1e12 pulses."
        ),
    },
    {
        "key": "snspd-decoy-bb84",
        "name": "SNSPD receiver, decoy BB84 (infinite decoys)",
        "protocol": "bb84_decoy",
        "system": {
            "repetition_rate_hz": 1e9,
            "detector_efficiency": 0.8,
            "dark_count_probability": 1e-8,
            "misalignment_error": 0.01,
            "error_correction_efficiency": 1.16,
            "sifting_factor": 0.5,
            "decoy_method": "infinite",
            "signal_mean_photon_number": 0.5,
            "decoy_mean_photon_numbers": [],
            "optimize_intensities": True,
            "detector_dead_time_s": 5e-8,
        },
        "finite_key": None,
        "max_channel_loss_db": None,
        "provenance": (
            "Illustrative superconducting-nanowire receiver: system efficiency 80%, dark count "
            "probability 1e-8 per 1 ns window (10 Hz dark rate), 50 ns recovery time, 1 GHz; "
            "typical of commercial SNSPDs, not from one datasheet. Misalignment 1% and f 1.16 "
            "are the calculator defaults."
        ),
    },
    {
        "key": "spdc-bbm92-ingaas",
        "name": "SPDC entangled source mid-span, InGaAs receivers, BBM92",
        "protocol": "bbm92",
        "system": {
            "repetition_rate_hz": 1e9,
            "detector_efficiency": 0.1,
            "dark_count_probability": 6e-7,
            "misalignment_error": 0.015,
            "error_correction_efficiency": 1.16,
            "sifting_factor": 0.5,
            "source_mean_pair_number": 0.05,
            "optimize_intensities": True,
            "detector_dead_time_s": 1e-8,
        },
        "finite_key": None,
        "max_channel_loss_db": None,
        "provenance": (
            "Model: X. Ma, C.-H. F. Fung, H.-K. Lo, Phys. Rev. A 76, 012307 (2007) (thermal PDC "
            "pairs). Detector figures as the InGaAs profile (Lim et al. 2014, Sec. IV); "
            "illustrative: 1.5% misalignment, 0.05 mean pairs per pulse (re-optimised), 1 GHz, "
            "10 ns dead time. Place the source with the channel's relay_position_fraction."
        ),
    },
)


def builtin_profiles() -> list[dict[str, Any]]:
    """Deep copies of the built-in profiles (``key, name, protocol, system, finite_key,
    max_channel_loss_db, provenance``)."""
    return copy.deepcopy(list(BUILTIN_PROFILES))


def get_builtin_profile(key: str) -> dict[str, Any]:
    """A deep copy of the profile with this stable ``key``; KeyError when unknown."""
    for profile in BUILTIN_PROFILES:
        if profile["key"] == key:
            return copy.deepcopy(profile)
    raise KeyError(key)
