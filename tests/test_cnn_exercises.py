"""Chapter 3 (convolutional networks): each checker on the right answer, no answer
and typical mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse.exercises import cnn
from dlcourse.reference.conv import correlate2d

pytestmark = pytest.mark.cnn


def assert_status(result: object, status: str, fragment: str = "") -> None:
    assert result.status == status, str(result)
    assert fragment.lower() in result.message.lower(), str(result)


# ---------------------------------------------------------------------------- conv2d


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
    assert_status(cnn.conv2d.check(conv2d_right), "correct", "random cases")


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


# ----------------------------------------------------------------------- output_size


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


# ------------------------------------------------------------------- conv_parameters


def test_conv_parameters_reference_answer_matches_keras() -> None:
    keras = pytest.importorskip("keras")
    kh, kw, channels, filters = cnn.LENET_SECOND_LAYER
    layer = keras.layers.Conv2D(filters, (kh, kw))
    layer.build((None, 14, 14, channels))
    assert cnn.conv_parameters.answer(*cnn.LENET_SECOND_LAYER) == layer.count_params()
    assert layer.count_params() == 2416
    assert_status(cnn.conv_parameters.check(cnn.conv_parameters.answer), "correct")


def test_conv_parameters_not_done() -> None:
    def stub(kh: int, kw: int, in_channels: int, filters: int) -> int: ...

    assert_status(cnn.conv_parameters.check(...), "not done")
    assert_status(cnn.conv_parameters.check(stub), "not done")


@pytest.mark.parametrize(
    ("wrong", "fragment"),
    [
        (lambda kh, kw, c, f: kh * kw * c * f, "kernel only"),
        (lambda kh, kw, c, f: kh * kw * f + f, "all input channels"),
        (lambda kh, kw, c, f: kh * kw * c * f + c, "one bias per input channel"),
        (lambda kh, kw, c, f: kh * kw * c * f + 1, "one bias for the whole layer"),
        (lambda kh, kw, c, f: float(kh * kw * c * f + f), "whole number"),
        (lambda kh, kw, c, f: 2416, "too"),
        (lambda kh, kw, c, f: "2416", "should be a number"),
        (lambda kh, kw, c, f: float("nan"), "not a finite number"),
        (lambda kh, kw, c, f: 2416 if (kh, c) == (5, 6) else None, "returned None"),
    ],
)
def test_conv_parameters_wrong_answers_get_specific_messages(
    wrong: object, fragment: str
) -> None:
    assert_status(cnn.conv_parameters.check(wrong), "incorrect", fragment)


# ----------------------------------------------------------------------- edge_kernel


@pytest.mark.parametrize(
    "right",
    [
        cnn.edge_kernel.answer,
        np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
        [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
        np.array([[0, 0, 0], [-1, -1, -1], [1, 1, 1]]),
    ],
)
def test_edge_kernel_right_answers_pass(right: object) -> None:
    for _ in range(5):  # fresh test images every time
        assert_status(cnn.edge_kernel.check(right), "correct", "horizontal edges")


def test_edge_kernel_not_done() -> None:
    assert_status(cnn.edge_kernel.check(...), "not done")


@pytest.mark.parametrize(
    ("wrong", "fragment"),
    [
        (np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]), "vertical edges"),
        (np.ones((3, 3)), "flat grey"),
        (np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]]), "flat grey"),
        (np.array([[0, 1, 1], [-1, 0, 1], [-1, -1, 0]]), "vertical edge as well"),
        (np.zeros((3, 3)), "all-zero"),
        (np.array([[0, 0, 0], [-1, 2, -1], [0, 0, 0]]), "vertical edges"),
        (np.array([[1, -1, 0], [-1, 1, 0], [0, 0, 0]]), "zero on a horizontal edge"),
        (np.array([[-1, -1, -1], [1, 1, 1]]), "shape (3, 3)"),
        ("sobel", "3x3 array"),
        (np.array([[np.nan] * 3] * 3), "NaN"),
    ],
)
def test_edge_kernel_wrong_answers_get_specific_messages(
    wrong: object, fragment: str
) -> None:
    for _ in range(3):
        assert_status(cnn.edge_kernel.check(wrong), "incorrect", fragment)


# ------------------------------------------------------------------------- all five


EXERCISES = (
    cnn.output_size,
    cnn.conv_parameters,
    cnn.edge_kernel,
    cnn.conv2d,
    cnn.kernel_gradient,
)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_every_reference_answer_passes_its_checker(exercise: object) -> None:
    for _ in range(5):  # several fresh draws of the random cases
        assert_status(exercise.check(exercise.answer), "correct")


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_every_solution_shows_its_answer_under_the_learner_name(
    exercise: object,
) -> None:
    code = exercise.solution().code
    assert code.startswith((f"def {exercise.name}(", f"{exercise.name} = "))
    assert str(exercise.hint()).startswith("Hint: ")


@pytest.mark.parametrize(
    "exercise", [cnn.output_size, cnn.conv_parameters, cnn.conv2d], ids=lambda e: e.name
)
def test_a_constant_answer_fails(exercise: object) -> None:
    # The right output for the first fixed case, returned whatever the input.
    first = {
        "output_size": cnn.OUTPUT_SIZE_CASES[0],
        "conv_parameters": cnn.LENET_SECOND_LAYER,
    }
    if exercise.name == "conv2d":
        image = np.random.default_rng(3).integers(-3, 4, size=(7, 6)).astype(float)
        kernel = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 1.0]])
        constant = exercise.answer(image, kernel, 1)
    else:
        constant = exercise.answer(*first[exercise.name])
    result = exercise.check(lambda *args: constant)
    assert_status(result, "incorrect")


def test_conv2d_partial_answer_is_incorrect_and_names_the_case() -> None:
    def partial(image: np.ndarray, kernel: np.ndarray, stride: int = 1):
        if stride == 1:
            return correlate2d(image, kernel)
        return None

    assert_status(cnn.conv2d.check(partial), "incorrect", "returned None")
    assert "stride 2" in cnn.conv2d.check(partial).message


def test_conv2d_nan_answer_does_not_crash_the_checker() -> None:
    result = cnn.conv2d.check(
        lambda image, kernel, stride=1: np.full_like(
            correlate2d(image, kernel)[::stride, ::stride], np.nan
        )
    )
    assert_status(result, "incorrect", "NaN")


def test_conv2d_transposed_kernel_is_diagnosed() -> None:
    def transposed(image: np.ndarray, kernel: np.ndarray, stride: int = 1):
        if kernel.shape[0] != kernel.shape[1]:
            return correlate2d(image, kernel)[::stride, ::stride]
        return correlate2d(image, kernel.T)[::stride, ::stride]

    # The random cases include a square kernel only some of the time.
    messages = {cnn.conv2d.check(transposed).message for _ in range(30)}
    assert any("transposed the kernel" in message for message in messages)


def test_no_message_reveals_an_expected_value() -> None:
    result = cnn.output_size.check(lambda n, k, s, p: n)
    assert "24" not in result.message.split("cases")[-1]
    result = cnn.conv_parameters.check(lambda kh, kw, c, f: 1)
    assert "2416" not in result.message


# ------------------------------------------------------------------- kernel_gradient


def test_kernel_gradient_reference_answer_is_the_gradient_tensorflow_computes() -> None:
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(0)
    image, kernel = rng.normal(size=(7, 6)), rng.normal(size=(3, 2))
    output_gradient = rng.normal(size=(5, 5))
    kernel_variable = tf.Variable(kernel[:, :, None, None])
    with tf.GradientTape() as tape:
        y = tf.nn.conv2d(image[None, :, :, None], kernel_variable, 1, "VALID")
        loss = tf.reduce_sum(y[0, :, :, 0] * output_gradient)
    expected = tape.gradient(loss, kernel_variable).numpy()[:, :, 0, 0]
    got = cnn.kernel_gradient.answer(image, output_gradient)
    assert np.max(np.abs(got - expected)) <= 1e-10


@pytest.mark.parametrize(
    ("wrong", "fragment"),
    [
        (lambda x, g: correlate2d(x, g[::-1, ::-1]), "flipped the output gradient"),
        (lambda x, g: -correlate2d(x, g), "wrong sign"),
        (lambda x, g: correlate2d(x, g) + 1.0, "off by up to"),
        (lambda x, g: np.zeros((3, 2)), "shape"),
        (lambda x, g: np.full_like(correlate2d(x, g), np.nan), "NaN"),
        (lambda x, g: g.sum() * np.ones((5, 3)), ""),
        (lambda x, g: correlate2d(x, g) if x.shape == (6, 5) else None, "None"),
    ],
)
def test_kernel_gradient_wrong_answers(wrong: object, fragment: str) -> None:
    assert_status(cnn.kernel_gradient.check(wrong), "incorrect", fragment)
