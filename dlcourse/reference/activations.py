"""Every chapter's nonlinearities, by name, with the slopes backpropagation needs.

One module for the whole package: the NumPy cores, the exercises and the checkers all
take their activations from here. Each slope is written with the activation's *output*
``h``, so that a backward pass needs only what the forward pass stored. The argument
checks are in :mod:`dlcourse.reference._activations_checks`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dlcourse._checks import checked
from dlcourse.reference import _activations_checks as checks

#: The activations a core accepts by name.
ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "softmax")


@checked(checks.z)
def linear(z: np.ndarray) -> np.ndarray:
    """The identity."""
    return z


@checked(checks.z)
def relu(z: np.ndarray) -> np.ndarray:
    """max(z, 0)."""
    return np.maximum(z, 0.0)


@checked(checks.z)
def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function 1 / (1 + exp(-z)), written so that no ``z`` overflows."""
    return np.exp(-np.logaddexp(0.0, -z))


@checked(checks.z)
def tanh(z: np.ndarray) -> np.ndarray:
    """The hyperbolic tangent."""
    return np.tanh(z)


@checked(checks.softmax)
def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """exp(z) normalised along ``axis``, the maximum subtracted first (no overflow)."""
    exponentials = np.exp(z - z.max(axis=axis, keepdims=True))
    return exponentials / exponentials.sum(axis=axis, keepdims=True)


_BY_NAME: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": linear,
    "relu": relu,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "softmax": softmax,
}

_SLOPE_FROM_OUTPUT: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": np.ones_like,
    "relu": lambda h: (h > 0).astype(h.dtype),
    "sigmoid": lambda h: h * (1.0 - h),
    "tanh": lambda h: 1.0 - h**2,
}


@checked(checks.activate)
def activate(z: np.ndarray, activation: str) -> np.ndarray:
    """Apply the activation called ``activation`` (one of :data:`ACTIVATIONS`)."""
    return _BY_NAME[activation](z)


@checked(checks.slope_from_output)
def slope_from_output(h: np.ndarray, activation: str) -> np.ndarray:
    """The activation's slope at the pre-activation, from its output ``h = f(z)``.

    Defined for the element-wise activations (all but softmax).
    """
    return _SLOPE_FROM_OUTPUT[activation](h)
