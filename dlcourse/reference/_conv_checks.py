"""Argument checks for :mod:`dlcourse.reference.conv` (Chapter 3).

One validator per core, joined to it with ``@checked(...)``. Each receives the core's
arguments by name, raises ``TypeError`` or ``ValueError`` naming the parameter, what
was expected and what was given, and returns the arguments converted: arrays as NumPy
arrays, an int stride or window as a pair, weights as ``ConvWeights``. Sizes are
bounded, so that a mistyped argument fails at once instead of allocating until the
machine gives up.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from dlcourse._checks import check_array, check_choice, check_int, describe
from dlcourse.reference.activations import ACTIVATIONS

#: The paddings Keras's convolution and pooling layers accept.
PADDINGS = ("valid", "same")
#: The largest image side, kernel size or stride a function accepts.
MAX_SIDE = 10_000
#: The most numbers a function may allocate for its result or working arrays.
MAX_ELEMENTS = 50_000_000
#: The most layers ``receptive_field`` accepts.
MAX_LAYERS = 1_000


def _pair(name: str, value: Any) -> tuple[int, int]:
    """Accept ``3`` or ``(3, 2)`` the way Keras does; return a pair of positive ints."""
    if isinstance(value, str) or not isinstance(value, numbers.Integral | Sequence):
        raise TypeError(
            f"`{name}` must be an int or a pair of ints, got {describe(value)}"
        )
    if isinstance(value, Sequence):
        if len(value) != 2:
            raise ValueError(
                f"`{name}` must be an int or a pair of ints, got {describe(value)}"
            )
        return (
            check_int(f"{name}[0]", value[0], minimum=1, maximum=MAX_SIDE),
            check_int(f"{name}[1]", value[1], minimum=1, maximum=MAX_SIDE),
        )
    value = check_int(name, value, minimum=1, maximum=MAX_SIDE)
    return value, value


def _side(name: str, value: Any) -> int:
    return check_int(name, value, minimum=1, maximum=MAX_SIDE)


def _images(name: str, value: Any, ndim: int = 4) -> np.ndarray:
    array = check_array(name, value, ndim=ndim)
    if array.size > MAX_ELEMENTS:
        raise ValueError(
            f"`{name}` must have at most {MAX_ELEMENTS:,} numbers, got shape "
            f"{array.shape}"
        )
    return array


def _bounded(what: str, shape: Sequence[int]) -> None:
    """Fail before allocating an array of ``shape`` that would be too large."""
    count = math.prod(int(n) for n in shape)
    if count > MAX_ELEMENTS:
        raise ValueError(
            f"{what} would have shape {tuple(shape)}, {count:,} numbers: more than the "
            f"limit of {MAX_ELEMENTS:,}"
        )


def _fits(
    name: str, window: tuple[int, int], images: tuple[int, int], padding: str
) -> None:
    if padding == "valid" and (window[0] > images[0] or window[1] > images[1]):
        raise ValueError(
            f"`{name}` of size {window} does not fit inside images of size {images} "
            "with padding 'valid'"
        )


def _positions(
    images: tuple[int, int],
    window: tuple[int, int],
    strides: tuple[int, int],
    padding: str,
) -> tuple[int, int]:
    if padding == "same":
        return tuple(-(-n // s) for n, s in zip(images, strides, strict=True))
    return tuple(
        (n - k) // s + 1 for n, k, s in zip(images, window, strides, strict=True)
    )


def _weights(value: Any, kernel_ndim: int) -> Any:
    from dlcourse.reference.conv import ConvWeights

    if isinstance(value, np.ndarray) or not isinstance(value, tuple | list):
        raise TypeError(
            "`weights` must be ConvWeights(kernel, bias) (or a pair (kernel, bias), or "
            "[kernel] without bias, like layer.get_weights()), "
            f"got {describe(value)}"
        )
    if not 1 <= len(value) <= 2:
        raise ValueError(
            f"`weights` must hold a kernel and at most a bias, got {len(value)} arrays"
        )
    kernel = check_array("kernel", value[0], ndim=kernel_ndim)
    if kernel.size > MAX_ELEMENTS:
        raise ValueError(
            f"`kernel` must have at most {MAX_ELEMENTS:,} numbers, got shape "
            f"{kernel.shape}"
        )
    bias = value[1] if len(value) == 2 else None
    if bias is not None:
        bias = check_array("bias", bias, shape=(kernel.shape[-1],))
    return ConvWeights(kernel, bias)


def output_size(
    size: Any, kernel_size: Any, stride: Any, padding: Any
) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.conv.output_size`."""
    size = _side("size", size)
    kernel_size = _side("kernel_size", kernel_size)
    stride = _side("stride", stride)
    check_choice("padding", padding, PADDINGS)
    if padding == "valid" and kernel_size > size:
        raise ValueError(
            f"`kernel_size` ({kernel_size}) must not be larger than `size` ({size}) "
            "with padding 'valid'"
        )
    return {
        "size": size,
        "kernel_size": kernel_size,
        "stride": stride,
        "padding": padding,
    }


def same_padding(size: Any, kernel_size: Any, stride: Any) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.conv.same_padding`."""
    return {
        "size": _side("size", size),
        "kernel_size": _side("kernel_size", kernel_size),
        "stride": _side("stride", stride),
    }


def correlate2d(image: Any, kernel: Any) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.conv.correlate2d`."""
    image = _images("image", image, ndim=2)
    kernel = check_array("kernel", kernel, ndim=2)
    if kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]:
        raise ValueError(
            f"`kernel` of shape {kernel.shape} does not fit inside `image` of shape "
            f"{image.shape}"
        )
    return {"image": image, "kernel": kernel}


convolve2d = correlate2d


def pad(
    x: Any, kernel_size: Any, strides: Any, padding: Any, fill: Any
) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.conv.pad`."""
    x = _images("x", x)
    kernel_size = _pair("kernel_size", kernel_size)
    strides = _pair("strides", strides)
    check_choice("padding", padding, PADDINGS)
    if isinstance(fill, bool) or not isinstance(fill, numbers.Real):
        raise TypeError(f"`fill` must be a real number, got {describe(fill)}")
    if math.isnan(fill):
        raise ValueError("`fill` must be a number (infinity is allowed), got NaN")
    if padding == "same":
        height = x.shape[1] + kernel_size[0] - 1
        width = x.shape[2] + kernel_size[1] - 1
        _bounded("The padded images", (x.shape[0], height, width, x.shape[3]))
    return {
        "x": x,
        "kernel_size": kernel_size,
        "strides": strides,
        "padding": padding,
        "fill": float(fill),
    }


def conv2d(
    x: Any, weights: Any, strides: Any, padding: Any, activation: Any
) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.conv.conv2d` (and of
    :func:`~dlcourse.reference.conv.conv2d_im2col`)."""
    x = _images("x", x)
    weights = _weights(weights, kernel_ndim=4)
    kernel = weights.kernel
    if kernel.shape[2] != x.shape[3]:
        raise ValueError(
            f"`kernel` must have {x.shape[3]} input channels (its third axis), one per "
            f"channel of `x`; got shape {kernel.shape}"
        )
    strides = _pair("strides", strides)
    check_choice("padding", padding, PADDINGS)
    check_choice("activation", activation, ACTIVATIONS)
    window, images = kernel.shape[:2], x.shape[1:3]
    _fits("kernel", window, images, padding)
    rows, columns = _positions(images, window, strides, padding)
    _bounded("The output", (x.shape[0], rows, columns, kernel.shape[3]))
    _bounded("The im2col matrix", (x.shape[0], rows, columns, kernel[..., 0].size))
    return {
        "x": x,
        "weights": weights,
        "strides": strides,
        "padding": padding,
        "activation": activation,
    }


def im2col(x: Any, kernel_size: Any, strides: Any, padding: Any) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.conv.im2col`."""
    x = _images("x", x)
    kernel_size = _pair("kernel_size", kernel_size)
    strides = _pair("strides", strides)
    check_choice("padding", padding, PADDINGS)
    _fits("kernel_size", kernel_size, x.shape[1:3], padding)
    rows, columns = _positions(x.shape[1:3], kernel_size, strides, padding)
    width = kernel_size[0] * kernel_size[1] * x.shape[3]
    _bounded("The im2col matrix", (x.shape[0], rows, columns, width))
    return {
        "x": x,
        "kernel_size": kernel_size,
        "strides": strides,
        "padding": padding,
    }


def conv1d(
    x: Any, weights: Any, strides: Any, padding: Any, activation: Any
) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.conv.conv1d`."""
    x = _images("x", x, ndim=3)
    weights = _weights(weights, kernel_ndim=3)
    if weights.kernel.shape[1] != x.shape[2]:
        raise ValueError(
            f"`kernel` must have {x.shape[2]} input channels (its second axis), one "
            f"per channel of `x`; got shape {weights.kernel.shape}"
        )
    strides = _side("strides", strides)
    check_choice("padding", padding, PADDINGS)
    check_choice("activation", activation, ACTIVATIONS)
    _fits("kernel", (1, weights.kernel.shape[0]), (1, x.shape[1]), padding)
    (steps,) = _positions(
        (x.shape[1],), (weights.kernel.shape[0],), (strides,), padding
    )
    _bounded("The output", (x.shape[0], steps, weights.kernel.shape[2]))
    return {
        "x": x,
        "weights": weights,
        "strides": strides,
        "padding": padding,
        "activation": activation,
    }


def pool2d(x: Any, pool_size: Any, strides: Any, padding: Any) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.conv.max_pool2d` and
    :func:`~dlcourse.reference.conv.average_pool2d`."""
    x = _images("x", x)
    pool_size = _pair("pool_size", pool_size)
    strides = pool_size if strides is None else _pair("strides", strides)
    check_choice("padding", padding, PADDINGS)
    _fits("pool_size", pool_size, x.shape[1:3], padding)
    return {"x": x, "pool_size": pool_size, "strides": strides, "padding": padding}


def conv_matrix(
    kernel: Any, image_shape: Any, strides: Any, padding: Any
) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.conv.conv_matrix`."""
    kernel = check_array("kernel", kernel, ndim=2)
    if (
        isinstance(image_shape, str)
        or not isinstance(image_shape, Sequence)
        or len(image_shape) != 2
    ):
        raise TypeError(
            "`image_shape` must be a pair (height, width) like (6, 6), "
            f"got {describe(image_shape)}"
        )
    height = _side("image_shape[0]", image_shape[0])
    width = _side("image_shape[1]", image_shape[1])
    strides = _pair("strides", strides)
    check_choice("padding", padding, PADDINGS)
    if padding == "valid" and (kernel.shape[0] > height or kernel.shape[1] > width):
        raise ValueError(
            f"`kernel` of shape {kernel.shape} does not fit inside images of shape "
            f"{(height, width)} with padding 'valid'"
        )
    rows, columns = _positions((height, width), kernel.shape, strides, padding)
    _bounded("The convolution matrix", (rows * columns, height * width))
    return {
        "kernel": kernel,
        "image_shape": (height, width),
        "strides": strides,
        "padding": padding,
    }


def receptive_field(layers: Any) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.conv.receptive_field`."""
    if isinstance(layers, str) or not isinstance(layers, Sequence):
        raise TypeError(
            "`layers` must be a list of (kernel_size, stride) pairs, "
            f"got {describe(layers)}"
        )
    if not 1 <= len(layers) <= MAX_LAYERS:
        raise ValueError(
            f"`layers` must list between 1 and {MAX_LAYERS} layers, got {len(layers)}"
        )
    pairs = []
    for index, layer in enumerate(layers):
        if isinstance(layer, str) or not isinstance(layer, Sequence) or len(layer) != 2:
            raise TypeError(
                f"`layers[{index}]` must be a pair (kernel_size, stride), "
                f"got {describe(layer)}"
            )
        pairs.append(
            (
                _side(f"layers[{index}] kernel_size", layer[0]),
                _side(f"layers[{index}] stride", layer[1]),
            )
        )
    return {"layers": pairs}
