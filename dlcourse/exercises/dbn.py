"""Exercises of the deep-belief-network chapter.

* ``hidden_probabilities`` - write ``p(h = 1 | v)`` for a batch (coding);
* ``free_energy`` - write the free energy ``F(v)`` (coding);
* ``cd1_update`` - write one CD-1 update with given random numbers (coding).

Each checker runs the learner's function on small fixed arrays and compares it with
:mod:`dlcourse.reference.rbm`; the diagnoses recognise the usual slips (a transposed weight matrix, a missing
bias, the wrong nonlinearity, a sign, a sum instead of a mean).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcourse.exercises.framework import (
    NOT_DONE_MESSAGE,
    Exercise,
    NotDone,
    Wrong,
    call_answer,
    expect_array,
)
from dlcourse.reference import rbm as reference
from dlcourse.reference.dense import sigmoid

#: The learning rate of the CD-1 exercise.
CD_LEARNING_RATE = 0.1


def _softplus(z: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, z)


def _problem(visible: int, hidden: int, rows: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    weights = rng.normal(0.0, 0.8, (visible, hidden))
    visible_bias = rng.normal(0.0, 0.5, visible)
    hidden_bias = rng.normal(0.0, 0.5, hidden)
    v = (rng.random((rows, visible)) < 0.5).astype(np.float64)
    return v, weights, visible_bias, hidden_bias


def _check_hidden_probabilities(answer: Any) -> str:
    # A square weight matrix first, so that a transposed one still runs and can be recognised.
    v, w, _, c = _problem(5, 5, 4, seed=11)
    got = call_answer(
        answer, v.copy(), w.copy(), c.copy(), what="your hidden_probabilities"
    )
    expect_array(
        got,
        reference.hidden_probabilities(v, w, c),
        what="p(h | v) for a batch of 4",
        diagnoses={
            "That uses the transposed weight matrix: W has shape (visible, hidden), so the pre-activation "
            "of hidden unit j is v @ W[:, j] + c[j], i.e. v @ W.": sigmoid(v @ w.T + c),
            "The hidden bias is missing: add c before the sigmoid.": sigmoid(v @ w),
            "That is the pre-activation: a probability needs the logistic sigmoid on top.": v
            @ w
            + c,
            "That is tanh, whose values are not probabilities: use the logistic sigmoid 1 / (1 + exp(-z)).": np.tanh(
                v @ w + c
            ),
            "The bias is subtracted: the pre-activation is v @ W + c.": sigmoid(
                v @ w - c
            ),
        },
    )
    v, w, _, c = _problem(7, 3, 2, seed=12)
    got = call_answer(
        answer, v.copy(), w.copy(), c.copy(), what="your hidden_probabilities"
    )
    expect_array(
        got,
        reference.hidden_probabilities(v, w, c),
        what="p(h | v) with 7 visible and 3 hidden units",
    )
    return (
        "Each hidden unit is an independent logistic unit given v: that is what makes the RBM "
        "'restricted'."
    )


hidden_probabilities = Exercise(
    "hidden_probabilities",
    _check_hidden_probabilities,
    hint="W has shape (visible, hidden). The input to hidden unit j is c[j] plus the sum over i of "
    "v[i] * W[i, j]; the probability is the logistic sigmoid of that. One matrix product does a batch.",
    solution="def hidden_probabilities(v, weights, hidden_bias):\n"
    "    return 1.0 / (1.0 + np.exp(-(v @ weights + hidden_bias)))",
)


def _check_free_energy(answer: Any) -> str:
    # As many rows as hidden units, so that a sum over the wrong axis still runs and can be recognised.
    v, w, b, c = _problem(6, 4, 4, seed=21)
    got = call_answer(
        answer, v.copy(), w.copy(), b.copy(), c.copy(), what="your free_energy"
    )
    pre = v @ w + c
    expect_array(
        got,
        reference.free_energy(v, w, b, c),
        what="F(v) for a batch of 4",
        diagnoses={
            "The visible-bias term -v.b is missing.": -_softplus(pre).sum(axis=1),
            "The hidden bias is missing inside the softplus: use softplus(v @ W + c).": -(
                v @ b
            )
            - _softplus(v @ w).sum(axis=1),
            "That is -F(v): both terms of the free energy carry a minus sign.": (v @ b)
            + _softplus(pre).sum(axis=1),
            "Summing h out of exp(-E) gives log(1 + exp(x)) per hidden unit (softplus), not a sigmoid.": -(
                v @ b
            )
            - sigmoid(pre).sum(axis=1),
            "Summed over the batch instead of over the hidden units: sum along axis=1, one value per row.": -(
                v @ b
            )
            - _softplus(pre).sum(axis=0),
            "That is one value per (row, hidden unit): sum the softplus terms over the hidden units.": -(
                v @ b
            )[:, None]
            - _softplus(pre),
        },
    )
    v, w, b, c = _problem(5, 3, 7, seed=22)
    got = call_answer(
        answer, v.copy(), w.copy(), b.copy(), c.copy(), what="your free_energy"
    )
    expect_array(
        got,
        reference.free_energy(v, w, b, c),
        what="F(v) for a batch of 7 with 3 hidden units",
    )
    return "Lower free energy means higher probability: p(v) = exp(-F(v)) / Z."


free_energy = Exercise(
    "free_energy",
    _check_free_energy,
    hint="Sum exp(-E(v, h)) over all h: each hidden unit contributes a factor 1 + exp(c_j + v W[:, j]). Take "
    "minus the log: one term from the visible bias, and one softplus per hidden unit. "
    "np.logaddexp(0, x) is a stable softplus.",
    solution="def free_energy(v, weights, visible_bias, hidden_bias):\n"
    "    return -(v @ visible_bias) - np.logaddexp(0.0, v @ weights + hidden_bias).sum(axis=1)",
)


def _wrong_cd1(
    v0: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    c: np.ndarray,
    u_h: np.ndarray,
    u_v: np.ndarray,
    mistake: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The update as it comes out with one typical mistake (used for the diagnoses)."""
    lr = CD_LEARNING_RATE
    p0 = sigmoid(v0 @ w + c)
    h0 = (u_h < p0).astype(float)
    pv = sigmoid(h0 @ w.T + b)
    v1 = (u_v < pv).astype(float)
    if mistake == "mean-field visible":
        v1 = pv
    p1 = sigmoid(v1 @ w + c)
    positive = h0 if mistake == "sampled positive" else p0
    rows = 1 if mistake == "sum" else len(v0)
    grad_w = (v0.T @ positive - v1.T @ p1) / rows
    grad_b = (v0 - v1).sum(axis=0) / rows
    grad_c = (positive - p1).sum(axis=0) / rows
    sign = -1.0 if mistake == "descent" else 1.0
    if mistake == "no biases":
        grad_b, grad_c = 0.0 * grad_b, 0.0 * grad_c
    return w + sign * lr * grad_w, b + sign * lr * grad_b, c + sign * lr * grad_c


def _check_cd1_update(answer: Any) -> str:
    v0, w, b, c = _problem(6, 4, 8, seed=31)
    rng = np.random.default_rng(32)
    u_h, u_v = rng.random((8, 4)), rng.random((8, 6))
    got = call_answer(
        answer,
        v0.copy(),
        w.copy(),
        b.copy(),
        c.copy(),
        u_h.copy(),
        u_v.copy(),
        CD_LEARNING_RATE,
        what="your cd1_update",
    )
    if got is None or got is Ellipsis:
        raise NotDone(NOT_DONE_MESSAGE)
    if not isinstance(got, tuple | list) or len(got) != 3:
        raise Wrong(
            "Return three arrays, (new_weights, new_visible_bias, new_hidden_bias), as a tuple."
        )
    expected = reference.cd_k_update(
        v0,
        w,
        b,
        c,
        hidden_uniforms=u_h[None],
        visible_uniforms=u_v[None],
        learning_rate=CD_LEARNING_RATE,
    ).parameters
    messages = {
        "descent": "Every parameter moved the wrong way: CD estimates the gradient of the log-likelihood, "
        "which you climb (add learning_rate times data statistics minus chain statistics).",
        "sum": "The step is batch-size times too large: average the statistics over the batch, do not sum "
        "them.",
        "sampled positive": "The data term uses the binary sample h0; the update asked for uses the "
        "probabilities p(h | v0) there (less noise, same expectation).",
        "mean-field visible": "The negative phase uses p(v | h0) instead of the binary sample v1 drawn with "
        "the visible uniforms.",
        "no biases": "The biases did not move: they have updates too, mean(v0 - v1) and "
        "mean(p(h | v0) - p(h | v1)).",
    }
    names = ("the new weights", "the new visible bias", "the new hidden bias")
    for index, name in enumerate(names):
        diagnoses = {
            message: _wrong_cd1(v0, w, b, c, u_h, u_v, mistake)[index]
            for mistake, message in messages.items()
        }
        if index == 0:
            # Keras-style (hidden, visible) gradients give a transposed matrix of the wrong shape.
            diagnoses[
                "The weight update has shape (hidden, visible): W and its gradient are "
                "(visible, hidden), so the statistic is v.T @ p(h | v)."
            ] = expected.weights.T
        expect_array(got[index], expected[index], what=name, diagnoses=diagnoses)
    return "That is Hinton's CD-1: the same update the Keras RBM's train_step makes."


cd1_update = Exercise(
    "cd1_update",
    _check_cd1_update,
    hint="p0 = p(h | v0); h0 = (u_h < p0); v1 = (u_v < p(v | h0)); p1 = p(h | v1). The weight estimate is "
    "(v0.T @ p0 - v1.T @ p1) / batch; the biases use the means of v0 - v1 and p0 - p1. Add "
    "learning_rate times each.",
    solution="def cd1_update(v0, weights, visible_bias, hidden_bias, u_h, u_v, learning_rate):\n"
    "    sigmoid = lambda z: 1 / (1 + np.exp(-z))\n"
    "    p0 = sigmoid(v0 @ weights + hidden_bias)\n"
    "    h0 = (u_h < p0).astype(float)\n"
    "    v1 = (u_v < sigmoid(h0 @ weights.T + visible_bias)).astype(float)\n"
    "    p1 = sigmoid(v1 @ weights + hidden_bias)\n"
    "    n = len(v0)\n"
    "    return (weights + learning_rate * (v0.T @ p0 - v1.T @ p1) / n,\n"
    "            visible_bias + learning_rate * (v0 - v1).mean(axis=0),\n"
    "            hidden_bias + learning_rate * (p0 - p1).mean(axis=0))",
)
