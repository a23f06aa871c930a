"""Chapter 3 (convolutional networks): each checker on the right answer, no answer, typical mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse.exercises import cnn
from dlcourse.reference.conv import correlate2d


def assert_status(result: object, status: str, fragment: str = "") -> None:
    assert result.status == status, str(result)
    assert fragment.lower() in result.message.lower(), str(result)


# -------------------------------------------------------------------------------------------- conv2d


def conv2d_right(image: np.ndarray, kernel: np.ndarray, stride: int = 1) -> np.ndarray:
    kh, kw = kernel.shape
    rows = (image.shape[0] - kh) // stride + 1
    columns = (image.shape[1] - kw) // stride + 1
    out = np.zeros((rows, columns))
    for i in range(rows):
        for j in range(columns):
            out[i, j] = np.sum(
                image[i * stride : i * stride + kh, j * stride : j * stride + kw]
                * kernel
            )
    return out


def test_conv2d_right_answer_passes() -> None:
    assert_status(cnn.conv2d.check(conv2d_right), "correct", "strides 1 and 2")


def test_conv2d_not_done() -> None:
    def stub(image: np.ndarray, kernel: np.ndarray, stride: int = 1) -> np.ndarray:
        raise NotImplementedError

    def ellipsis_stub(
        image: np.ndarray, kernel: np.ndarray, stride: int = 1
    ) -> None: ...

    assert_status(cnn.conv2d.check(...), "not done", "Replace")
    assert_status(cnn.conv2d.check(stub), "not done", "Replace")
    assert_status(cnn.conv2d.check(ellipsis_stub), "not done", "Replace")


@pytest.mark.parametrize(
    ("wrong", "fragment"),
    [
        (
            lambda image, kernel, stride=1: conv2d_right(
                image, kernel[::-1, ::-1], stride
            ),
            "flipped the kernel",
        ),
        (
            lambda image, kernel, stride=1: conv2d_right(
                np.pad(image, ((1, 1), (0, 1))), kernel, stride
            ),
            "keeps the size of the image",
        ),
        (
            lambda image, kernel, stride=1: conv2d_right(image, kernel, 1),
            "stride-1 output",
        ),
        (
            lambda image, kernel, stride=1: correlate2d(image, kernel)[::stride, :],
            "down the rows only",
        ),
        (
            lambda image, kernel, stride=1: correlate2d(image, kernel)[:, ::stride],
            "along the columns only",
        ),
        (
            lambda image, kernel, stride=1: conv2d_right(image, kernel, stride) + 1.0,
            "off by up to",
        ),
        (lambda image, kernel, stride=1: "not an array", "array of numbers"),
        (
            lambda image, kernel, stride=1: image[0, 0] / 0.0 * np.ones((5, 5)),
            "NaN or infinity",
        ),
        (lambda image, kernel, stride=1: 1 / 0, "ZeroDivisionError"),
        (lambda image, kernel, stride=1: np.zeros((2, 2)), "shape"),
    ],
)
def test_conv2d_wrong_answers_get_specific_messages(
    wrong: object, fragment: str
) -> None:
    with np.errstate(all="ignore"):
        result = cnn.conv2d.check(wrong)
    assert_status(result, "incorrect", fragment)


def test_conv2d_message_does_not_give_the_answer() -> None:
    result = cnn.conv2d.check(lambda image, kernel, stride=1: np.zeros((5, 5)))
    assert result.status == "incorrect"
    assert "np.sum" not in result.message


# ---------------------------------------------------------------------------------------- output_size


def test_output_size_right_answer_passes() -> None:
    assert_status(
        cnn.output_size.check(lambda n, k, s, p: (n + 2 * p - k) // s + 1), "correct"
    )


def test_output_size_not_done() -> None:
    def stub(n: int, k: int, s: int, p: int) -> int:
        raise NotImplementedError

    assert_status(cnn.output_size.check(...), "not done")
    assert_status(cnn.output_size.check(stub), "not done")


@pytest.mark.parametrize(
    ("wrong", "fragment"),
    [
        (lambda n, k, s, p: (n + 2 * p - k) // s, "add 1"),
        (lambda n, k, s, p: (n + p - k) // s + 1, "counts twice"),
        (lambda n, k, s, p: -(-(n + 2 * p - k) // s) + 1, "rounded up"),
        (lambda n, k, s, p: n + 2 * p - k + 1, "stride is missing"),
        (lambda n, k, s, p: (n + 2 * p - k) / s + 1, "fractions"),
        (lambda n, k, s, p: (n + 2 * p) // s - k + 1, "room left"),
        (lambda n, k, s, p: float((n + 2 * p - k) // s + 1), "whole numbers"),
        (lambda n, k, s, p: "24", "should return a number"),
        (lambda n, k, s, p: n, "off by"),
    ],
)
def test_output_size_wrong_answers_get_specific_messages(
    wrong: object, fragment: str
) -> None:
    assert_status(cnn.output_size.check(wrong), "incorrect", fragment)


# ------------------------------------------------------------------------------- conv_parameter_count


def test_conv_parameter_count_right_answer_passes_and_matches_keras() -> None:
    keras = pytest.importorskip("keras")
    layer = keras.layers.Conv2D(cnn.CONV_FILTERS, cnn.CONV_KERNEL)
    layer.build((None, *cnn.CONV_INPUT))
    assert layer.count_params() == 2416
    assert_status(cnn.conv_parameter_count.check(2416), "correct", "count_params")


def test_conv_parameter_count_not_done() -> None:
    assert_status(cnn.conv_parameter_count.check(...), "not done")
    assert_status(cnn.conv_parameter_count.check(None), "not done")


@pytest.mark.parametrize(
    ("wrong", "fragment"),
    [
        (2400, "kernel only"),
        (5 * 5 * 16 + 16, "all input channels"),
        (2400 + 6, "one bias per input channel"),
        (100 * 2416, "its own weights"),
        (14 * 14 * 6 * 100 * 16 + 1600, "dense layer"),
        (2416.0, "whole number"),
        ("2416", "should be a number"),
        (5000, "too large"),
    ],
)
def test_conv_parameter_count_wrong_answers_get_specific_messages(
    wrong: object, fragment: str
) -> None:
    assert_status(cnn.conv_parameter_count.check(wrong), "incorrect", fragment)


# ----------------------------------------------------------------------------- horizontal_edge_kernel


@pytest.mark.parametrize(
    "right",
    [
        np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
        [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
        np.array([[0, 0, 0], [-1, -1, -1], [1, 1, 1]]),
    ],
)
def test_horizontal_edge_kernel_right_answers_pass(right: object) -> None:
    assert_status(cnn.horizontal_edge_kernel.check(right), "correct", "horizontal edge")


def test_horizontal_edge_kernel_not_done() -> None:
    assert_status(cnn.horizontal_edge_kernel.check(...), "not done")


@pytest.mark.parametrize(
    ("wrong", "fragment"),
    [
        (np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]), "vertical edges"),
        (np.ones((3, 3)), "flat grey"),
        (np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]]), "flat grey"),
        (np.array([[0, 1, 1], [-1, 0, 1], [-1, -1, 0]]), "vertical edge as well"),
        (np.zeros((3, 3)), "all-zero"),
        (np.array([[0, 0, 0], [-1, 2, -1], [0, 0, 0]]), "vertical edges"),
        (np.array([[1, -1, 0], [-1, 1, 0], [0, 0, 0]]), "zero on the horizontal edge"),
        (np.array([[-1, -1, -1], [1, 1, 1]]), "shape (3, 3)"),
        ("sobel", "3x3 array"),
        (np.array([[np.nan] * 3] * 3), "NaN"),
    ],
)
def test_horizontal_edge_kernel_wrong_answers_get_specific_messages(
    wrong: object, fragment: str
) -> None:
    assert_status(cnn.horizontal_edge_kernel.check(wrong), "incorrect", fragment)


def test_edge_test_images() -> None:
    images = cnn.edge_test_images(6)
    assert set(images) == {"flat", "horizontal edge", "vertical edge"}
    assert images["horizontal edge"][0].tolist() == [0.0] * 6
    assert images["horizontal edge"][-1].tolist() == [1.0] * 6
    assert np.array_equal(images["vertical edge"], images["horizontal edge"].T)


def test_edge_test_images_rejects_bad_size() -> None:
    with pytest.raises(ValueError, match="`size`"):
        cnn.edge_test_images(2)
    with pytest.raises(TypeError, match="`size`"):
        cnn.edge_test_images("12")


def test_every_exercise_has_a_hint_and_a_solution() -> None:
    for exercise in (
        cnn.conv2d,
        cnn.output_size,
        cnn.conv_parameter_count,
        cnn.horizontal_edge_kernel,
    ):
        assert str(exercise.hint()).startswith("Hint: ")
        assert str(exercise.solution()).startswith("Solution: ")
