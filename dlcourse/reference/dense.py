"""A dense (fully connected) layer and softmax in NumPy, as Keras computes them (introduced in Chapter 0).

Keras stores a ``Dense`` layer's kernel as ``(inputs, units)`` and computes ``activation(x @ kernel + bias)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcourse._checks import check_array, check_choice, check_int

ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "softmax")


def softmax(logits: Any, axis: int = -1) -> np.ndarray:
    """Softmax along ``axis``, shifted by the maximum first so that large logits do not overflow."""
    z = check_array("logits", logits)
    axis = check_int("axis", axis, minimum=-z.ndim, maximum=z.ndim - 1)
    shifted = z - z.max(axis=axis, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / exponentials.sum(axis=axis, keepdims=True)


def sigmoid(z: Any) -> np.ndarray:
    """The logistic function 1 / (1 + exp(-z)), computed without overflow warnings."""
    z = check_array("z", z)
    return np.exp(-np.logaddexp(0.0, -z))


def activate(z: np.ndarray, activation: str) -> np.ndarray:
    """Apply one of the ``ACTIVATIONS`` by name."""
    check_choice("activation", activation, ACTIVATIONS)
    if activation == "linear":
        return z
    if activation == "relu":
        return np.maximum(z, 0.0)
    if activation == "sigmoid":
        return sigmoid(z)
    if activation == "tanh":
        return np.tanh(z)
    return softmax(z)


def dense(x: Any, kernel: Any, bias: Any, activation: str = "linear") -> np.ndarray:
    """``activation(x @ kernel + bias)`` for ``x`` of shape ``(batch, inputs)``, kernel ``(inputs, units)``."""
    x = check_array("x", x, ndim=2)
    kernel = check_array("kernel", kernel, ndim=2)
    bias = check_array("bias", bias, ndim=1)
    if kernel.shape[0] != x.shape[1]:
        raise ValueError(
            f"`kernel` must have {x.shape[1]} rows, one per input feature of `x`; got shape {kernel.shape}"
        )
    if bias.shape[0] != kernel.shape[1]:
        raise ValueError(
            f"`bias` must have {kernel.shape[1]} entries, one per unit; got shape {bias.shape}"
        )
    return activate(x @ kernel + bias, activation)
