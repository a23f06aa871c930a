"""The checker framework, and Chapter 0's checkers on right and wrong answers."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse.exercises import (
    Exercise,
    NotDone,
    Wrong,
    call_answer,
    expect_array,
    expect_number,
    toolkit,
)


def checker(answer):
    if answer != 42:
        raise Wrong("Not the answer.")
    return "Well done."


EXERCISE = Exercise("demo", checker, hint="Six times seven.", solution="42")


def test_statuses_and_messages():
    right = EXERCISE.check(42)
    assert right.passed and bool(right) and str(right) == "✓ Correct (demo). Well done."
    wrong = EXERCISE.check(41)
    assert wrong.status == "incorrect" and "Not the answer." in str(wrong) and not wrong
    assert EXERCISE.check(...).status == "not done"
    assert EXERCISE.check(None).status == "not done"
    assert "Six times seven" in str(EXERCISE.hint()) and "42" in str(
        EXERCISE.solution()
    )
    assert "check(your_answer)" in repr(EXERCISE)


def test_learner_code_errors_become_one_line_messages():
    def broken(answer):
        return answer()

    exercise = Exercise("broken", broken, hint="", solution="")

    def raises_value_error():
        raise ValueError("bad shapes")

    def not_implemented():
        raise NotImplementedError

    result = exercise.check(raises_value_error)
    assert (
        result.status == "incorrect"
        and result.message == "Your code raised ValueError: bad shapes"
    )
    assert exercise.check(not_implemented).status == "not done"


def test_exercise_constructor_validates():
    with pytest.raises(TypeError, match="`name` must be a non-empty string"):
        Exercise("", checker, hint="", solution="")
    with pytest.raises(TypeError, match="`checker` must be callable"):
        Exercise("x", 3, hint="", solution="")


def test_call_answer():
    assert call_answer(lambda a: a + 1, 1, what="f") == 2
    with pytest.raises(NotDone):
        call_answer(..., what="f")
    with pytest.raises(NotDone):  # a stub whose body is still `...` returns None
        call_answer(lambda: None, what="f")
    with pytest.raises(Wrong, match="f should be a function"):
        call_answer(3, what="f")
    with pytest.raises(Wrong, match="Calling f raised ZeroDivisionError"):
        call_answer(lambda: 1 / 0, what="f")


def test_expect_array_diagnoses():
    expected = np.arange(6.0).reshape(2, 3)
    expect_array(expected + 1e-7, expected, what="out")
    with pytest.raises(
        Wrong, match=r"out has shape \(3, 2\), but it should have shape \(2, 3\)"
    ):
        expect_array(expected.T, expected, what="out")
    with pytest.raises(Wrong, match="transposed"):
        expect_array(
            expected.T, expected, what="out", diagnoses={"transposed": expected.T}
        )
    with pytest.raises(Wrong, match="wrong sign"):
        expect_array(-expected, expected, what="out")
    with pytest.raises(Wrong, match="off by up to 1"):
        expect_array(expected + 1, expected, what="out")
    with pytest.raises(Wrong, match="NaN"):
        expect_array(expected * np.nan, expected, what="out")
    with pytest.raises(Wrong, match="should be an array of numbers"):
        expect_array({"a": 1}, expected, what="out")


def test_expect_number():
    expect_number(10, 10, what="n")
    with pytest.raises(Wrong, match="forgot the bias"):
        expect_number(9, 10, what="n", diagnoses={"forgot the bias": 9})
    with pytest.raises(Wrong, match="n is too large"):
        expect_number(11, 10, what="n")
    with pytest.raises(Wrong, match="n should be a number"):
        expect_number("10", 10, what="n")
    expect_number(10.0, 10, what="n")
    with pytest.raises(Wrong, match="give it as a whole number"):
        expect_number(10.0, 10, what="n", integer=True)


def stable_softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True)


def test_toolkit_softmax_checker_on_right_and_wrong_answers():
    assert toolkit.softmax.check(stable_softmax).passed
    assert toolkit.softmax.check(...).status == "not done"

    def stub(z):
        raise NotImplementedError

    assert toolkit.softmax.check(stub).status == "not done"
    wrong_axis = toolkit.softmax.check(
        lambda z: np.exp(z) / np.exp(z).sum(axis=0, keepdims=True)
    )
    assert wrong_axis.status == "incorrect" and "axis=-1" in wrong_axis.message
    unnormalised = toolkit.softmax.check(np.exp)
    assert "not yet normalised" in unnormalised.message
    whole_batch = toolkit.softmax.check(lambda z: np.exp(z) / np.exp(z).sum())
    assert "same total" in whole_batch.message
    with np.errstate(all="ignore"):
        overflow = toolkit.softmax.check(
            lambda z: np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
        )
    assert overflow.status == "incorrect" and "overflows" in overflow.message
    assert "1002" not in overflow.message  # the message must not give away the answer


def test_toolkit_parameter_count_checker():
    assert toolkit.dense_parameter_count.check(650).passed
    assert "bias" in toolkit.dense_parameter_count.check(640).message
    assert (
        "every input to every unit" in toolkit.dense_parameter_count.check(74).message
    )
    assert "one bias per input" in toolkit.dense_parameter_count.check(
        704
    ).message.replace("plus one", "one")
    assert toolkit.dense_parameter_count.check(650.0).status == "incorrect"
    assert toolkit.dense_parameter_count.check("650").status == "incorrect"
