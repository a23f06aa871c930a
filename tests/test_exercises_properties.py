"""Properties every exercise of every chapter has, checked automatically.

The exercises are discovered from ``dlcourse.exercises``, so a new one is covered
without anyone remembering to add it. For each: the reference answer is correct; an
untouched stub is "not done"; an answer that returns a constant, returns None for some
input, returns NaN or raises (``SystemExit`` included) is "incorrect", never a checker
error or a traceback; the checker tries several inputs, drawn afresh at every check; a
wrong number is never told the right one.
"""

from __future__ import annotations

import importlib
import numbers
import pkgutil

import numpy as np
import pytest

import dlcourse.exercises
from dlcourse.exercises.framework import Exercise


def _discover() -> list[tuple[str, Exercise]]:
    found = []
    for module_info in pkgutil.iter_modules(dlcourse.exercises.__path__):
        if module_info.name == "framework":
            continue
        module = importlib.import_module(f"dlcourse.exercises.{module_info.name}")
        for name, value in vars(module).items():
            if isinstance(value, Exercise):
                found.append((f"{module_info.name}.{name}", value))
    return found


EXERCISES = _discover()
FUNCTIONS = [(name, e) for name, e in EXERCISES if callable(e.answer)]
VALUES = [(name, e) for name, e in EXERCISES if not callable(e.answer)]


class Recorder:
    """Wraps the reference answer and records every call's arguments."""

    def __init__(self, answer, behave):
        self.answer = answer
        self.behave = behave
        self.calls: list[tuple] = []

    def __call__(self, *args):
        self.calls.append(args)
        return self.behave(self, self.answer(*args))


def _nan_like(result):
    if isinstance(result, tuple):
        return (
            type(result)(*(_nan_like(r) for r in result))
            if hasattr(result, "_fields")
            else tuple(_nan_like(r) for r in result)
        )
    if isinstance(result, numbers.Number):
        return float("nan")
    return np.full(np.shape(result), np.nan)


def _same(a, b) -> bool:
    """Equal arguments, compared through tuples, lists and arrays."""
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.shape(a) == np.shape(b) and np.array_equal(a, b)
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def test_the_course_has_exercises():
    assert len(EXERCISES) >= 20, [name for name, _ in EXERCISES]


@pytest.mark.parametrize(("name", "exercise"), EXERCISES, ids=[n for n, _ in EXERCISES])
def test_the_reference_answer_is_correct(name, exercise):
    result = exercise.check(exercise.answer)
    assert result.status == "correct", str(result)
    assert str(exercise.solution()).strip(), "the solution shows nothing"
    assert exercise.check(...).status == "not done"


@pytest.mark.parametrize(("name", "exercise"), FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_stubs_are_not_done(name, exercise):
    def stub(*args): ...

    def stub_raising(*args):
        raise NotImplementedError

    for function in (stub, stub_raising):
        result = exercise.check(function)
        assert result.status == "not done", str(result)


@pytest.mark.parametrize(("name", "exercise"), FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_several_inputs_drawn_afresh_at_every_check(name, exercise):
    first = Recorder(exercise.answer, lambda self, result: result)
    second = Recorder(exercise.answer, lambda self, result: result)
    assert exercise.check(first).passed and exercise.check(second).passed
    assert len(first.calls) >= 2, "the checker calls the learner's function only once"
    assert not all(
        _same(a, b) for a, b in zip(first.calls, second.calls, strict=False)
    ), "two checks called the learner's function on the same inputs: draw some afresh"


@pytest.mark.parametrize(("name", "exercise"), FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_a_constant_answer_is_incorrect(name, exercise):
    def first_result_forever(self, result):
        if not hasattr(self, "kept"):
            self.kept = result
        return self.kept

    result = exercise.check(Recorder(exercise.answer, first_result_forever))
    assert result.status == "incorrect", str(result)


@pytest.mark.parametrize(("name", "exercise"), FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_a_partly_written_answer_is_incorrect_and_says_so(name, exercise):
    def right_once_then_none(self, result):
        return result if len(self.calls) == 1 else None

    result = exercise.check(Recorder(exercise.answer, right_once_then_none))
    assert result.status == "incorrect", str(result)
    assert "None" in result.message


@pytest.mark.parametrize(("name", "exercise"), FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_nan_and_exceptions_are_incorrect_not_crashes(name, exercise):
    nan = exercise.check(
        Recorder(exercise.answer, lambda self, result: _nan_like(result))
    )
    assert nan.status == "incorrect", str(nan)

    def exits(*args):
        raise SystemExit(1)

    def fails(*args):
        return [][1]

    for function, error in ((exits, "SystemExit"), (fails, "IndexError")):
        result = exercise.check(function)
        assert result.status == "incorrect" and error in result.message, str(result)
    assert exercise.check(42).status == "incorrect"


@pytest.mark.parametrize(("name", "exercise"), VALUES, ids=[n for n, _ in VALUES])
def test_a_wrong_value_is_incorrect_and_not_told_the_answer(name, exercise):
    answer = exercise.answer
    wrong = ["a string", float("nan"), {"a": 1}]
    if isinstance(answer, numbers.Number) and not isinstance(answer, bool):
        wrong += [answer + 1, answer - 1, answer * 2]
    for value in wrong:
        result = exercise.check(value)
        assert result.status == "incorrect", f"{value!r}: {result}"
        if isinstance(answer, numbers.Number):
            assert str(answer) not in result.message, f"{value!r} was told the answer"
