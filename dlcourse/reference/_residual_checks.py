"""Argument checks for :mod:`dlcourse.reference.residual` (Chapter 3b).

One validator per core, joined to it with ``@checked(...)``: each raises ``TypeError``
or ``ValueError`` naming the parameter, what was expected and what was given, and
returns the arguments converted (arrays as NumPy arrays, weights as the module's
NamedTuples).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcourse._checks import check_array, check_float, describe
from dlcourse.reference._conv_checks import MAX_ELEMENTS

#: The kernel size of the block's convolutions.
BLOCK_KERNEL = 3
_NORM_FIELDS = ("gamma", "beta", "moving_mean", "moving_variance")
_BLOCK_FIELDS = ("conv_1", "norm_1", "conv_2", "norm_2")


def _epsilon(epsilon: Any) -> float:
    return check_float("epsilon", epsilon, minimum=0.0, maximum=1.0)


def _norm_weights(name: str, weights: Any, channels: int) -> Any:
    from dlcourse.reference.residual import BatchNormWeights

    if not isinstance(weights, tuple) or len(weights) != len(_NORM_FIELDS):
        raise TypeError(
            f"`{name}` must be a BatchNormWeights(gamma, beta, moving_mean, "
            f"moving_variance), got {describe(weights)}"
        )
    arrays = [
        check_array(f"{name}.{field}", value, shape=(channels,))
        for field, value in zip(_NORM_FIELDS, weights, strict=True)
    ]
    if np.any(arrays[3] < 0):
        raise ValueError(
            f"`{name}.moving_variance` must not be negative, got a smallest value "
            f"of {arrays[3].min():.3g}"
        )
    return BatchNormWeights(*arrays)


def batch_norm(z: Any, weights: Any, epsilon: Any) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.residual.batch_norm`."""
    z = check_array("z", z, ndim=(2, 4), max_size=MAX_ELEMENTS)
    weights = _norm_weights("weights", weights, z.shape[-1])
    return {"z": z, "weights": weights, "epsilon": _epsilon(epsilon)}


def residual_block(x: Any, weights: Any, epsilon: Any) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.residual.residual_block`."""
    from dlcourse.reference.conv import ConvWeights
    from dlcourse.reference.residual import ResidualWeights

    x = check_array("x", x, ndim=4, max_size=MAX_ELEMENTS)
    channels = x.shape[3]
    if not isinstance(weights, tuple) or len(weights) != len(_BLOCK_FIELDS):
        raise TypeError(
            "`weights` must be a ResidualWeights(conv_1, norm_1, conv_2, norm_2), got "
            f"{describe(weights)}"
        )
    parts = []
    for field, value in zip(_BLOCK_FIELDS, weights, strict=True):
        name = f"weights.{field}"
        if field.startswith("norm"):
            parts.append(_norm_weights(name, value, channels))
            continue
        if not isinstance(value, tuple) or len(value) not in (1, 2):
            raise TypeError(
                f"`{name}` must be a ConvWeights(kernel, bias), got {describe(value)}"
            )
        shape = (BLOCK_KERNEL, BLOCK_KERNEL, channels, channels)
        kernel = check_array(f"{name}.kernel", value[0], shape=shape)
        bias = value[1] if len(value) == 2 else None
        if bias is not None:
            bias = check_array(f"{name}.bias", bias, shape=(channels,))
        parts.append(ConvWeights(kernel, bias))
    return {"x": x, "weights": ResidualWeights(*parts), "epsilon": _epsilon(epsilon)}
