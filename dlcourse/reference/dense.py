"""A dense (fully connected) layer in NumPy, as Keras computes it (Chapter 0).

Keras's ``Dense`` layer stores a kernel ``W`` of shape ``(inputs, units)`` and a bias
``b`` of length ``units``, in that order in ``layer.get_weights()``, and computes
``f(x W + b)`` for a batch of row vectors ``x``. The argument checks live in
:mod:`dlcourse.reference._dense_checks`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from dlcourse._checks import checked
from dlcourse.reference import _dense_checks as checks
from dlcourse.reference.activations import activate


class DenseWeights(NamedTuple):
    """The weights of a dense layer, named and ordered as ``Dense.get_weights()``.

    Args:
        kernel: ``W``, shape ``(inputs, units)``: one column per unit.
        bias: ``b``, shape ``(units,)``.
    """

    kernel: np.ndarray
    bias: np.ndarray


@checked(checks.dense)
def dense(
    x: np.ndarray, weights: DenseWeights, activation: str = "linear"
) -> np.ndarray:
    """h = f(x W + b), for a batch ``x`` of shape ``(batch, inputs)``.

    Args:
        x: the inputs, one row per example.
        weights: the kernel ``W`` and the bias ``b``.
        activation: the name of ``f``, in ``activations.ACTIVATIONS``; softmax acts
            on each row.

    Returns:
        The outputs, shape ``(batch, units)``.
    """
    return activate(x @ weights.kernel + weights.bias, activation)
