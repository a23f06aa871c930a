"""Each checker of the sequence-models chapter: the right answer, typical mistakes.

A stub is "not done"; the reference answer is correct on fresh random cases; each
typical wrong answer is "incorrect" with the message that names its mistake.
"""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse.exercises import sequence_models as exercises

pytestmark = pytest.mark.sequence_models

EXERCISES = [
    exercises.teacher_forcing_inputs,
    exercises.free_running,
    exercises.gaussian_mixture_nll,
]


def _stub(*_args):
    """Your code here."""
    ...


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_reference_answer_passes_and_stubs_are_not_done(exercise) -> None:
    for _ in range(3):
        result = exercise.check(exercise.answer)
        assert result.status == "correct", result.message
    for stub in (..., None, _stub):
        assert exercise.check(stub).status == "not done"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_solution_shows_the_reference_answer_under_the_learner_name(exercise) -> None:
    solution = exercise.solution()
    assert f"def {exercise.name}(" in solution.code
    namespace: dict = {"np": np}
    exec(solution.code, namespace)
    assert exercise.check(namespace[exercise.name]).status == "correct"


def _incorrect(exercise, answer, words: str) -> None:
    result = exercise.check(answer)
    assert result.status == "incorrect", result
    assert words in result.message, result.message


# --- teacher_forcing_inputs ----------------------------------------------------------


def test_teacher_forcing_mistakes() -> None:
    exercise = exercises.teacher_forcing_inputs
    _incorrect(exercise, lambda y: y.copy(), "copy its input")
    _incorrect(
        exercise,
        lambda y: np.concatenate([y[:, 1:], np.zeros_like(y[:, :1])], axis=1),
        "wrong way",
    )
    _incorrect(exercise, lambda y: np.roll(y, 1, axis=1), "wraps around")
    _incorrect(
        exercise,
        lambda y: np.concatenate([np.zeros_like(y[:1]), y[:-1]], axis=0),
        "batch axis",
    )
    _incorrect(exercise, lambda y: y[:, :-1], "shape")


# --- free_running --------------------------------------------------------------------


def test_free_running_mistakes() -> None:
    exercise = exercises.free_running

    def same_input(predict, first, steps):
        return np.stack([predict(first) for _ in range(steps)], axis=1)

    def starts_with_first(predict, first, steps):
        outputs, y = [first], first
        for _ in range(steps - 1):
            y = predict(y)
            outputs.append(y)
        return np.stack(outputs, axis=1)

    def time_first(predict, first, steps):
        return np.swapaxes(exercises.free_running.answer(predict, first, steps), 0, 1)

    def one_step_short(predict, first, steps):
        return exercises.free_running.answer(predict, first, steps - 1)

    _incorrect(exercise, same_input, "same input")
    _incorrect(exercise, starts_with_first, "starts with `first`")
    _incorrect(exercise, time_first, "axes are swapped")
    _incorrect(exercise, one_step_short, "shape")


# --- gaussian_mixture_nll ------------------------------------------------------------


def _nll(weights, means, scales, x, *, constant=True, log_scale=True, sign=1.0):
    z = (x[:, None, :] - means) / scales
    log_gaussian = -0.5 * np.sum(z**2, axis=-1)
    if log_scale:
        log_gaussian -= np.sum(np.log(scales), axis=-1)
    if constant:
        log_gaussian -= np.log(2 * np.pi)
    return -sign * np.log(np.sum(weights * np.exp(log_gaussian), axis=1))


def test_mixture_nll_mistakes() -> None:
    exercise = exercises.gaussian_mixture_nll

    def mean_of_logs(weights, means, scales, x):
        z = (x[:, None, :] - means) / scales
        log_gaussian = -np.sum(np.log(scales) + 0.5 * z**2, axis=-1) - np.log(2 * np.pi)
        return -np.sum(weights * log_gaussian, axis=1)

    _incorrect(exercise, lambda *a: _nll(*a, constant=False), "2 pi")
    _incorrect(exercise, lambda *a: _nll(*a, log_scale=False), "width")
    _incorrect(exercise, mean_of_logs, "averaged")
    _incorrect(exercise, lambda w, m, s, x: _nll(w, m, s**2, x), "variance")
    _incorrect(exercise, lambda *a: _nll(*a, sign=-1.0), "negative")
    _incorrect(exercise, lambda *a: _nll(*a)[None], "shape")


def test_log_space_answer_is_also_right() -> None:
    def log_space(weights, means, scales, x):
        z = (x[:, None, :] - means) / scales
        log_gaussian = -np.sum(np.log(scales) + 0.5 * z**2, axis=-1) - np.log(2 * np.pi)
        return -np.logaddexp.reduce(np.log(weights) + log_gaussian, axis=1)

    assert exercises.gaussian_mixture_nll.check(log_space).status == "correct"
