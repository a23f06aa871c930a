"""Argument checks of :mod:`dlcourse.reference.dense`: the boundary before its core.

Each validator receives the core's arguments by name, raises ``TypeError`` or
``ValueError`` that names the parameter, says what was expected and shows what was
given, and returns the arguments converted to NumPy arrays. The output's size is
bounded by :data:`dlcourse._checks.MAX_ELEMENTS`, checked before it is computed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcourse._checks import check_allocation, check_array, check_choice, describe
from dlcourse.reference.activations import ACTIVATIONS


def dense_weights(weights: Any) -> Any:
    """Check a ``DenseWeights`` (or a pair ``(kernel, bias)``); return it as arrays."""
    from dlcourse.reference.dense import DenseWeights

    if isinstance(weights, np.ndarray) or not isinstance(weights, tuple | list):
        raise TypeError(
            "`weights` must be a DenseWeights(kernel, bias), for example "
            f"DenseWeights(*layer.get_weights()); got {describe(weights)}"
        )
    if len(weights) != len(DenseWeights._fields):
        raise ValueError(
            f"`weights` must hold two arrays, kernel and bias; got {len(weights)} items"
        )
    kernel = check_array("weights.kernel", weights[0], ndim=2)
    bias = check_array("weights.bias", weights[1], ndim=1)
    if bias.shape[0] != kernel.shape[1]:
        raise ValueError(
            f"`weights.bias` must have {kernel.shape[1]} entries, one per unit "
            f"(column) of the kernel; got shape {bias.shape}"
        )
    return DenseWeights(kernel, bias)


def dense(x: Any, weights: Any, activation: Any) -> dict[str, Any]:
    """Validate the arguments of :func:`dlcourse.reference.dense.dense`."""
    weights = dense_weights(weights)
    x = check_array("x", x, ndim=2)
    if weights.kernel.shape[0] != x.shape[1]:
        raise ValueError(
            f"`weights.kernel` must have {x.shape[1]} rows, one per input feature "
            f"(column) of `x`; got shape {weights.kernel.shape}"
        )
    check_choice("activation", activation, ACTIVATIONS)
    check_allocation(("x", "weights"), (x.shape[0], weights.kernel.shape[1]))
    return {"x": x, "weights": weights, "activation": activation}
