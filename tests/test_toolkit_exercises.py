"""Chapter 0's exercise checkers on the right answers and on typical wrong ones.

The properties every checker must have (constant answers, partial answers, NaN, an
exception, fresh random cases) are tested for all exercises by
tests/test_exercises_properties.py; this file adds the toolkit's own diagnoses.
"""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse.exercises import toolkit as exercises

pytestmark = pytest.mark.toolkit


def test_reference_answers_are_correct_and_their_code_is_shown():
    for exercise in (
        exercises.dense_parameter_count,
        exercises.dense_logits,
        exercises.softmax,
        exercises.cross_entropy,
    ):
        assert exercise.check(exercise.answer).status == "correct"
        solution = exercise.solution()
        assert f"def {exercise.name}(" in solution.code
        assert exercise.hint().text


def test_stubs_are_not_done():
    def cross_entropy(logits, labels): ...

    def softmax(logits):
        """Not written yet."""

    def dense_logits(x, weights):
        raise NotImplementedError

    assert exercises.cross_entropy.check(cross_entropy).status == "not done"
    assert exercises.softmax.check(softmax).status == "not done"
    assert exercises.dense_logits.check(dense_logits).status == "not done"
    assert exercises.dense_parameter_count.check(...).status == "not done"


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        (lambda inputs, units: inputs * units, "kernel only"),
        (lambda inputs, units: inputs * units + inputs, "bias to each input"),
        (lambda inputs, units: inputs + units, "adds inputs and units"),
        (lambda inputs, units: 650, "too"),
        (lambda inputs, units: float(inputs * units + units), "whole number"),
        (lambda inputs, units: float("nan"), "not a finite number"),
        (lambda inputs, units: "650", "should be a number"),
    ],
)
def test_parameter_count_diagnoses(answer, diagnosis):
    result = exercises.dense_parameter_count.check(answer)
    assert result.status == "incorrect" and diagnosis in result.message, result


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        (lambda x, w: x @ w.kernel, "leaves out the bias"),
        (lambda x, w: x @ w.kernel - w.bias, "subtracts the bias"),
        (
            lambda x, w: (
                np.exp(x @ w.kernel + w.bias)
                / np.exp(x @ w.kernel + w.bias).sum(axis=1, keepdims=True)
            ),
            "probabilities",
        ),
        (lambda x, w: w.kernel @ x, "raised ValueError"),
        (lambda x, w: np.zeros((2, 4)), "values are off"),
        (lambda x, w: (x @ w.kernel + w.bias).T, "shape"),
        (lambda x, w: np.full((len(x), len(w.bias)), np.nan), "NaN"),
        (lambda x, w: None if len(x) != 2 else x @ w.kernel + w.bias, "returned None"),
    ],
)
def test_dense_logits_diagnoses(answer, diagnosis):
    result = exercises.dense_logits.check(answer)
    assert result.status == "incorrect" and diagnosis in result.message, result


def _unstable(logits):
    exponentials = np.exp(logits)
    return exponentials / exponentials.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        (_unstable, "overflows"),
        (lambda z: np.exp(z) / np.exp(z).sum(axis=0, keepdims=True), "each column"),
        (lambda z: np.exp(z) / np.exp(z).sum(), "one total"),
        (lambda z: np.exp(z), "not yet normalised"),
        (lambda z: np.exp(z - z.max(axis=-1, keepdims=True)), "divide each row"),
        (lambda z: np.full_like(z, 1 / 3), "values are off"),
        (lambda z: np.full_like(z, np.nan), "NaN"),
        (lambda z: "probabilities", "array of numbers"),
        (lambda z: _unstable(z).sum(axis=-1), "shape"),
    ],
)
def test_softmax_diagnoses(answer, diagnosis):
    with np.errstate(all="ignore"):
        result = exercises.softmax.check(answer)
    assert result.status == "incorrect" and diagnosis in result.message, result


def test_the_softmax_solution_is_the_package_softmax():
    from dlcourse.reference import activations

    assert exercises.softmax.answer is activations.softmax
    assert "def softmax(" in exercises.softmax.solution().code


def _naive(logits, labels):
    exponentials = np.exp(logits)
    probabilities = exponentials / exponentials.sum(axis=-1, keepdims=True)
    return -np.log(probabilities[np.arange(len(labels)), labels])


def _shifted_softmax_then_log(logits, labels):
    return _naive(logits - logits.max(axis=-1, keepdims=True), labels)


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        (_naive, "logits near 1000 gives NaN or infinity"),
        (_shifted_softmax_then_log, "far below the others gives NaN or infinity"),
        (lambda z, y: _naive(z, y).mean(), "one number for the whole batch"),
        (lambda z, y: _naive(z, y).sum(), "not their sum"),
        (lambda z, y: -_naive(z, y), "wrong sign"),
        (lambda z, y: np.exp(-_naive(z, y)), "probability of the label"),
        (lambda z, y: _naive(z, y[::-1]), "values are off"),
        (lambda z, y: np.zeros(len(y)), "values are off"),
        (lambda z, y: np.full(len(y), np.nan), "NaN"),
        (lambda z, y: "loss", "array of numbers"),
        (lambda z, y: z[:, 0], "values are off"),
    ],
)
def test_cross_entropy_diagnoses(answer, diagnosis):
    with np.errstate(all="ignore"):
        result = exercises.cross_entropy.check(answer)
    assert result.status == "incorrect" and diagnosis in result.message, result


def test_cross_entropy_agrees_with_keras():
    import keras

    rng = np.random.default_rng(0)
    logits, labels = rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)
    expected = keras.ops.convert_to_numpy(
        keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)
    )
    got = exercises.cross_entropy.answer(logits, labels)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_messages_never_reveal_an_expected_value():
    for exercise, answer in (
        (exercises.dense_parameter_count, lambda inputs, units: 1),
        (exercises.dense_logits, lambda x, w: np.zeros((len(x), len(w.bias)))),
        (exercises.cross_entropy, lambda z, y: np.zeros(len(y))),
    ):
        message = exercise.check(answer).message
        assert "650" not in message and "0.09" not in message, message


def test_an_answer_that_ignores_its_input_fails_on_the_random_cases():
    fixed = np.random.default_rng(7)
    kernel, bias = fixed.normal(size=(3, 4)), fixed.normal(size=4)
    x = fixed.normal(size=(2, 3))
    memorised = x @ kernel + bias

    result = exercises.dense_logits.check(lambda x, w: memorised)
    assert result.status == "incorrect" and "random" in result.message, result
