"""Exercises of Chapter 3, "Convolutional networks", from easy to hard.

* ``output_size`` - the output-size formula with stride and zero padding (coding);
* ``conv_parameters`` - how many weights a ``Conv2D`` layer has (coding);
* ``edge_kernel`` - a 3x3 kernel that finds horizontal edges, checked on test images;
* ``conv2d`` - a strided, unpadded cross-correlation of one image with one kernel
  (coding);
* ``kernel_gradient`` - the gradient of a loss with respect to a convolution's kernel
  (coding, hard).

Each checker calls the learner's function on fixed cases and on cases drawn afresh at
every check, and compares with the reference answer (``<exercise>.answer``) or with
:mod:`dlcourse.reference.conv`. Each reference answer is defined right above its
exercise, under the learner's name, and shown by ``<exercise>.solution()``; the
exercise then takes the name.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcourse.exercises.framework import (
    Exercise,
    Wrong,
    call_answer,
    expect_array,
    expect_number,
    fresh_rng,
)
from dlcourse.reference.conv import correlate2d

#: How many random cases each checker draws at every check.
RANDOM_CASES = 12

# ----------------------------------------------------------------------- output_size

#: Fixed cases ``output_size`` is checked on: (size, kernel, stride, padding per side).
OUTPUT_SIZE_CASES = (
    (28, 5, 1, 0),
    (28, 5, 1, 2),
    (7, 3, 2, 0),
    (8, 3, 2, 1),
    (10, 4, 3, 0),
    (11, 4, 3, 1),
    (32, 3, 1, 1),
)


def output_size(n: int, k: int, s: int, p: int) -> int:
    return (n + 2 * p - k) // s + 1


def _random_size_cases(rng: np.random.Generator) -> list[tuple[int, int, int, int]]:
    cases = []
    while len(cases) < RANDOM_CASES:
        n, k, s, p = (int(v) for v in rng.integers((1, 1, 1, 0), (65, 8, 5, 4)))
        if k <= n + 2 * p:
            cases.append((n, k, s, p))
    return cases


def _check_output_size_on(answer: Any, cases: list, described: str) -> None:
    got = [
        call_answer(
            answer, *case, what="your output_size", case=f"for (n, k, s, p) = {case}"
        )
        for case in cases
    ]
    for value in got:
        if isinstance(value, bool) or not isinstance(
            value, int | float | np.integer | np.floating
        ):
            raise Wrong(
                "output_size should return a number, but it returned "
                f"{type(value).__name__}."
            )

    def sizes(rule: Any) -> np.ndarray:
        return np.array([rule(*case) for case in cases], dtype=float)

    as_floats = np.array(got, dtype=float)
    expected = sizes(output_size.answer)
    fractions = sizes(lambda n, k, s, p: (n + 2 * p - k) / s + 1)
    if np.allclose(as_floats, fractions) and not np.allclose(as_floats, expected):
        raise Wrong(
            "Some of your sizes are fractions: a kernel cannot stop part-way, so round "
            "down (integer division //)."
        )
    expect_array(
        as_floats,
        expected,
        what=f"your sizes {described}",
        atol=1e-9,
        diagnoses={
            "Every size is one too small: the kernel also fits at the very first "
            "position, so add 1.": sizes(lambda n, k, s, p: (n + 2 * p - k) // s),
            "The padding is added on both sides of the image: it counts twice.": sizes(
                lambda n, k, s, p: (n + p - k) // s + 1
            ),
            "You rounded up: a kernel that would stick out past the last pixel has no "
            "position, so round down.": sizes(
                lambda n, k, s, p: -(-(n + 2 * p - k) // s) + 1
            ),
            "The stride is missing: with stride s the kernel takes every s-th "
            "position.": sizes(lambda n, k, s, p: n + 2 * p - k + 1),
            "You divided the whole padded size by the stride: only the room left after "
            "the first position (n + 2p - k) is divided.": sizes(
                lambda n, k, s, p: (n + 2 * p) // s - k + 1
            ),
        },
    )
    if not all(isinstance(value, int | np.integer) for value in got):
        raise Wrong(
            "The sizes are right, but return them as whole numbers (int), not floats."
        )


def _check_output_size(answer: Any) -> str:
    _check_output_size_on(
        answer,
        list(OUTPUT_SIZE_CASES),
        f"for the cases (n, k, s, p) = {list(OUTPUT_SIZE_CASES)}",
    )
    _check_output_size_on(
        answer, _random_size_cases(fresh_rng()), f"for {RANDOM_CASES} random cases"
    )
    return "Your formula gives the right size for every case, strided and padded."


output_size = Exercise(
    "output_size",
    _check_output_size,
    hint="Pad the axis with p zeros on each side, then count the positions where a "
    "kernel of size k starts and still fits, taking every s-th one. Does the first "
    "position count?",
    answer=output_size,
    explanation="The padded axis has $n + 2p$ pixels. The kernel's first start is 0 "
    "and its last possible start is $n + 2p - k$; every $s$-th start between them "
    "counts, the first one included, hence the $+1$ and the rounding down.",
)

# ------------------------------------------------------------------- conv_parameters

#: The layer of the chapter's question: ``Conv2D(16, (5, 5))`` on a 14x14x6 input,
#: LeNet-5's second convolution written as a full Conv2D (LeNet-5 itself linked each of
#: its 16 maps to only some of the 6), as (kh, kw, in_channels, filters).
LENET_SECOND_LAYER = (5, 5, 6, 16)


def conv_parameters(kh: int, kw: int, in_channels: int, filters: int) -> int:
    return kh * kw * in_channels * filters + filters


def _check_conv_parameters(answer: Any) -> str:
    rng = fresh_rng()
    drawn = [tuple(int(v) for v in rng.integers(1, 12, size=4)) for _ in range(8)]
    for case in [LENET_SECOND_LAYER, (3, 3, 3, 64), *drawn]:
        kh, kw, channels, filters = case
        kernel = kh * kw * channels * filters
        described = f"for (kh, kw, in_channels, filters) = {case}"
        got = call_answer(answer, *case, what="your conv_parameters", case=described)
        wrong = {
            "That counts the kernel only: each filter also has one bias.": kernel,
            "Each filter looks at all input channels: its kernel has one kh x kw slice "
            "per input channel.": kh * kw * filters + filters,
            "That has one bias per input channel: a bias belongs to each filter "
            "(output channel).": kernel + channels,
            "That counts one bias for the whole layer: each filter has its own.": kernel
            + 1,
        }
        # A diagnosis that coincides with the right count would misfire; drop it.
        expected = conv_parameters.answer(*case)
        diagnoses = {m: v for m, v in wrong.items() if v != expected}
        expect_number(
            got,
            expected,
            what=f"Your count {described}",
            integer=True,
            diagnoses=diagnoses,
        )
    return "Right for every layer; note that the count does not depend on the image."


conv_parameters = Exercise(
    "conv_parameters",
    _check_conv_parameters,
    hint="Write down the shape of a Conv2D kernel: which four sizes does it have? Then "
    "ask what else each filter learns. The image's height and width do not appear.",
    answer=conv_parameters,
    explanation="The kernel has shape (kh, kw, in_channels, filters), plus one bias "
    "per filter. For LeNet-5's second convolution, written as a full Conv2D, that is "
    "5 * 5 * 6 * 16 + 16 = 2416 (LeNet-5 linked each map to only some of the six), "
    "whatever the size of the image: the same weights serve every position.",
)

# ----------------------------------------------------------------------- edge_kernel


def _edge_images(rng: np.random.Generator) -> dict[str, list[np.ndarray]]:
    """Flat areas, horizontal edges (dark above, bright below, or the reverse) and
    vertical edges, of random sizes, positions and brightness, drawn afresh."""
    images: dict[str, list[np.ndarray]] = {"flat": [], "horizontal": [], "vertical": []}
    for _ in range(4):
        size = int(rng.integers(6, 16))
        dark, bright = rng.uniform(0.0, 0.4), rng.uniform(0.6, 1.0)
        if rng.random() < 0.5:
            dark, bright = bright, dark
        images["flat"].append(np.full((size, size), rng.uniform(0.0, 1.0)))
        edge = np.full((size, size), dark)
        edge[int(rng.integers(2, size - 2)) :, :] = bright
        images["horizontal"].append(edge)
        images["vertical"].append(edge.T.copy())
    return images


def _check_edge_kernel(answer: Any) -> str:
    try:
        kernel = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Wrong(
            "The kernel should be a 3x3 array of numbers, but it is "
            f"{type(answer).__name__}."
        ) from None
    if kernel.shape != (3, 3):
        raise Wrong(
            f"The kernel should have shape (3, 3), but it has shape {kernel.shape}."
        )
    if not np.all(np.isfinite(kernel)):
        raise Wrong("The kernel contains NaN or infinity.")
    if np.allclose(kernel, 0.0):
        raise Wrong("An all-zero kernel gives zero everywhere: it finds nothing.")
    scale = np.abs(kernel).sum()
    response = {
        kind: min(np.abs(correlate2d(image, kernel)).max() for image in images)
        if kind == "horizontal"
        else max(np.abs(correlate2d(image, kernel)).max() for image in images)
        for kind, images in _edge_images(fresh_rng()).items()
    }
    if response["flat"] > 1e-6 * scale:
        raise Wrong(
            "Your kernel responds to a flat grey area, where there is no edge: make "
            "its entries sum to 0."
        )
    if response["horizontal"] <= 1e-6 * scale < response["vertical"]:
        raise Wrong(
            "Your kernel finds vertical edges (a change from left to right). A "
            "horizontal edge is a line across the image: the brightness changes from "
            "top to bottom."
        )
    if response["horizontal"] <= 1e-6 * scale:
        raise Wrong(
            "Your kernel gives zero on a horizontal edge too: it should compare the "
            "rows above with the rows below."
        )
    if response["vertical"] > 0.1 * response["horizontal"]:
        raise Wrong(
            "Your kernel responds to a vertical edge as well (it is diagonal or uneven "
            "across columns): make each column of the kernel sum to 0, so that a "
            "change from left to right cancels out."
        )
    return "It responds to horizontal edges and to nothing else."


edge_kernel = Exercise(
    "edge_kernel",
    _check_edge_kernel,
    hint="Which pixels should the kernel compare, and with which signs, so that a "
    "change from top to bottom gives a large value? Then check it on a flat area and "
    "on a change from left to right.",
    answer=[[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    explanation="The row below minus the row above. Each column sums to zero, so a "
    "change from left to right cancels out; all nine weights sum to zero, so a flat "
    "area gives zero. Weighting the middle column twice (Sobel's choice) smooths along "
    "the edge; `[[-1] * 3, [0] * 3, [1] * 3]` works too.",
)

# ---------------------------------------------------------------------------- conv2d


def conv2d(image: np.ndarray, kernel: np.ndarray, stride: int = 1) -> np.ndarray:
    kernel_height, kernel_width = kernel.shape
    rows = (image.shape[0] - kernel_height) // stride + 1
    columns = (image.shape[1] - kernel_width) // stride + 1
    out = np.zeros((rows, columns))
    for i in range(rows):
        for j in range(columns):
            window = image[
                i * stride : i * stride + kernel_height,
                j * stride : j * stride + kernel_width,
            ]
            out[i, j] = np.sum(window * kernel)
    return out


def _conv2d_cases(rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """A fixed 7x6 image with an asymmetric 3x2 kernel (flips and transposes show), at
    strides 1 and 2, then random images, kernels and strides."""
    image = np.random.default_rng(3).integers(-3, 4, size=(7, 6)).astype(float)
    kernel = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 1.0]])
    cases = [(image, kernel, 1), (image, kernel, 2)]
    for _ in range(4):
        height, width = (int(n) for n in rng.integers(4, 12, size=2))
        kh, kw = (
            int(rng.integers(1, min(height, 5))),
            int(rng.integers(1, min(width, 5))),
        )
        random_image = rng.normal(size=(height, width))
        cases.append((random_image, rng.normal(size=(kh, kw)), int(rng.integers(1, 4))))
    return cases


def _conv2d_diagnoses(
    image: np.ndarray, kernel: np.ndarray, stride: int
) -> dict[str, np.ndarray]:
    kh, kw = kernel.shape
    padded = np.pad(image, (((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2)))
    diagnoses = {
        "You flipped the kernel: that is convolution in the mathematical sense. "
        "Keras's Conv2D (and this exercise) slides the kernel over the image as it is: "
        "cross-correlation.": correlate2d(image, kernel[::-1, ::-1])[
            ::stride, ::stride
        ],
        "Your output keeps the size of the image: use only the positions where the "
        "whole kernel fits inside the image (padding 'valid'), no zeros around "
        "it.": correlate2d(padded, kernel)[::stride, ::stride],
    }
    if kh == kw:
        diagnoses["You transposed the kernel: its first axis runs down the rows."] = (
            correlate2d(image, kernel.T)[::stride, ::stride]
        )
    if stride > 1:
        full = correlate2d(image, kernel)
        diagnoses.update(
            {
                f"With stride {stride} your output is the stride-1 output: move the "
                "kernel `stride` pixels at a time, in both directions.": full,
                "You stepped by `stride` down the rows only: step by it along the "
                "columns too.": full[::stride, :],
                "You stepped by `stride` along the columns only: step by it down the "
                "rows too.": full[:, ::stride],
            }
        )
    return diagnoses


def _check_conv2d(answer: Any) -> str:
    for image, kernel, stride in _conv2d_cases(fresh_rng()):
        described = (
            f"of a {image.shape[0]}x{image.shape[1]} image with a "
            f"{kernel.shape[0]}x{kernel.shape[1]} kernel, stride {stride}"
        )
        got = call_answer(
            answer, image, kernel, stride, what="your conv2d", case=described
        )
        expect_array(
            got,
            correlate2d(image, kernel)[::stride, ::stride],
            what=f"conv2d {described}",
            diagnoses=_conv2d_diagnoses(image, kernel, stride),
        )
    return "Your conv2d agrees with the reference on fixed and random cases."


conv2d = Exercise(
    "conv2d",
    _check_conv2d,
    hint="First work out the output's shape with the formula of the output-size "
    "exercise (no padding). Each output entry then depends on one window of the image: "
    "which rows and columns does the window at output position (i, j) cover when the "
    "kernel moves `stride` pixels at a time?",
    answer=conv2d,
    explanation="The output has $\\lfloor (H - k_h)/s \\rfloor + 1$ rows and as many "
    "columns by the same rule; each entry is the sum of the window under the kernel "
    "times the kernel, not flipped.",
)

# ------------------------------------------------------------------- kernel_gradient


def kernel_gradient(image: np.ndarray, output_gradient: np.ndarray) -> np.ndarray:
    output_height, output_width = output_gradient.shape
    kernel_height = image.shape[0] - output_height + 1
    kernel_width = image.shape[1] - output_width + 1
    gradient = np.zeros((kernel_height, kernel_width))
    for u in range(kernel_height):
        for v in range(kernel_width):
            window = image[u : u + output_height, v : v + output_width]
            gradient[u, v] = np.sum(output_gradient * window)
    return gradient


def _check_kernel_gradient(answer: Any) -> str:
    rng = fresh_rng()
    fixed_image = np.random.default_rng(5).integers(-3, 4, size=(6, 5)).astype(float)
    fixed_gradient = np.array([[1.0, -2.0, 0.0], [3.0, 1.0, -1.0]])  # kernel 5x3
    cases = [(fixed_image, fixed_gradient)]
    for _ in range(4):
        height, width = (int(n) for n in rng.integers(4, 12, size=2))
        kh, kw = (
            int(rng.integers(1, min(height, 5))),
            int(rng.integers(1, min(width, 5))),
        )
        image = rng.normal(size=(height, width))
        cases.append((image, rng.normal(size=(height - kh + 1, width - kw + 1))))
    for image, output_gradient in cases:
        kh = image.shape[0] - output_gradient.shape[0] + 1
        kw = image.shape[1] - output_gradient.shape[1] + 1
        described = (
            f"for a {image.shape[0]}x{image.shape[1]} image and a {kh}x{kw} kernel"
        )
        got = call_answer(
            answer,
            image,
            output_gradient,
            what="your kernel_gradient",
            case=described,
        )
        expect_array(
            got,
            correlate2d(image, output_gradient),
            what=f"The kernel gradient {described}",
            diagnoses={
                "You flipped the output gradient: K[u, v] multiplies x[i + u, j + v] "
                "in y[i, j], so it pairs G[i, j] with x[i + u, j + v], both read "
                "forwards.": correlate2d(image, output_gradient[::-1, ::-1]),
            },
        )
    return "Right on every case: the kernel's gradient is itself a cross-correlation."


kernel_gradient = Exercise(
    "kernel_gradient",
    _check_kernel_gradient,
    hint="Write y[i, j] as a sum over (u, v). Which terms of which outputs contain the "
    "weight K[u, v], and what multiplies it there? The gradient of a sum of such terms "
    "weights each by its dL/dy[i, j].",
    answer=kernel_gradient,
    explanation="Since $y_{i,j} = \\sum_{u,v} K_{u,v} x_{i+u, j+v}$, the weight "
    "$K_{u,v}$ appears once in every output, multiplied by $x_{i+u, j+v}$; so "
    "$\\partial L / \\partial K_{u,v} = \\sum_{i,j} G_{i,j}\\, x_{i+u, j+v}$, the "
    "cross-correlation of the input with the output gradient $G$. The gradient with "
    "respect to the input is $M^\\top G$, with the convolution matrix $M$ of the "
    "chapter: a 'full' convolution of $G$ with the kernel. Backpropagation through a "
    "convolution is again a convolution, and libraries compute it the same way.",
)
