"""Every checker of the deep-belief-network chapter on the right answer, on no answer
and on typical wrong ones: constant, input-ignoring, partial, NaN, the usual slips."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from dlcourse.exercises import dbn as exercises
from dlcourse.reference.rbm import RBMWeights

pytestmark = pytest.mark.dbn

EXERCISES = (
    exercises.hidden_probabilities,
    exercises.free_energy,
    exercises.cd1_update,
    exercises.log_partition,
)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def softplus(z):
    return np.logaddexp(0.0, z)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_reference_answer_is_correct_and_stub_is_not_done(exercise) -> None:
    assert exercise.check(exercise.answer).status == "correct"
    assert exercise.check(...).status == "not done"

    def stub(*args):
        raise NotImplementedError

    assert exercise.check(stub).status == "not done"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_solution_shows_the_answer_under_the_learners_name(exercise) -> None:
    solution = exercise.solution()
    assert f"def {exercise.name}(" in solution.code
    assert len(exercise.hint().text) > 40 and solution.explanation


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_answers_that_ignore_their_input_fail(exercise) -> None:
    # The value the reference gives on the first fixed case, returned for every input:
    # right once, wrong on the fresh random case.
    remembered = {}

    def first_answer_forever(*args):
        if "value" not in remembered:
            remembered["value"] = exercise.answer(*args)
        return remembered["value"]

    result = exercise.check(first_answer_forever)
    assert result.status == "incorrect", result
    assert "fresh random" in result.message


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_nan_and_exceptions_are_incorrect_not_checker_errors(exercise) -> None:
    def nan_answer(*args):
        result = exercise.answer(*args)
        if isinstance(result, tuple):
            return type(result)(*(np.full_like(part, np.nan) for part in result))
        return np.full_like(np.asarray(result, dtype=float), np.nan)[()]

    def raises(*args):
        return 1 / 0

    for answer in (nan_answer, raises):
        result = exercise.check(answer)
        assert result.status == "incorrect", result


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_partial_answer_returning_none_is_incorrect_and_names_the_case(
    exercise,
) -> None:
    calls = []

    def partial(*args):
        calls.append(1)
        return exercise.answer(*args) if len(calls) == 1 else None

    result = exercise.check(partial)
    assert result.status == "incorrect"
    assert "returned None" in result.message and "fresh random" in result.message


def test_messages_do_not_reveal_the_expected_value() -> None:
    result = exercises.log_partition.check(lambda weights: 0.0)
    assert result.status == "incorrect"
    assert "too small" in result.message or "too large" in result.message
    assert not any(character.isdigit() for character in result.message.split("RBM")[-1])


# ---- p(h | v) ----


@pytest.mark.parametrize(
    ("wrong", "phrase"),
    [
        (lambda v, w: sigmoid(v @ w.kernel.T + w.hidden_bias), "transposed kernel"),
        (lambda v, w: sigmoid(v @ w.kernel), "hidden bias is missing"),
        (lambda v, w: v @ w.kernel + w.hidden_bias, "pre-activation"),
        (lambda v, w: np.tanh(v @ w.kernel + w.hidden_bias), "tanh"),
        (lambda v, w: sigmoid(v @ w.kernel - w.hidden_bias), "subtracted"),
        (
            lambda v, w: (sigmoid(v @ w.kernel + w.hidden_bias) > 0.5).astype(float),
            "off by up to",
        ),
        (lambda v, w: np.full((4, 5), 0.5), "off by up to"),
    ],
)
def test_hidden_probabilities_diagnoses(wrong, phrase: str) -> None:
    result = exercises.hidden_probabilities.check(wrong)
    assert result.status == "incorrect"
    assert phrase in result.message


# ---- free energy ----


def _pre(v, w):
    return v @ w.kernel + w.hidden_bias


@pytest.mark.parametrize(
    ("wrong", "phrase"),
    [
        (lambda v, w: -softplus(_pre(v, w)).sum(axis=1), "visible-bias term"),
        (
            lambda v, w: -(v @ w.visible_bias) - softplus(v @ w.kernel).sum(axis=1),
            "hidden bias is missing",
        ),
        (lambda v, w: (v @ w.visible_bias) + softplus(_pre(v, w)).sum(axis=1), "-F(v)"),
        (
            lambda v, w: -(v @ w.visible_bias) - sigmoid(_pre(v, w)).sum(axis=1),
            "softplus",
        ),
        (
            lambda v, w: -(v @ w.visible_bias)[:, None] - softplus(_pre(v, w)),
            "one value per (row, hidden unit)",
        ),
        (
            lambda v, w: -(v @ w.visible_bias) - softplus(_pre(v, w)).sum(axis=0),
            "Summed over the batch",
        ),
        (lambda v, w: np.zeros(4), "off by up to"),
        (lambda v, w: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_free_energy_diagnoses(wrong, phrase: str) -> None:
    result = exercises.free_energy.check(wrong)
    assert result.status == "incorrect"
    assert phrase in result.message


# ---- CD-1 ----


def make_cd1(
    *,
    positive="probabilities",
    visible="sample",
    sign=1.0,
    reduce="mean",
    biases=True,
    transpose=False,
):
    def cd1(v0, weights, u_h, u_v, rate):
        w, b, c = weights
        p0 = sigmoid(v0 @ w + c)
        h0 = (u_h < p0).astype(float)
        pv = sigmoid(h0 @ w.T + b)
        v1 = (u_v < pv).astype(float) if visible == "sample" else pv
        p1 = sigmoid(v1 @ w + c)
        pos = p0 if positive == "probabilities" else h0
        n = len(v0) if reduce == "mean" else 1
        grad_w = (v0.T @ pos - v1.T @ p1) / n
        new_w = (w + rate * grad_w).T if transpose else w + sign * rate * grad_w
        step_b = sign * rate * (v0 - v1).sum(axis=0) / n if biases else 0.0
        step_c = sign * rate * (pos - p1).sum(axis=0) / n if biases else 0.0
        return RBMWeights(new_w, b + step_b, c + step_c)

    return cd1


def test_cd1_plain_tuple_is_accepted() -> None:
    def as_tuple(*args):
        return tuple(make_cd1()(*args))

    assert exercises.cd1_update.check(as_tuple).status == "correct"


@pytest.mark.parametrize(
    ("wrong", "phrase"),
    [
        (make_cd1(sign=-1.0), "wrong way"),
        (make_cd1(reduce="sum"), "batch-size times too large"),
        (make_cd1(positive="samples"), "binary sample h0"),
        (make_cd1(visible="probabilities"), "a valid variant"),
        (make_cd1(biases=False), "biases did not move"),
        (make_cd1(transpose=True), "shape (hidden, visible)"),
        (lambda v0, weights, *rest: weights, "off by up to"),
        (lambda v0, weights, *rest: weights.kernel, "three updated arrays"),
    ],
)
def test_cd1_diagnoses(wrong, phrase: str) -> None:
    result = exercises.cd1_update.check(wrong)
    assert result.status == "incorrect"
    assert phrase in result.message


# ---- exact log Z ----


def _log_terms(weights, with_visible_bias=True):
    w, b, c = weights
    all_h = np.array(list(itertools.product([0.0, 1.0], repeat=len(c))))
    bias = b if with_visible_bias else 0.0
    return all_h @ c + softplus(all_h @ w.T + bias).sum(axis=1)


@pytest.mark.parametrize(
    ("wrong", "phrase"),
    [
        (lambda w: float(np.exp(_log_terms(w)).sum()), "That is Z itself"),
        (
            lambda w: float(
                np.logaddexp.reduce(_log_terms(w, with_visible_bias=False))
            ),
            "visible biases are missing",
        ),
        (lambda w: float(_log_terms(w).max()), "too small"),
        (lambda w: np.array([1.0, 2.0]), "should be a number"),
    ],
)
def test_log_partition_diagnoses(wrong, phrase: str) -> None:
    result = exercises.log_partition.check(wrong)
    assert result.status == "incorrect"
    assert phrase in result.message
