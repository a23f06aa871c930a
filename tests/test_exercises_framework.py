"""The checker framework: statuses, messages, learner failures, checker failures."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse.exercises import framework
from dlcourse.exercises.framework import (
    Exercise,
    NotDone,
    Wrong,
    call_answer,
    expect_array,
    expect_number,
    fresh_rng,
    is_stub,
)


def answer_42():
    return 42


def check_42(answer):
    got = call_answer(answer, what="your function")
    if got != 42:
        raise Wrong("Not the answer.")
    return "Well done."


EXERCISE = Exercise("demo", check_42, hint="Six times seven.", answer=answer_42)


def test_statuses_and_messages():
    right = EXERCISE.check(answer_42)
    assert right.passed and bool(right)
    assert str(right) == "✓ Correct (demo). Well done."
    wrong = EXERCISE.check(lambda: 41)
    assert wrong.status == "incorrect" and "Not the answer." in str(wrong) and not wrong
    assert EXERCISE.check(...).status == "not done"
    assert EXERCISE.check(None).status == "not done"
    assert "Six times seven" in str(EXERCISE.hint())
    assert "check(your_answer)" in repr(EXERCISE)


def test_the_solution_shows_the_reference_answer_from_the_package():
    solution = EXERCISE.solution()
    assert "def answer_42():" in str(solution) and "return 42" in str(solution)
    folded = solution._repr_html_()
    assert folded.startswith("<details>") and "return 42" in folded
    value = Exercise("count", lambda a: None, hint="", answer=7, explanation="Seven.")
    assert "count = 7" in str(value.solution()) and "Seven." in str(value.solution())


def stub_with_ellipsis(x):
    """A learner's untouched stub."""
    ...


def stub_with_raise(x):
    raise NotImplementedError


def stub_with_pass(x):
    pass


def partly_written(x):
    if x > 0:
        return x


def test_stubs_are_not_done_and_partial_functions_are_incorrect():
    for stub in (stub_with_ellipsis, stub_with_raise, stub_with_pass):
        assert is_stub(stub)
        with pytest.raises(NotDone):
            call_answer(stub, 1, what="f")
    assert not is_stub(partly_written)
    assert call_answer(partly_written, 2, what="f") == 2
    with pytest.raises(Wrong, match="f returned None with -1"):
        call_answer(partly_written, -1, what="f")
    with pytest.raises(Wrong, match="for a negative input"):
        call_answer(partly_written, -1, what="f", case="for a negative input")


def test_every_learner_exception_is_incorrect_and_none_escapes():
    def exits(x):
        raise SystemExit(3)

    def divides(x):
        return 1 / 0

    for function, name in ((exits, "SystemExit"), (divides, "ZeroDivisionError")):
        with pytest.raises(Wrong, match=name):
            call_answer(function, 1, what="f")

    def checker(answer):
        call_answer(answer, 1, what="your function")

    exercise = Exercise("demo", checker, hint="", answer=lambda x: x)
    result = exercise.check(exits)
    assert result.status == "incorrect" and "SystemExit" in result.message


def test_keyboard_interrupt_is_not_swallowed():
    def interrupted(x):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        call_answer(interrupted, 1, what="f")


def test_a_checker_bug_is_reported_as_the_courses_fault():
    def buggy_checker(answer):
        return {}["missing"]

    result = Exercise("demo", buggy_checker, hint="", answer=1).check(1)
    assert result.status == "checker error"
    assert "bug in the course" in result.message and "KeyError" in result.message


def test_arguments_are_copied_so_the_learner_cannot_change_them():
    data = np.zeros(3)

    def mutates(x):
        x[:] = 5
        return x

    call_answer(mutates, data, what="f")
    assert np.all(data == 0)


def test_fresh_rng_draws_new_numbers_each_time():
    assert fresh_rng().normal() != fresh_rng().normal()


def test_exercise_constructor_validates():
    with pytest.raises(TypeError, match="`name` must be a non-empty string"):
        Exercise("", check_42, hint="", answer=1)
    with pytest.raises(TypeError, match="`checker` must be callable"):
        Exercise("x", 3, hint="", answer=1)
    with pytest.raises(TypeError, match="`answer` must be the reference solution"):
        Exercise("x", check_42, hint="", answer=None)


def test_call_answer_refuses_what_is_not_a_function():
    with pytest.raises(NotDone):
        call_answer(..., what="f")
    with pytest.raises(Wrong, match="f should be a function"):
        call_answer(3, what="f")


def test_expect_array_diagnoses():
    expected = np.arange(6.0).reshape(2, 3)
    expect_array(expected + 1e-7, expected, what="out")
    with pytest.raises(
        Wrong, match=r"out has shape \(3, 2\), but it should have shape"
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
    with pytest.raises(Wrong, match="None"):
        expect_array(None, expected, what="out")


def test_expect_number():
    expect_number(10, 10, what="n")
    with pytest.raises(Wrong, match="forgot the bias"):
        expect_number(9, 10, what="n", diagnoses={"forgot the bias": 9})
    with pytest.raises(Wrong, match="n is too large"):
        expect_number(11, 10, what="n")
    with pytest.raises(Wrong, match="n should be a number"):
        expect_number("10", 10, what="n")
    with pytest.raises(Wrong, match="not a finite number"):
        expect_number(float("nan"), 10, what="n")
    expect_number(10.0, 10, what="n")
    with pytest.raises(Wrong, match="give it as a whole number"):
        expect_number(10.0, 10, what="n", integer=True)


def test_messages_never_show_the_expected_number():
    for got in (9, 11, 10.5, -10):
        with pytest.raises(Wrong) as raised:
            expect_number(got, 1234, what="n")
        assert "1234" not in str(raised.value)
    assert framework.NOT_DONE_MESSAGE


def test_progress_lists_every_exercise_with_its_status():
    import types

    module = types.ModuleType("chapter")
    module.demo = EXERCISE
    module.other = Exercise("other", check_42, hint="", answer=answer_42)
    checklist = framework.progress(module, {"demo": answer_42, "other": lambda: 1})
    assert checklist.done == 1
    text = str(checklist)
    assert "✓ demo: correct" in text and "✗ other: incorrect" in text
    assert "1 of 2 correct" in text
    assert "other: not done" in str(framework.progress(module, {}))
    with pytest.raises(TypeError, match="`namespace`"):
        framework.progress(module, [1])
    with pytest.raises(ValueError, match="`exercises`"):
        framework.progress(types.ModuleType("empty"), {})
