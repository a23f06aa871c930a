"""Exercises of Chapter 3b, "After LeNet", from easy to hard.

* ``stack_weights`` - the weights of a stack of 3x3 convolutions (coding, easy);
* ``receptive_field`` - the patch one unit of a stack of strided layers sees (coding,
  medium);
* ``residual_forward`` - the forward pass of a residual block without normalisation
  (coding, hard).

Each checker calls the learner's function on fixed cases and on cases drawn afresh at
every check, and compares with the reference answer (``<exercise>.answer``). Each
reference answer is defined right above its exercise, under the learner's name, and
shown by ``<exercise>.solution()``; the exercise then takes the name.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcourse.exercises.framework import (
    Exercise,
    call_answer,
    expect_array,
    expect_number,
    fresh_rng,
)
from dlcourse.reference.conv import ConvWeights, conv2d

#: How many random cases each checker draws at every check.
RANDOM_CASES = 8

# --------------------------------------------------------------------- stack_weights


def stack_weights(layers: int, channels: int) -> int:
    return layers * 3 * 3 * channels * channels


def _check_stack_weights(answer: Any) -> str:
    rng = fresh_rng()
    drawn = [tuple(int(v) for v in rng.integers(1, 65, size=2)) for _ in range(6)]
    for layers, channels in [(2, 64), (1, 1), (3, 16), *drawn]:
        described = f"for {layers} layers of {channels} channels"
        got = call_answer(
            answer, layers, channels, what="your stack_weights", case=described
        )
        wrong = {
            "Each kernel reads every input channel for every output channel: the count "
            "grows with the square of the channels.": layers * 9 * channels,
            "A 3x3 kernel has 9 weights per pair of channels, not 3.": layers
            * 3
            * channels**2,
            "No biases here: count the kernels only.": layers * 9 * channels**2
            + layers * channels,
            "That is the single large kernel with the stack's receptive field; count "
            "the stack of 3x3 kernels.": (2 * layers + 1) ** 2 * channels**2,
        }
        expected = stack_weights.answer(layers, channels)
        expect_number(
            got,
            expected,
            what=f"Your count {described}",
            integer=True,
            diagnoses={m: v for m, v in wrong.items() if v != expected},
        )
    return (
        "Right: the stack grows linearly with depth, a single kernel of the same "
        "receptive field with the square of its side."
    )


stack_weights = Exercise(
    "stack_weights",
    _check_stack_weights,
    hint="Write down the shape of one 3x3 kernel that maps `channels` channels to "
    "`channels` channels, then count the layers.",
    answer=stack_weights,
    explanation="Each layer's kernel has shape (3, 3, C, C), so $9C^2$ weights, "
    "and $L$ layers have $9LC^2$. Their receptive field is $2L + 1$ pixels, which "
    "one kernel would cover with $(2L+1)^2 C^2$ weights: $18C^2$ against $25C^2$ "
    "for $L = 2$, $27C^2$ against $49C^2$ for $L = 3$, with a ReLU between the "
    "layers as a bonus.",
)

# ------------------------------------------------------------------- receptive_field


def receptive_field(layers: list[tuple[int, int]]) -> int:
    field, jump = 1, 1
    for kernel_size, stride in layers:
        field += (kernel_size - 1) * jump
        jump *= stride
    return field


def _random_stack(rng: np.random.Generator) -> list[tuple[int, int]]:
    count = int(rng.integers(1, 7))
    return [(int(rng.integers(1, 8)), int(rng.integers(1, 4))) for _ in range(count)]


def _jump_after(layers: list[tuple[int, int]]) -> int:
    field, jump = 1, 1
    for kernel_size, stride in layers:
        jump *= stride
        field += (kernel_size - 1) * jump
    return field


def _check_receptive_field(answer: Any) -> str:
    rng = fresh_rng()
    fixed = [
        [(3, 1), (3, 1)],
        [(5, 1), (2, 2), (5, 1), (2, 2)],
        [(3, 2), (3, 2), (3, 2)],
        [(7, 2), (3, 2), (3, 1)],
    ]
    for layers in fixed + [_random_stack(rng) for _ in range(RANDOM_CASES)]:
        described = f"for the layers (kernel, stride) = {layers}"
        got = call_answer(
            answer, list(layers), what="your receptive_field", case=described
        )
        expected = receptive_field.answer(layers)
        wrong = {
            "The strides are missing: after a layer of stride s, one step of the next "
            "layer moves s input pixels.": 1 + sum(k - 1 for k, _ in layers),
            "A layer's own stride does not widen its own window: multiply the step by "
            "the stride after adding that layer's reach.": _jump_after(layers),
            "Adding the kernel sizes counts the shared pixel of neighbouring windows "
            "twice; a kernel of size k reaches k - 1 steps further.": sum(
                k for k, _ in layers
            ),
        }
        expect_number(
            got,
            expected,
            what=f"Your receptive field {described}",
            integer=True,
            diagnoses={m: v for m, v in wrong.items() if v != expected},
        )
    return "Right on every stack, strided ones included."


receptive_field = Exercise(
    "receptive_field",
    _check_receptive_field,
    hint="Keep two numbers as you go from the input up: the side of the patch one "
    "unit sees, and how many input pixels one step between neighbouring units is. How "
    "does a layer change each of them?",
    answer=receptive_field,
    explanation="Start with one pixel and a step of one. A layer of kernel $k$ widens "
    "the patch by $k - 1$ of the current steps; its stride $s$ then multiplies the "
    "step for the layers above: $r_l = r_{l-1} + (k_l - 1) \\prod_{i<l} s_i$. LeNet's "
    "stack gives 16 pixels; three stride-2 3x3 layers give 15.",
)

# ------------------------------------------------------------------ residual_forward


def residual_forward(
    x: np.ndarray, kernel_1: np.ndarray, kernel_2: np.ndarray
) -> np.ndarray:
    weights_1, weights_2 = ConvWeights(kernel_1), ConvWeights(kernel_2)
    h = np.maximum(conv2d(x[None], weights_1, padding="same"), 0.0)
    h = conv2d(h, weights_2, padding="same")
    return np.maximum(x[None] + h, 0.0)[0]


def _branch(x: np.ndarray, kernel_1: np.ndarray, kernel_2: np.ndarray) -> np.ndarray:
    h = np.maximum(conv2d(x[None], ConvWeights(kernel_1), padding="same"), 0.0)
    return conv2d(h, ConvWeights(kernel_2), padding="same")[0]


def _check_residual_forward(answer: Any) -> str:
    rng = fresh_rng()
    fixed = np.random.default_rng(3)
    cases = [
        (
            fixed.normal(size=(5, 5, 2)),
            fixed.normal(size=(3, 3, 2, 2)),
            fixed.normal(size=(3, 3, 2, 2)),
        )
    ]
    for _ in range(4):
        size, channels = int(rng.integers(3, 9)), int(rng.integers(1, 4))
        cases.append(
            (
                rng.normal(size=(size, size, channels)),
                rng.normal(scale=0.5, size=(3, 3, channels, channels)),
                rng.normal(scale=0.5, size=(3, 3, channels, channels)),
            )
        )
    for x, kernel_1, kernel_2 in cases:
        described = f"for a {x.shape} input"
        got = call_answer(
            answer, x, kernel_1, kernel_2, what="your residual_forward", case=described
        )
        branch = _branch(x, kernel_1, kernel_2)
        no_middle = conv2d(
            conv2d(x[None], ConvWeights(kernel_1), padding="same"),
            ConvWeights(kernel_2),
            padding="same",
        )[0]
        diagnoses = {
            "The skip connection is missing: the block adds its input back.": (
                np.maximum(branch, 0.0)
            ),
            "Your ReLU sits on the branch only: look again at which ReLU is the last "
            "thing the block applies.": x + np.maximum(branch, 0.0),
            "The output has negative values: the block ends with a nonlinearity.": x
            + branch,
            "The ReLU between the two convolutions is missing.": np.maximum(
                x + no_middle, 0.0
            ),
            "The two kernels are swapped.": np.maximum(
                x + _branch(x, kernel_2, kernel_1), 0.0
            ),
        }
        expect_array(
            got,
            residual_forward.answer(x, kernel_1, kernel_2),
            what=f"The block's output {described}",
            diagnoses=diagnoses,
        )
    return "Right on every case: the block computes relu(x + F(x))."


residual_forward = Exercise(
    "residual_forward",
    _check_residual_forward,
    hint="Write the branch first (convolution, ReLU, convolution), each convolution "
    "keeping the image's size, then decide where the input comes back in and which "
    "ReLU is the last thing applied. `dlcourse.reference.conv.conv2d` works on a batch "
    "of images.",
    answer=residual_forward,
    explanation="The branch $F(x) = K_2 * \\mathrm{relu}(K_1 * x)$ keeps the shape "
    "with padding 'same'; the block returns $\\mathrm{relu}(x + F(x))$. If the "
    "branch's weights are zero, the block passes its (non-negative) input through "
    "unchanged: a deeper network can always do at least what a shallower one does, "
    "which is the argument of He et al. for the skip connection.",
)
