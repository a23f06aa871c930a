"""Convolution and pooling in NumPy, as Keras computes them (Chapter 3, "Convolutional networks").

Keras's ``Conv2D`` computes a *cross-correlation*: the kernel slides over the image without being flipped.
It stores the kernel as ``(height, width, in_channels, filters)`` and works on ``(batch, height, width,
channels)`` arrays. Padding ``"valid"`` uses only positions where the kernel fits inside the image;
``"same"`` pads with zeros so that the output has ``ceil(size / stride)`` positions, putting the extra row or
column (if the total padding is odd) at the bottom and right, as TensorFlow does.

:func:`convolution_matrix` builds the sparse matrix with shared entries whose product with a flattened
image is the same convolution: the course's check of the claim that a CNN "uses convolution in place of
general matrix multiplication".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from dlcourse._checks import check_array, check_choice, check_int, describe
from dlcourse.reference.dense import ACTIVATIONS, activate

PADDINGS = ("valid", "same")


def _pair(name: str, value: Any) -> tuple[int, int]:
    """Accept ``3`` or ``(3, 2)`` the way Keras does and return a pair of positive ints."""
    if isinstance(value, tuple | list):
        if len(value) != 2:
            raise ValueError(
                f"`{name}` must be an int or a pair of ints, got {describe(value)}"
            )
        return (
            check_int(f"{name}[0]", value[0], minimum=1),
            check_int(f"{name}[1]", value[1], minimum=1),
        )
    value = check_int(name, value, minimum=1)
    return value, value


def output_length(
    size: int, kernel: int, stride: int = 1, padding: str = "valid"
) -> int:
    """The number of output positions along one axis: ``floor((size - kernel) / stride) + 1`` for
    ``"valid"``, ``ceil(size / stride)`` for ``"same"``. Introduced in Chapter 3."""
    size = check_int("size", size, minimum=1)
    kernel = check_int("kernel", kernel, minimum=1)
    stride = check_int("stride", stride, minimum=1)
    check_choice("padding", padding, PADDINGS)
    if padding == "same":
        return -(-size // stride)
    if kernel > size:
        raise ValueError(
            f"`kernel` ({kernel}) must not be larger than `size` ({size}) with padding 'valid'"
        )
    return (size - kernel) // stride + 1


def same_padding(size: int, kernel: int, stride: int = 1) -> tuple[int, int]:
    """The zeros ``(before, after)`` that padding ``"same"`` adds along one axis, the odd one after.

    Introduced in Chapter 3.
    """
    size = check_int("size", size, minimum=1)
    kernel = check_int("kernel", kernel, minimum=1)
    stride = check_int("stride", stride, minimum=1)
    total = max(
        (output_length(size, kernel, stride, "same") - 1) * stride + kernel - size, 0
    )
    return total // 2, total - total // 2


def correlate2d(image: Any, kernel: Any) -> np.ndarray:
    """The textbook cross-correlation of one 2-D image with one 2-D kernel, no padding, stride 1:
    ``out[i, j] = sum_{a, b} image[i + a, j + b] * kernel[a, b]``. This is what Keras calls convolution.

    Introduced in Chapter 3.
    """
    image = check_array("image", image, ndim=2)
    kernel = check_array("kernel", kernel, ndim=2)
    if kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]:
        raise ValueError(
            f"`kernel` of shape {kernel.shape} does not fit inside `image` of shape "
            f"{image.shape}"
        )
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijab,ab->ij", windows, kernel)


def convolve2d(image: Any, kernel: Any) -> np.ndarray:
    """The convolution of mathematics: cross-correlation with the kernel flipped in both axes.

    Introduced in Chapter 3.
    """
    kernel = check_array("kernel", kernel, ndim=2)
    return correlate2d(image, kernel[::-1, ::-1])


def _pad(
    x: np.ndarray,
    kernel: tuple[int, int],
    strides: tuple[int, int],
    padding: str,
    fill: float = 0.0,
) -> np.ndarray:
    if padding == "valid":
        return x
    rows = same_padding(x.shape[1], kernel[0], strides[0])
    columns = same_padding(x.shape[2], kernel[1], strides[1])
    return np.pad(x, ((0, 0), rows, columns, (0, 0)), constant_values=fill)


def _windows(
    x: np.ndarray, kernel: tuple[int, int], strides: tuple[int, int]
) -> np.ndarray:
    """Every kernel-sized window of a padded batch: shape (batch, out_rows, out_cols, channels, kh, kw)."""
    windows = np.lib.stride_tricks.sliding_window_view(x, kernel, axis=(1, 2))
    return windows[:, :: strides[0], :: strides[1]]


def conv2d(
    x: Any,
    kernel: Any,
    bias: Any | None = None,
    *,
    strides: int | Sequence[int] = 1,
    padding: str = "valid",
    activation: str = "linear",
) -> np.ndarray:
    """What ``keras.layers.Conv2D`` computes, in NumPy.

    ``x`` has shape ``(batch, height, width, in_channels)``, ``kernel`` ``(kh, kw, in_channels, filters)``
    and ``bias`` ``(filters,)`` (or ``None`` for no bias). Output position ``(i, j)`` of filter ``f`` is
    ``sum_{a, b, c} x[s_r i + a, s_c j + b, c] * kernel[a, b, c, f] + bias[f]`` on the padded input, then
    the activation. Introduced in Chapter 3.
    """
    x = check_array("x", x, ndim=4)
    kernel = check_array("kernel", kernel, ndim=4)
    if kernel.shape[2] != x.shape[3]:
        raise ValueError(
            f"`kernel` must have {x.shape[3]} input channels (its third axis), one per channel "
            f"of `x`; got shape {kernel.shape}"
        )
    if bias is not None:
        bias = check_array("bias", bias, shape=(kernel.shape[3],))
    strides = _pair("strides", strides)
    check_choice("padding", padding, PADDINGS)
    check_choice("activation", activation, ACTIVATIONS)
    size = kernel.shape[:2]
    if padding == "valid" and (size[0] > x.shape[1] or size[1] > x.shape[2]):
        raise ValueError(
            f"`kernel` of size {size} does not fit inside images of size {x.shape[1:3]} "
            "with padding 'valid'"
        )
    windows = _windows(_pad(x, size, strides, padding), size, strides)
    out = np.einsum("bijcuv,uvcf->bijf", windows, kernel)
    if bias is not None:
        out = out + bias
    return activate(out, activation)


def conv1d(
    x: Any,
    kernel: Any,
    bias: Any | None = None,
    *,
    strides: int = 1,
    padding: str = "valid",
    activation: str = "linear",
) -> np.ndarray:
    """What ``keras.layers.Conv1D`` computes: :func:`conv2d` on sequences seen as images one row high.

    ``x`` has shape ``(batch, steps, channels)``, ``kernel`` ``(width, channels, filters)``. Introduced in
    Chapter 3.
    """
    x = check_array("x", x, ndim=3)
    kernel = check_array("kernel", kernel, ndim=3)
    strides = check_int("strides", strides, minimum=1)
    out = conv2d(
        x[:, None],
        kernel[None],
        bias,
        strides=(1, strides),
        padding=padding,
        activation=activation,
    )
    return out[:, 0]


def _pool(x: Any, pool_size: Any, strides: Any, padding: str, kind: str) -> np.ndarray:
    x = check_array("x", x, ndim=4)
    size = _pair("pool_size", pool_size)
    steps = size if strides is None else _pair("strides", strides)
    check_choice("padding", padding, PADDINGS)
    if padding == "valid" and (size[0] > x.shape[1] or size[1] > x.shape[2]):
        raise ValueError(
            f"`pool_size` {size} does not fit inside images of size {x.shape[1:3]} "
            "with padding 'valid'"
        )
    if kind == "max":
        windows = _windows(_pad(x, size, steps, padding, fill=-np.inf), size, steps)
        return windows.max(axis=(-2, -1))
    # Average pooling with padding "same" divides by the number of real pixels in each window, as Keras does.
    totals = _windows(_pad(x, size, steps, padding), size, steps).sum(axis=(-2, -1))
    ones = np.ones_like(x[:1, ..., :1])
    counts = _windows(_pad(ones, size, steps, padding), size, steps).sum(axis=(-2, -1))
    return totals / counts


def max_pool2d(
    x: Any,
    pool_size: int | Sequence[int] = 2,
    strides: int | Sequence[int] | None = None,
    padding: str = "valid",
) -> np.ndarray:
    """What ``keras.layers.MaxPooling2D`` computes: the largest value in each window, channel by channel.

    ``strides`` defaults to ``pool_size`` (windows side by side). Introduced in Chapter 3.
    """
    return _pool(x, pool_size, strides, padding, "max")


def avg_pool2d(
    x: Any,
    pool_size: int | Sequence[int] = 2,
    strides: int | Sequence[int] | None = None,
    padding: str = "valid",
) -> np.ndarray:
    """What ``keras.layers.AveragePooling2D`` computes: the mean of each window, channel by channel.

    Introduced in Chapter 3.
    """
    return _pool(x, pool_size, strides, padding, "average")


def convolution_matrix(
    kernel: Any,
    image_shape: tuple[int, int],
    *,
    strides: int | Sequence[int] = 1,
    padding: str = "valid",
) -> np.ndarray:
    """The matrix ``M`` with ``M @ image.ravel() == conv2d(image, kernel).ravel()`` for one channel.

    ``kernel`` is 2-D ``(kh, kw)``; ``M`` has one row per output position and one column per pixel. Each
    row holds the same ``kh * kw`` kernel entries, shifted; every other entry is zero: a sparse matrix with
    shared weights. Introduced in Chapter 3.
    """
    kernel = check_array("kernel", kernel, ndim=2)
    if (
        not isinstance(image_shape, tuple | list)
        or len(image_shape) != 2
        or not all(
            isinstance(n, int | np.integer) and not isinstance(n, bool) and n > 0
            for n in image_shape
        )
    ):
        raise TypeError(
            f"`image_shape` must be a pair of positive ints like (6, 6), "
            f"got {describe(image_shape)}"
        )
    height, width = int(image_shape[0]), int(image_shape[1])
    strides = _pair("strides", strides)
    check_choice("padding", padding, PADDINGS)
    kh, kw = kernel.shape
    if padding == "valid":
        if kh > height or kw > width:
            raise ValueError(
                f"`kernel` of shape {kernel.shape} does not fit inside images of shape "
                f"{(height, width)}"
            )
        top = left = 0
    else:
        top = same_padding(height, kh, strides[0])[0]
        left = same_padding(width, kw, strides[1])[0]
    rows = output_length(height, kh, strides[0], padding)
    columns = output_length(width, kw, strides[1], padding)
    matrix = np.zeros((rows * columns, height * width))
    for i in range(rows):
        for j in range(columns):
            for a in range(kh):
                for b in range(kw):
                    # Zero padding contributes nothing, so pixels outside the image simply have no column.
                    row, column = i * strides[0] + a - top, j * strides[1] + b - left
                    if 0 <= row < height and 0 <= column < width:
                        matrix[i * columns + j, row * width + column] = kernel[a, b]
    return matrix


def receptive_field(layers: Sequence[tuple[int, int]]) -> int:
    """The side of the input patch that one output unit of a stack of layers sees.

    ``layers`` lists ``(kernel, stride)`` for each convolution or pooling layer, input first. Each layer
    widens the field by ``(kernel - 1)`` times the product of the strides below it. Introduced in Chapter 3.
    """
    if isinstance(layers, str) or not isinstance(layers, Sequence) or not layers:
        raise TypeError(
            f"`layers` must be a non-empty list of (kernel, stride) pairs, "
            f"got {describe(layers)}"
        )
    field, jump = 1, 1
    for index, layer in enumerate(layers):
        if not isinstance(layer, tuple | list) or len(layer) != 2:
            raise TypeError(
                f"`layers[{index}]` must be a pair (kernel, stride), got {describe(layer)}"
            )
        kernel = check_int(f"layers[{index}] kernel", layer[0], minimum=1)
        stride = check_int(f"layers[{index}] stride", layer[1], minimum=1)
        field += (kernel - 1) * jump
        jump *= stride
    return field
