"""Chapter 3b (after LeNet): each checker on the right answer, no answer and typical
mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse.exercises import modern_cnns as exercises
from dlcourse.reference.conv import ConvWeights, conv2d

pytestmark = pytest.mark.modern_cnns


def assert_status(result: object, status: str, fragment: str = "") -> None:
    assert result.status == status, str(result)
    assert fragment.lower() in result.message.lower(), str(result)


# --------------------------------------------------------------------- stack_weights


def test_stack_weights_right_answer_passes() -> None:
    def right(layers: int, channels: int) -> int:
        return 9 * layers * channels**2

    assert_status(exercises.stack_weights.check(right), "correct", "linearly")


def test_stack_weights_not_done() -> None:
    def stub(layers: int, channels: int) -> int: ...

    assert_status(exercises.stack_weights.check(stub), "not done")


@pytest.mark.parametrize(
    ("wrong", "fragment"),
    [
        (lambda layers, channels: 9 * layers * channels, "square of the channels"),
        (lambda layers, channels: 3 * layers * channels**2, "9 weights"),
        (lambda layers, channels: 9 * layers * channels**2 + layers * channels, "bias"),
        (
            lambda layers, channels: (2 * layers + 1) ** 2 * channels**2,
            "single large kernel",
        ),
        (lambda layers, channels: float(9 * layers * channels**2), "whole number"),
    ],
)
def test_stack_weights_typical_mistakes(wrong, fragment) -> None:
    assert_status(exercises.stack_weights.check(wrong), "incorrect", fragment)


# ------------------------------------------------------------------- receptive_field


def field_right(layers):
    field, jump = 1, 1
    for kernel_size, stride in layers:
        field += (kernel_size - 1) * jump
        jump *= stride
    return field


def field_no_strides(layers):
    return 1 + sum(k - 1 for k, _ in layers)


def field_jump_first(layers):
    field, jump = 1, 1
    for kernel_size, stride in layers:
        jump *= stride
        field += (kernel_size - 1) * jump
    return field


def field_sum_of_kernels(layers):
    return sum(k for k, _ in layers)


def test_receptive_field_right_answer_passes() -> None:
    assert_status(exercises.receptive_field.check(field_right), "correct", "strided")


@pytest.mark.parametrize(
    ("wrong", "fragment"),
    [
        (field_no_strides, "strides are missing"),
        (field_jump_first, "own stride"),
        (field_sum_of_kernels, "counts the shared pixel"),
        (lambda layers: 16, "receptive field"),
    ],
)
def test_receptive_field_typical_mistakes(wrong, fragment) -> None:
    assert_status(exercises.receptive_field.check(wrong), "incorrect", fragment)


def test_receptive_field_of_lenet_is_16() -> None:
    assert exercises.receptive_field.answer([(5, 1), (2, 2), (5, 1), (2, 2)]) == 16


# ------------------------------------------------------------------ residual_forward


def conv_same(x, kernel):
    return conv2d(x[None], ConvWeights(kernel), padding="same")[0]


def residual_right(x, kernel_1, kernel_2):
    return np.maximum(x + conv_same(np.maximum(conv_same(x, kernel_1), 0), kernel_2), 0)


def test_residual_forward_right_answer_passes() -> None:
    assert_status(
        exercises.residual_forward.check(residual_right), "correct", "relu(x + F(x))"
    )


def test_residual_forward_not_done() -> None:
    def stub(x, kernel_1, kernel_2):
        raise NotImplementedError

    assert_status(exercises.residual_forward.check(stub), "not done")


@pytest.mark.parametrize(
    ("wrong", "fragment"),
    [
        (
            lambda x, k1, k2: np.maximum(
                conv_same(np.maximum(conv_same(x, k1), 0), k2), 0
            ),
            "skip connection is missing",
        ),
        (
            lambda x, k1, k2: (
                x + np.maximum(conv_same(np.maximum(conv_same(x, k1), 0), k2), 0)
            ),
            "branch only",
        ),
        (
            lambda x, k1, k2: x + conv_same(np.maximum(conv_same(x, k1), 0), k2),
            "negative values",
        ),
        (
            lambda x, k1, k2: np.maximum(x + conv_same(conv_same(x, k1), k2), 0),
            "between the two convolutions",
        ),
        (lambda x, k1, k2: residual_right(x, k2, k1), "swapped"),
        (lambda x, k1, k2: x, "values are off"),
    ],
)
def test_residual_forward_typical_mistakes(wrong, fragment) -> None:
    assert_status(exercises.residual_forward.check(wrong), "incorrect", fragment)
