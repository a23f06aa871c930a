"""Exercises of Chapter 3, "Convolutional networks".

* ``conv2d`` - implement a strided, unpadded cross-correlation of one image with one kernel (coding);
* ``output_size`` - the output-size formula with stride and zero padding (coding);
* ``conv_parameter_count`` - how many weights a ``Conv2D`` layer has (a number);
* ``horizontal_edge_kernel`` - a 3x3 kernel that finds horizontal edges, checked on test images (coding).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcourse._checks import check_int
from dlcourse.exercises.framework import (
    NOT_DONE_MESSAGE,
    Exercise,
    NotDone,
    Wrong,
    call_answer,
    expect_array,
    expect_number,
)
from dlcourse.reference.conv import correlate2d

# ---------------------------------------------------------------------------------------------- conv2d


def _strided_correlation(
    image: np.ndarray, kernel: np.ndarray, stride: int
) -> np.ndarray:
    return correlate2d(image, kernel)[::stride, ::stride]


def _same_size_correlation(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """What a learner gets who pads the image so that the output keeps the image's size."""
    kh, kw = kernel.shape
    padded = np.pad(image, (((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2)))
    return correlate2d(padded, kernel)


def _check_conv2d(answer: Any) -> str:
    rng = np.random.default_rng(3)
    image = rng.integers(-3, 4, size=(7, 6)).astype(float)
    kernel = np.array(
        [[1.0, 2.0], [0.0, -1.0], [3.0, 1.0]]
    )  # 3x2 and asymmetric: flips and transposes show
    for stride in (1, 2):
        got = call_answer(
            answer, image.copy(), kernel.copy(), stride, what="your conv2d"
        )
        expected = _strided_correlation(image, kernel, stride)
        diagnoses = {
            "You flipped the kernel: that is convolution in the mathematical sense. Keras's Conv2D (and this "
            "exercise) slides the kernel over the image as it is: cross-correlation.": _strided_correlation(
                image, kernel[::-1, ::-1], stride
            ),
            "Your output keeps the size of the image: use only positions where the whole kernel fits inside "
            "the image (padding 'valid'), no zeros around it.": _same_size_correlation(
                image, kernel
            )[::stride, ::stride],
        }
        if stride > 1:
            diagnoses[
                "With stride 2 your output is the stride-1 output: move the kernel `stride` pixels "
                "at a time, in both directions."
            ] = _strided_correlation(image, kernel, 1)
            diagnoses[
                "You stepped by `stride` down the rows only: step by it along the columns too."
            ] = correlate2d(image, kernel)[::stride, :]
            diagnoses[
                "You stepped by `stride` along the columns only: step by it down the rows too."
            ] = correlate2d(image, kernel)[:, ::stride]
        expect_array(
            got,
            expected,
            what=f"conv2d of a 7x6 image with a 3x2 kernel, stride {stride}",
            diagnoses=diagnoses,
        )
    return "Your conv2d agrees with the reference at strides 1 and 2."


conv2d = Exercise(
    "conv2d",
    _check_conv2d,
    hint="The output has (H - kh) // stride + 1 rows and (W - kw) // stride + 1 columns. Output (i, j) is "
    "the sum of image[i*stride : i*stride + kh, j*stride : j*stride + kw] * kernel, kernel not flipped.",
    solution="def conv2d(image, kernel, stride=1):\n"
    "    kh, kw = kernel.shape\n"
    "    rows = (image.shape[0] - kh) // stride + 1\n"
    "    columns = (image.shape[1] - kw) // stride + 1\n"
    "    out = np.zeros((rows, columns))\n"
    "    for i in range(rows):\n"
    "        for j in range(columns):\n"
    "            window = image[i * stride : i * stride + kh, j * stride : j * stride + kw]\n"
    "            out[i, j] = np.sum(window * kernel)\n"
    "    return out",
)

# ----------------------------------------------------------------------------------------- output_size

#: The cases ``output_size`` is checked on: (size, kernel, stride, padding on each side).
OUTPUT_SIZE_CASES = (
    (28, 5, 1, 0),
    (28, 5, 1, 2),
    (7, 3, 2, 0),
    (8, 3, 2, 1),
    (10, 4, 3, 0),
    (11, 4, 3, 1),
    (32, 3, 1, 1),
)


def _sizes(rule: Any) -> np.ndarray:
    return np.array([rule(n, k, s, p) for n, k, s, p in OUTPUT_SIZE_CASES], dtype=float)


def _check_output_size(answer: Any) -> str:
    got = [
        call_answer(answer, n, k, s, p, what="your output_size")
        for n, k, s, p in OUTPUT_SIZE_CASES
    ]
    for value in got:
        if isinstance(value, bool) or not isinstance(
            value, int | float | np.integer | np.floating
        ):
            raise Wrong(
                f"output_size should return a number, but it returned {type(value).__name__}."
            )
    expected = _sizes(lambda n, k, s, p: (n + 2 * p - k) // s + 1)
    as_floats = np.array(got, dtype=float)
    if np.allclose(
        as_floats, _sizes(lambda n, k, s, p: (n + 2 * p - k) / s + 1)
    ) and not np.allclose(as_floats, expected):
        raise Wrong(
            "Some of your sizes are fractions: a kernel cannot stop part-way, so round down "
            "(integer division //)."
        )
    expect_array(
        got,
        expected,
        what=f"your sizes for the cases (n, k, s, p) = {list(OUTPUT_SIZE_CASES)}",
        atol=1e-9,
        diagnoses={
            "Every size is one too small: the kernel also fits at the very first position, so add 1.": _sizes(
                lambda n, k, s, p: (n + 2 * p - k) // s
            ),
            "The padding is added on both sides of the image: it counts twice.": _sizes(
                lambda n, k, s, p: (n + p - k) // s + 1
            ),
            "You rounded up: a kernel that would stick out past the last pixel has no position, "
            "so round down.": _sizes(lambda n, k, s, p: -(-(n + 2 * p - k) // s) + 1),
            "The stride is missing: with stride s the kernel takes every s-th position.": _sizes(
                lambda n, k, s, p: n + 2 * p - k + 1
            ),
            "You divided the whole padded size by the stride: only the room left after the first position "
            "(n + 2p - k) is divided.": _sizes(
                lambda n, k, s, p: (n + 2 * p) // s - k + 1
            ),
        },
    )
    if not all(isinstance(value, int | np.integer) for value in got):
        raise Wrong(
            "The sizes are right, but return them as whole numbers (int), not floats."
        )
    return "Your formula gives the right size for every case, strided and padded."


output_size = Exercise(
    "output_size",
    _check_output_size,
    hint="Pad the image with p zeros on each side; count the positions where a kernel of size k starts "
    "and still fits, taking every s-th one. The first position counts too.",
    solution="def output_size(n, k, s, p):\n    return (n + 2 * p - k) // s + 1",
)

# ------------------------------------------------------------------------------------ parameter count

#: Filters of the layer asked about in ``conv_parameter_count``, ``Conv2D(16, (5, 5))``.
CONV_FILTERS = 16
#: Kernel size (height, width) of that layer.
CONV_KERNEL = (5, 5)
#: Shape (height, width, channels) of that layer's input, like LeNet-5's second convolution.
CONV_INPUT = (14, 14, 6)


def _check_conv_parameter_count(answer: Any) -> str:
    kh, kw = CONV_KERNEL
    height, width, channels = CONV_INPUT
    weights = kh * kw * channels * CONV_FILTERS
    positions = (height - kh + 1) * (width - kw + 1)
    expect_number(
        answer,
        weights + CONV_FILTERS,
        what="Your count",
        integer=True,
        diagnoses={
            "That counts the kernel only: each filter also has one bias.": weights,
            "Each filter looks at all input channels: its kernel has a 5x5 slice per input channel.": kh
            * kw
            * CONV_FILTERS
            + CONV_FILTERS,
            "That has one bias per input channel: a bias belongs to each filter (output channel).": weights
            + channels,
            "That gives every output position its own weights, as an unshared (locally connected) layer "
            "would: a convolution shares one kernel across all positions.": positions
            * (weights + CONV_FILTERS),
            "That is a dense layer from every input number to every output number: a convolution "
            "connects each output only to a 5x5 window, with weights shared across positions.": height
            * width
            * channels
            * positions
            * CONV_FILTERS
            + positions * CONV_FILTERS,
        },
    )
    return (
        "Keras's count_params() agrees; note that it does not depend on the image size."
    )


conv_parameter_count = Exercise(
    "conv_parameter_count",
    _check_conv_parameter_count,
    hint="A Conv2D kernel has shape (kernel height, kernel width, input channels, filters), plus one bias "
    "per filter. The image's height and width do not appear.",
    solution="5 * 5 * 6 * 16 + 16 = 2416",
)

# ------------------------------------------------------------------------------ horizontal-edge kernel

#: Side of the square test images the edge kernel is checked on.
EDGE_IMAGE_SIZE = 12


def edge_test_images(size: int = EDGE_IMAGE_SIZE) -> dict[str, np.ndarray]:
    """The images the horizontal-edge kernel is checked on: a flat grey square, a horizontal edge (dark
    above, bright below) and a vertical edge (dark left, bright right). Introduced in Chapter 3."""
    size = check_int("size", size, minimum=4)
    flat = np.full((size, size), 0.5)
    horizontal = np.zeros((size, size))
    horizontal[size // 2 :, :] = 1.0
    return {
        "flat": flat,
        "horizontal edge": horizontal,
        "vertical edge": horizontal.T.copy(),
    }


def _check_horizontal_edge_kernel(answer: Any) -> str:
    if answer is Ellipsis or answer is None:
        raise NotDone(NOT_DONE_MESSAGE)
    try:
        kernel = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Wrong(
            f"The kernel should be a 3x3 array of numbers, but it is {type(answer).__name__}."
        ) from None
    if kernel.shape != (3, 3):
        raise Wrong(
            f"The kernel should have shape (3, 3), but it has shape {kernel.shape}."
        )
    if not np.all(np.isfinite(kernel)):
        raise Wrong("The kernel contains NaN or infinity.")
    if np.allclose(kernel, 0.0):
        raise Wrong("An all-zero kernel gives zero everywhere: it finds nothing.")
    images = edge_test_images()
    response = {
        name: np.abs(correlate2d(image, kernel)).max() for name, image in images.items()
    }
    scale = np.abs(kernel).sum()
    if response["flat"] > 1e-6 * scale:
        raise Wrong(
            "Your kernel responds to a flat grey area, where there is no edge: make its entries "
            "sum to 0."
        )
    if (
        response["horizontal edge"] <= 1e-6 * scale
        and response["vertical edge"] > 1e-6 * scale
    ):
        raise Wrong(
            "Your kernel finds vertical edges (a change from left to right). A horizontal edge is "
            "a line across the image: the brightness changes from top to bottom."
        )
    if response["horizontal edge"] <= 1e-6 * scale:
        raise Wrong(
            "Your kernel gives zero on the horizontal edge too: it should compare the rows above "
            "with the rows below."
        )
    if response["vertical edge"] > 0.1 * response["horizontal edge"]:
        raise Wrong(
            "Your kernel responds to a vertical edge as well (it is diagonal or uneven across "
            "columns): make each column of the kernel sum to 0, so that a change from left to right "
            "cancels out."
        )
    ratio = response["horizontal edge"] / scale
    return f"It responds to the horizontal edge ({ratio:.2f} per unit of kernel weight) and to nothing else."


horizontal_edge_kernel = Exercise(
    "horizontal_edge_kernel",
    _check_horizontal_edge_kernel,
    hint="Subtract the pixels above the centre from the pixels below it. A flat area must give 0, and so "
    "must a change from left to right.",
    solution="np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]])  "
    "(the Sobel kernel; [[-1] * 3, [0] * 3, [1] * 3] works too)",
)
