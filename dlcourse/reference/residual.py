"""Batch normalisation and the residual block in NumPy, as Keras computes them
(Chapter 3b, "After LeNet").

A residual block adds its input back to what two convolutions make of it:
``y = relu(x + N_2(conv_2(relu(N_1(conv_1(x))))))``, where each ``N`` is a batch
normalisation in inference mode, ``N(z) = gamma (z - mean) / sqrt(variance + eps) +
beta`` with the moving mean and variance learned during training. The convolutions are
3x3, stride 1, padding ``"same"`` and without bias (the normalisation's ``beta`` is the
bias), so that the output has the input's shape and the sum is defined. Weights travel
in :class:`BatchNormWeights` (the order of Keras's ``BatchNormalization.get_weights()``)
and :class:`ResidualWeights`. The convolution is :func:`dlcourse.reference.conv.conv2d`.

Each function is a *core*; its argument checks live in
:mod:`dlcourse.reference._residual_checks`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from dlcourse._checks import checked
from dlcourse.reference import _residual_checks as checks
from dlcourse.reference.conv import ConvWeights, conv2d

#: Keras's default ``epsilon`` of ``BatchNormalization``.
EPSILON = 1e-3


class BatchNormWeights(NamedTuple):
    """The weights of a ``BatchNormalization`` layer, in ``get_weights()`` order.

    Args:
        gamma: the scale, ``(channels,)``.
        beta: the shift, ``(channels,)``.
        moving_mean: the mean used at inference, ``(channels,)``.
        moving_variance: the variance used at inference, ``(channels,)``.
    """

    gamma: np.ndarray
    beta: np.ndarray
    moving_mean: np.ndarray
    moving_variance: np.ndarray


class ResidualWeights(NamedTuple):
    """The weights of one residual block: two convolutions, each normalised.

    Args:
        conv_1: :class:`~dlcourse.reference.conv.ConvWeights` of the first 3x3
            convolution, ``(3, 3, channels, channels)``.
        norm_1: :class:`BatchNormWeights` after it.
        conv_2: the second convolution.
        norm_2: the normalisation after it, before the sum.
    """

    conv_1: ConvWeights
    norm_1: BatchNormWeights
    conv_2: ConvWeights
    norm_2: BatchNormWeights


@checked(checks.batch_norm)
def batch_norm(
    z: ArrayLike, weights: BatchNormWeights, epsilon: float = EPSILON
) -> np.ndarray:
    """What ``BatchNormalization`` computes at inference, channel by channel.

    ``N(z) = gamma (z - moving_mean) / sqrt(moving_variance + epsilon) + beta``.

    Args:
        z: activations ``(batch, channels)`` or ``(batch, height, width, channels)``.
        weights: :class:`BatchNormWeights` of ``channels`` entries each.
        epsilon: added to the variance, as Keras's ``epsilon``.
    """
    gamma, beta, mean, variance = weights
    return gamma * (z - mean) / np.sqrt(variance + epsilon) + beta


@checked(checks.residual_block)
def residual_block(
    x: ArrayLike, weights: ResidualWeights, epsilon: float = EPSILON
) -> np.ndarray:
    """The forward pass of a residual block at inference.

    ``y = relu(x + N_2(conv_2(relu(N_1(conv_1(x))))))``, both convolutions 3x3, stride
    1, padding ``"same"``.

    Args:
        x: images ``(batch, height, width, channels)``.
        weights: :class:`ResidualWeights` whose kernels keep ``channels``.
        epsilon: the normalisations' ``epsilon``.
    """
    h = conv2d(x, weights.conv_1, strides=(1, 1), padding="same")
    h = np.maximum(batch_norm(h, weights.norm_1, epsilon), 0.0)
    h = conv2d(h, weights.conv_2, strides=(1, 1), padding="same")
    h = batch_norm(h, weights.norm_2, epsilon)
    return np.maximum(x + h, 0.0)
