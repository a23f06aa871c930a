"""Convolution and pooling in NumPy, as Keras computes them (Chapter 3).

Keras's ``Conv2D`` computes a *cross-correlation*: the kernel slides over the image
without being flipped. Arrays are laid out as in Keras: images ``(batch, height, width,
channels)`` (NHWC), a kernel ``(kh, kw, in_channels, filters)`` and a bias
``(filters,)``, carried together in :class:`ConvWeights`, so that
``ConvWeights(*layer.get_weights())`` takes the weights of a Keras layer. Padding
``"valid"`` uses only the positions where the kernel fits inside the image; ``"same"``
pads with zeros so that the output has ``ceil(size / stride)`` positions, the odd zero
(if the total padding is odd) at the bottom and right, as TensorFlow does.

Each function here is a *core*: its lines are the chapter's equations, and its argument
checks live in :mod:`dlcourse.reference._conv_checks`. :func:`conv2d` is the direct
loop over output positions; :func:`conv2d_im2col` computes the same thing the way
libraries do, every window copied into a row of one matrix (:func:`im2col`) and one
matrix product. :func:`conv_matrix` builds the sparse matrix with shared entries whose
product with a flattened image is the same convolution.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from dlcourse._checks import checked
from dlcourse.reference import _conv_checks as checks
from dlcourse.reference.activations import activate

#: The paddings Keras's convolution and pooling layers accept.
PADDINGS = ("valid", "same")


class ConvWeights(NamedTuple):
    """The weights of a ``Conv2D`` or ``Conv1D`` layer, in ``get_weights()`` order.

    Args:
        kernel: ``(kh, kw, in_channels, filters)`` for ``Conv2D``, ``(width,
            in_channels, filters)`` for ``Conv1D``.
        bias: ``(filters,)``, or ``None`` for a layer built with ``use_bias=False``.
    """

    kernel: np.ndarray
    bias: np.ndarray | None = None


class Padding(NamedTuple):
    """The zeros that padding ``"same"`` adds along one axis.

    Args:
        before: zeros before the first pixel (top or left).
        after: zeros after the last pixel (bottom or right), the odd one if any.
    """

    before: int
    after: int


@checked(checks.output_size)
def output_size(
    size: int, kernel_size: int, stride: int = 1, padding: str = "valid"
) -> int:
    """The number of kernel positions along one axis of ``size`` pixels.

    ``o = floor((n - k) / s) + 1`` for ``"valid"``; ``ceil(n / s)`` for ``"same"``.

    Args:
        size: the number of pixels ``n`` along the axis.
        kernel_size: the kernel's extent ``k`` along the axis.
        stride: the step ``s`` between positions.
        padding: ``"valid"`` or ``"same"``.
    """
    if padding == "same":
        return -(-size // stride)
    return (size - kernel_size) // stride + 1


@checked(checks.same_padding)
def same_padding(size: int, kernel_size: int, stride: int = 1) -> Padding:
    """The zeros ``(before, after)`` that padding ``"same"`` adds along one axis.

    Args:
        size: the number of pixels along the axis.
        kernel_size: the kernel's extent along the axis.
        stride: the step between positions.
    """
    positions = output_size(size, kernel_size, stride, "same")
    total = max((positions - 1) * stride + kernel_size - size, 0)
    return Padding(total // 2, total - total // 2)


@checked(checks.correlate2d)
def correlate2d(image: ArrayLike, kernel: ArrayLike) -> np.ndarray:
    """Cross-correlation of one 2-D image with one 2-D kernel, stride 1, no padding.

    ``y[i, j] = sum_{u, v} K[u, v] x[i + u, j + v]``: what Keras calls convolution.

    Args:
        image: a 2-D array ``x``.
        kernel: a 2-D array ``K`` no larger than the image.
    """
    kh, kw = kernel.shape
    rows, columns = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    y = np.zeros((rows, columns))
    for u in range(kh):
        for v in range(kw):
            y += kernel[u, v] * image[u : u + rows, v : v + columns]
    return y


@checked(checks.convolve2d)
def convolve2d(image: ArrayLike, kernel: ArrayLike) -> np.ndarray:
    """The convolution of mathematics: cross-correlation with the kernel flipped.

    Args:
        image: a 2-D array.
        kernel: a 2-D array no larger than the image.
    """
    return correlate2d(image, kernel[::-1, ::-1])


@checked(checks.pad)
def pad(
    x: ArrayLike,
    kernel_size: tuple[int, int],
    strides: tuple[int, int] = (1, 1),
    padding: str = "valid",
    *,
    fill: float = 0.0,
) -> np.ndarray:
    """A batch of images with the border that ``padding`` asks for.

    Args:
        x: images ``(batch, height, width, channels)``.
        kernel_size: ``(kh, kw)`` of the kernel or pooling window.
        strides: the steps along rows and columns.
        padding: ``"valid"`` (no border) or ``"same"``.
        fill: the value of the border (``-inf`` for max pooling).
    """
    if padding == "valid":
        return x
    rows = same_padding(x.shape[1], kernel_size[0], strides[0])
    columns = same_padding(x.shape[2], kernel_size[1], strides[1])
    return np.pad(x, ((0, 0), rows, columns, (0, 0)), constant_values=fill)


@checked(checks.conv2d)
def conv2d(
    x: ArrayLike,
    weights: ConvWeights,
    *,
    strides: int | Sequence[int] = 1,
    padding: str = "valid",
    activation: str = "linear",
) -> np.ndarray:
    """What ``keras.layers.Conv2D`` computes, one output position at a time.

    On the padded input, ``y[:, i, j, f] = act(bias[f] + sum_{u, v, c} K[u, v, c, f]
    x[:, s_r i + u, s_c j + v, c])``.

    Args:
        x: images ``(batch, height, width, in_channels)``.
        weights: :class:`ConvWeights` with a kernel ``(kh, kw, in_channels, filters)``.
        strides: the step ``(s_r, s_c)`` along rows and columns (an int for both).
        padding: ``"valid"`` or ``"same"``.
        activation: the name of an activation in :mod:`dlcourse.reference.activations`.
    """
    K, bias = weights
    kh, kw, _, filters = K.shape
    s_r, s_c = strides
    x = pad(x, (kh, kw), strides, padding)
    rows = (x.shape[1] - kh) // s_r + 1
    columns = (x.shape[2] - kw) // s_c + 1
    y = np.zeros((x.shape[0], rows, columns, filters))
    for i in range(rows):
        for j in range(columns):
            window = x[:, s_r * i : s_r * i + kh, s_c * j : s_c * j + kw, :]
            y[:, i, j, :] = np.tensordot(window, K, axes=3)
    if bias is not None:
        y = y + bias
    return activate(y, activation)


@checked(checks.im2col)
def im2col(
    x: ArrayLike,
    kernel_size: tuple[int, int],
    *,
    strides: int | Sequence[int] = 1,
    padding: str = "valid",
) -> np.ndarray:
    """Every kernel-sized window of a batch of images, flattened into one row.

    The result has shape ``(batch, rows, columns, kh * kw * channels)``; each row lists
    its window in the order of ``kernel.reshape(kh * kw * channels, filters)``.

    Args:
        x: images ``(batch, height, width, channels)``.
        kernel_size: ``(kh, kw)``.
        strides: the step ``(s_r, s_c)`` along rows and columns.
        padding: ``"valid"`` or ``"same"``.
    """
    kh, kw = kernel_size
    s_r, s_c = strides
    x = pad(x, kernel_size, strides, padding)
    windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(1, 2))
    windows = windows[:, ::s_r, ::s_c]  # (batch, rows, columns, channels, kh, kw)
    batch, rows, columns, channels = windows.shape[:4]
    rows_of_matrix = windows.transpose(0, 1, 2, 4, 5, 3)
    return rows_of_matrix.reshape(batch, rows, columns, kh * kw * channels)


@checked(checks.conv2d)
def conv2d_im2col(
    x: ArrayLike,
    weights: ConvWeights,
    *,
    strides: int | Sequence[int] = 1,
    padding: str = "valid",
    activation: str = "linear",
) -> np.ndarray:
    """The same as :func:`conv2d`, computed as libraries do: im2col, one matrix product.

    Args:
        x: images ``(batch, height, width, in_channels)``.
        weights: :class:`ConvWeights` with a kernel ``(kh, kw, in_channels, filters)``.
        strides: the step ``(s_r, s_c)`` along rows and columns.
        padding: ``"valid"`` or ``"same"``.
        activation: the name of an activation in :mod:`dlcourse.reference.activations`.
    """
    K, bias = weights
    kh, kw, channels, filters = K.shape
    columns = im2col(x, (kh, kw), strides=strides, padding=padding)
    y = columns @ K.reshape(kh * kw * channels, filters)
    if bias is not None:
        y = y + bias
    return activate(y, activation)


@checked(checks.conv1d)
def conv1d(
    x: ArrayLike,
    weights: ConvWeights,
    *,
    strides: int = 1,
    padding: str = "valid",
    activation: str = "linear",
) -> np.ndarray:
    """What ``keras.layers.Conv1D`` computes: :func:`conv2d` on rows one pixel high.

    Args:
        x: sequences ``(batch, steps, channels)``.
        weights: :class:`ConvWeights` with a kernel ``(width, in_channels, filters)``.
        strides: the step along time.
        padding: ``"valid"`` or ``"same"``.
        activation: the name of an activation in :mod:`dlcourse.reference.activations`.
    """
    one_row = ConvWeights(weights.kernel[None], weights.bias)
    y = conv2d(
        x[:, None],
        one_row,
        strides=(1, strides),
        padding=padding,
        activation=activation,
    )
    return y[:, 0]


@checked(checks.pool2d)
def max_pool2d(
    x: ArrayLike,
    pool_size: int | Sequence[int] = 2,
    strides: int | Sequence[int] | None = None,
    padding: str = "valid",
) -> np.ndarray:
    """What ``keras.layers.MaxPooling2D`` computes: the largest value in each window.

    Args:
        x: images ``(batch, height, width, channels)``; each channel is pooled alone.
        pool_size: the window ``(ph, pw)`` (an int for both).
        strides: the step between windows; ``None`` means ``pool_size`` (side by side).
        padding: ``"valid"`` or ``"same"`` (the border never wins the maximum).
    """
    x = pad(x, pool_size, strides, padding, fill=-np.inf)
    windows = np.lib.stride_tricks.sliding_window_view(x, pool_size, axis=(1, 2))
    return windows[:, :: strides[0], :: strides[1]].max(axis=(-2, -1))


@checked(checks.pool2d)
def average_pool2d(
    x: ArrayLike,
    pool_size: int | Sequence[int] = 2,
    strides: int | Sequence[int] | None = None,
    padding: str = "valid",
) -> np.ndarray:
    """What ``keras.layers.AveragePooling2D`` computes: the mean of each window.

    With padding ``"same"`` a window at the border is averaged over its real pixels
    only, as Keras does.

    Args:
        x: images ``(batch, height, width, channels)``; each channel is pooled alone.
        pool_size: the window ``(ph, pw)`` (an int for both).
        strides: the step between windows; ``None`` means ``pool_size``.
        padding: ``"valid"`` or ``"same"``.
    """

    def window_sums(images: np.ndarray) -> np.ndarray:
        images = pad(images, pool_size, strides, padding)
        windows = np.lib.stride_tricks.sliding_window_view(
            images, pool_size, axis=(1, 2)
        )
        return windows[:, :: strides[0], :: strides[1]].sum(axis=(-2, -1))

    real_pixels = window_sums(np.ones_like(x[:1, ..., :1]))
    return window_sums(x) / real_pixels


@checked(checks.conv_matrix)
def conv_matrix(
    kernel: ArrayLike,
    image_shape: tuple[int, int],
    *,
    strides: int | Sequence[int] = 1,
    padding: str = "valid",
) -> np.ndarray:
    """The matrix ``M`` with ``M @ image.ravel()`` equal to the flattened convolution.

    One row per output position, one column per pixel. Each row holds the same
    ``kh * kw`` kernel entries, shifted; every other entry is zero: a sparse matrix with
    shared weights.

    Args:
        kernel: a 2-D kernel ``(kh, kw)`` (one input channel, one filter).
        image_shape: ``(height, width)`` of the image.
        strides: the step ``(s_r, s_c)`` along rows and columns.
        padding: ``"valid"`` or ``"same"``.
    """
    height, width = image_shape
    kh, kw = kernel.shape
    s_r, s_c = strides
    top = same_padding(height, kh, s_r).before if padding == "same" else 0
    left = same_padding(width, kw, s_c).before if padding == "same" else 0
    rows = output_size(height, kh, s_r, padding)
    columns = output_size(width, kw, s_c, padding)
    M = np.zeros((rows * columns, height * width))
    for i in range(rows):
        for j in range(columns):
            for u in range(kh):
                for v in range(kw):
                    row, column = s_r * i + u - top, s_c * j + v - left
                    # A zero of the padding adds nothing, so it gets no column.
                    if 0 <= row < height and 0 <= column < width:
                        M[i * columns + j, row * width + column] = kernel[u, v]
    return M


@checked(checks.receptive_field)
def receptive_field(layers: Sequence[tuple[int, int]]) -> int:
    """The side of the input patch that one output unit of a stack of layers sees.

    ``r_l = r_{l-1} + (k_l - 1) * s_1 * ... * s_{l-1}``, starting from ``r_0 = 1``.

    Args:
        layers: ``(kernel_size, stride)`` of each convolution or pooling layer, input
            first.
    """
    field, jump = 1, 1
    for kernel_size, stride in layers:
        field += (kernel_size - 1) * jump
        jump *= stride
    return field
