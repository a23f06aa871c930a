"""Each checker of the chapter "Gated networks at work": the right answer, typical
mistakes.

A stub is "not done"; a typical wrong answer is "incorrect" with a message that names
the mistake, and no message gives away an expected value.
"""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse.exercises import gated_uses as exercises

pytestmark = pytest.mark.gated_uses

EXERCISES = [exercises.frame_count, exercises.masked_mean]


def _stub(*_args):
    """Your code here."""
    ...


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_reference_answer_passes_and_stubs_are_not_done(exercise) -> None:
    for _ in range(3):  # fresh random cases at every check
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


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (lambda s, n, k: -(-s // k), "run past its end"),
        (lambda s, n, k: (s - n) // k, "one frame short"),
        (lambda s, n, k: s // k, "frame"),
        (lambda s, n, k: float(1 + (s - n) // k) if s >= n else 0.0, "whole number"),
    ],
)
def test_frame_count_names_typical_mistakes(wrong, words) -> None:
    result = exercises.frame_count.check(wrong)
    assert result.status == "incorrect"
    assert words in result.message, result.message


def test_frame_count_without_the_short_clip_case_is_wrong() -> None:
    result = exercises.frame_count.check(lambda s, n, k: 1 + (s - n) // k)
    assert result.status == "incorrect"


def _inside(x, lengths):
    return (np.arange(x.shape[1])[None, :] < lengths[:, None])[:, :, None]


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (lambda x, n: (x * _inside(x, n)).mean(axis=1), "padded length"),
        (lambda x, n: x.mean(axis=1), "padd"),
        (lambda x, n: (x * _inside(x, n)).sum(axis=1), "without dividing"),
        (lambda x, n: x.sum(axis=1) / n[:, None], "values are off"),  # junk padding
        (lambda x, n: (x * _inside(x, n)).sum(axis=2) / x.shape[2], "wrong axis"),
    ],
)
def test_masked_mean_names_typical_mistakes(wrong, words) -> None:
    # The junk-padding mistake shows only on some random cases: check a few times.
    messages = [exercises.masked_mean.check(wrong) for _ in range(6)]
    assert all(result.status == "incorrect" for result in messages)
    assert any(words in result.message for result in messages), [
        result.message for result in messages
    ]


def test_messages_never_contain_the_expected_values() -> None:
    result = exercises.masked_mean.check(lambda x, n: x.mean(axis=1) + 1.0)
    assert result.status == "incorrect"
    x = np.random.default_rng(5).normal(size=(3, 6, 2))
    assert f"{x[0].mean():.3f}" not in result.message
    assert "24" not in exercises.frame_count.check(lambda s, n, k: 7).message
