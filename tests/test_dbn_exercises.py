"""Every checker of the deep-belief-network chapter on the right answer, on no answer and on typical slips."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse.exercises import dbn as exercises


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def softplus(z):
    return np.logaddexp(0.0, z)


# ---- p(h | v) -------------------------------------------------------------------------------------------


def p_h_right(v, w, c):
    return sigmoid(v @ w + c)


def test_hidden_probabilities_right_and_not_done() -> None:
    assert exercises.hidden_probabilities.check(p_h_right).status == "correct"
    assert exercises.hidden_probabilities.check(...).status == "not done"

    def stub(v, w, c):
        raise NotImplementedError

    assert exercises.hidden_probabilities.check(stub).status == "not done"

    def stub_dots(v, w, c): ...

    assert exercises.hidden_probabilities.check(stub_dots).status == "not done"


@pytest.mark.parametrize(
    ("wrong", "phrase"),
    [
        (lambda v, w, c: sigmoid(v @ w.T + c), "transposed weight matrix"),
        (lambda v, w, c: sigmoid(v @ w), "hidden bias is missing"),
        (lambda v, w, c: v @ w + c, "pre-activation"),
        (lambda v, w, c: np.tanh(v @ w + c), "tanh"),
        (lambda v, w, c: sigmoid(v @ w - c), "subtracted"),
        (lambda v, w, c: (sigmoid(v @ w + c) > 0.5).astype(float), "off by up to"),
    ],
)
def test_hidden_probabilities_diagnoses(wrong, phrase: str) -> None:
    result = exercises.hidden_probabilities.check(wrong)
    assert result.status == "incorrect"
    assert phrase in result.message


# ---- free energy ----------------------------------------------------------------------------------------


def free_energy_right(v, w, b, c):
    return -(v @ b) - softplus(v @ w + c).sum(axis=1)


def test_free_energy_right_and_not_done() -> None:
    assert exercises.free_energy.check(free_energy_right).status == "correct"
    assert exercises.free_energy.check(None).status == "not done"


@pytest.mark.parametrize(
    ("wrong", "phrase"),
    [
        (lambda v, w, b, c: -softplus(v @ w + c).sum(axis=1), "visible-bias term"),
        (
            lambda v, w, b, c: -(v @ b) - softplus(v @ w).sum(axis=1),
            "hidden bias is missing",
        ),
        (lambda v, w, b, c: (v @ b) + softplus(v @ w + c).sum(axis=1), "-F(v)"),
        (lambda v, w, b, c: -(v @ b) - sigmoid(v @ w + c).sum(axis=1), "softplus"),
        (
            lambda v, w, b, c: -(v @ b)[:, None] - softplus(v @ w + c),
            "one value per (row, hidden unit)",
        ),
        (
            lambda v, w, b, c: -(v @ b) - softplus(v @ w + c).sum(axis=0),
            "Summed over the batch",
        ),
        (lambda v, w, b, c: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_free_energy_diagnoses(wrong, phrase: str) -> None:
    result = exercises.free_energy.check(wrong)
    assert result.status == "incorrect"
    assert phrase in result.message


# ---- CD-1 -----------------------------------------------------------------------------------------------


def make_cd1(
    *,
    positive="probabilities",
    visible="sample",
    sign=1.0,
    reduce="mean",
    biases=True,
    transpose=False,
):
    def cd1(v0, w, b, c, u_h, u_v, lr):
        p0 = sigmoid(v0 @ w + c)
        h0 = (u_h < p0).astype(float)
        pv = sigmoid(h0 @ w.T + b)
        v1 = (u_v < pv).astype(float) if visible == "sample" else pv
        p1 = sigmoid(v1 @ w + c)
        pos = p0 if positive == "probabilities" else h0
        n = len(v0) if reduce == "mean" else 1
        grad_w = (v0.T @ pos - v1.T @ p1) / n
        if transpose:
            grad_w = grad_w.T
            new_w = grad_w * lr + w.T
        else:
            new_w = w + sign * lr * grad_w
        step_b = sign * lr * (v0 - v1).sum(axis=0) / n if biases else 0.0
        step_c = sign * lr * (pos - p1).sum(axis=0) / n if biases else 0.0
        return new_w, b + step_b, c + step_c

    return cd1


def test_cd1_right_and_not_done() -> None:
    assert exercises.cd1_update.check(make_cd1()).status == "correct"
    assert exercises.cd1_update.check(...).status == "not done"

    def stub(v0, w, b, c, u_h, u_v, lr): ...

    assert exercises.cd1_update.check(stub).status == "not done"


@pytest.mark.parametrize(
    ("wrong", "phrase"),
    [
        (make_cd1(sign=-1.0), "wrong way"),
        (make_cd1(reduce="sum"), "batch-size times too large"),
        (make_cd1(positive="samples"), "binary sample h0"),
        (make_cd1(visible="probabilities"), "instead of the binary sample v1"),
        (make_cd1(biases=False), "biases did not move"),
        (make_cd1(transpose=True), "shape (hidden, visible)"),
        (lambda *args: args[1], "three arrays"),
    ],
)
def test_cd1_diagnoses(wrong, phrase: str) -> None:
    result = exercises.cd1_update.check(wrong)
    assert result.status == "incorrect"
    assert phrase in result.message


def test_hints_and_solutions_are_text() -> None:
    for exercise in (
        exercises.hidden_probabilities,
        exercises.free_energy,
        exercises.cd1_update,
    ):
        assert len(exercise.hint().text) > 40
        assert "def " in exercise.solution().text


def test_solutions_pass_their_own_checks() -> None:
    for exercise in (
        exercises.hidden_probabilities,
        exercises.free_energy,
        exercises.cd1_update,
    ):
        namespace = {"np": np}
        exec(exercise.solution().text, namespace)  # noqa: S102 - our own solution text
        function = next(
            value for key, value in namespace.items() if callable(value) and key != "np"
        )
        assert exercise.check(function).status == "correct", exercise.name
