"""Argument checks of :mod:`dlcourse.reference.language_model`: the boundary before its
cores."""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcourse._checks import check_array, check_float

#: The lowest temperature the sampler accepts (below it the division overflows).
MIN_TEMPERATURE = 1e-3
#: The highest temperature the sampler accepts.
MAX_TEMPERATURE = 1e3
#: The largest bits per character :func:`perplexity` accepts (2 ** 1000 overflows).
MAX_BITS = 1000.0


def _logits(logits: Any, ndim: Any = None) -> np.ndarray:
    logits = check_array("logits", logits, ndim=ndim)
    if logits.ndim < 1 or logits.shape[-1] < 2:
        raise ValueError(
            "`logits` must have at least 2 scores (characters) on its last axis, "
            f"got shape {logits.shape}"
        )
    return logits


def surprise_bits(logits: Any, targets: Any) -> dict[str, Any]:
    """Validate the arguments of the code-length cores."""
    logits = _logits(logits)
    targets = check_array("targets", targets, dtype="int", min_size=0)
    if targets.shape != logits.shape[:-1]:
        raise ValueError(
            f"`targets` must have shape {logits.shape[:-1]} (the logits' shape "
            f"without the last axis), got {targets.shape}"
        )
    if targets.size and (targets.min() < 0 or targets.max() >= logits.shape[-1]):
        raise ValueError(
            f"`targets` must hold codes in [0, {logits.shape[-1]}), got values from "
            f"{targets.min()} to {targets.max()}"
        )
    return {"logits": logits, "targets": targets}


def perplexity(bits: Any) -> dict[str, Any]:
    """Validate the argument of :func:`perplexity`."""
    return {"bits": check_float("bits", bits, minimum=0.0, maximum=MAX_BITS)}


def _temperature(temperature: Any) -> float:
    return check_float(
        "temperature", temperature, minimum=MIN_TEMPERATURE, maximum=MAX_TEMPERATURE
    )


def temperature_probabilities(logits: Any, temperature: Any) -> dict[str, Any]:
    """Validate the arguments of :func:`temperature_probabilities`."""
    return {
        "logits": _logits(logits, ndim=(1, 2)),
        "temperature": _temperature(temperature),
    }


def sample_with_temperature(
    logits: Any, temperature: Any, uniform: Any
) -> dict[str, Any]:
    """Validate the arguments of :func:`sample_with_temperature`."""
    logits = _logits(logits, ndim=2)
    uniform = check_array("uniform", uniform, shape=(logits.shape[0],))
    if uniform.min() < 0 or uniform.max() >= 1:
        raise ValueError(
            f"`uniform` must hold numbers in [0, 1), got values from {uniform.min()} "
            f"to {uniform.max()}"
        )
    return {
        "logits": logits,
        "temperature": _temperature(temperature),
        "uniform": uniform,
    }
