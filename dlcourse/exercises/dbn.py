"""Exercises of the deep-belief-network chapter (Chapter 4), easy to hard.

* ``hidden_probabilities`` - write ``p(h = 1 | v)`` for a batch (coding);
* ``free_energy`` - write the free energy ``F(v)`` (coding);
* ``cd1_update`` - write one CD-1 update with given random numbers (coding);
* ``log_partition`` - compute an RBM's exact ``log Z`` by summing over the hidden states
  (coding, hard).

Each checker calls the learner's function on fixed cases, where the diagnoses recognise
the usual slips (a transposed weight matrix, a missing bias, the wrong nonlinearity, a
sign, a sum instead of a mean), and on a case drawn fresh at every check; the expected
values come from :mod:`dlcourse.reference.rbm`. The weights travel in an
:class:`~dlcourse.reference.rbm.RBMWeights` ``(kernel, visible_bias, hidden_bias)``.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from dlcourse.exercises.framework import (
    Exercise,
    Wrong,
    call_answer,
    expect_array,
    expect_number,
    fresh_rng,
)
from dlcourse.reference import rbm as reference
from dlcourse.reference.activations import sigmoid
from dlcourse.reference.rbm import RBMWeights

#: The learning rate of the CD-1 exercise.
CD_LEARNING_RATE = 0.1


def _softplus(z: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, z)


def _problem(
    visible: int, hidden: int, rows: int, rng: np.random.Generator
) -> tuple[np.ndarray, RBMWeights]:
    """A random binary batch and random weights (large enough to matter)."""
    weights = RBMWeights(
        rng.normal(0.0, 0.8, (visible, hidden)),
        rng.normal(0.0, 0.5, visible),
        rng.normal(0.0, 0.5, hidden),
    )
    v = (rng.random((rows, visible)) < 0.5).astype(np.float64)
    return v, weights


def _fresh_problem() -> tuple[np.ndarray, RBMWeights, str]:
    rng = fresh_rng()
    visible, hidden, rows = (int(n) for n in rng.integers(2, 9, size=3))
    v, weights = _problem(visible, hidden, rows, rng)
    case = (
        f"on a fresh random batch of {rows} ({visible} visible, {hidden} hidden units)"
    )
    return v, weights, case


# ---- p(h | v) ----


def hidden_probabilities(v: np.ndarray, weights: RBMWeights) -> np.ndarray:
    """p(h = 1 | v) = sigmoid(v W + c) for a whole batch at once."""
    return 1.0 / (1.0 + np.exp(-(v @ weights.kernel + weights.hidden_bias)))


def _check_hidden_probabilities(answer: Any) -> str:
    what = "your hidden_probabilities"
    # A square kernel first, so that a transposed one still runs and can be recognised.
    v, weights = _problem(5, 5, 4, np.random.default_rng(11))
    W, _, c = weights
    got = call_answer(answer, v, weights, what=what, case="on a batch of 4 (5 x 5)")
    expect_array(
        got,
        reference.hidden_probabilities(v, weights),
        what="p(h | v) for a batch of 4",
        diagnoses={
            "That uses the transposed kernel: W has shape (visible, hidden), so the "
            "input of hidden unit j is v @ W[:, j] + c[j], i.e. v @ W.": sigmoid(
                v @ W.T + c
            ),
            "The hidden bias is missing: add c before the sigmoid.": sigmoid(v @ W),
            "That is the pre-activation: a probability needs the logistic sigmoid on "
            "top.": v @ W + c,
            "That is tanh, whose values are not probabilities: use the logistic "
            "sigmoid 1 / (1 + exp(-z)).": np.tanh(v @ W + c),
            "The bias is subtracted: the pre-activation is v @ W + c.": sigmoid(
                v @ W - c
            ),
        },
    )
    v, weights, case = _fresh_problem()
    got = call_answer(answer, v, weights, what=what, case=case)
    expect_array(
        got, reference.hidden_probabilities(v, weights), what=f"p(h | v) {case}"
    )
    return (
        "Each hidden unit is an independent logistic unit given v: that is what makes "
        "the RBM 'restricted'."
    )


hidden_probabilities = Exercise(
    "hidden_probabilities",
    _check_hidden_probabilities,
    hint="weights.kernel has shape (visible, hidden). What is the input of hidden unit "
    "j, and which function turns an input into a probability? One matrix product "
    "handles the whole batch.",
    answer=hidden_probabilities,
    explanation="One matrix product gives every hidden unit's input for the whole "
    "batch; the logistic sigmoid turns it into a probability. Because the hidden units "
    "are not connected to each other, this one line is the whole conditional "
    "distribution.",
)


# ---- free energy ----


def free_energy(v: np.ndarray, weights: RBMWeights) -> np.ndarray:
    """F(v) = -v.b - sum_j softplus(c_j + v W[:, j]), one value per row."""
    W, b, c = weights
    return -(v @ b) - np.logaddexp(0.0, v @ W + c).sum(axis=1)


def _check_free_energy(answer: Any) -> str:
    what = "your free_energy"
    # As many rows as hidden units, so that a sum over the wrong axis still runs.
    v, weights = _problem(6, 4, 4, np.random.default_rng(21))
    W, b, c = weights
    pre = v @ W + c
    got = call_answer(answer, v, weights, what=what, case="on a batch of 4")
    expect_array(
        got,
        reference.free_energy(v, weights),
        what="F(v) for a batch of 4",
        diagnoses={
            "The visible-bias term -v.b is missing.": -_softplus(pre).sum(axis=1),
            "The hidden bias is missing inside the softplus: softplus(v @ W + c).": (
                -(v @ b) - _softplus(v @ W).sum(axis=1)
            ),
            "That is -F(v): both terms of the free energy carry a minus sign.": (
                (v @ b) + _softplus(pre).sum(axis=1)
            ),
            "Summing h out of exp(-E) gives log(1 + exp(x)) per hidden unit "
            "(softplus), not a sigmoid.": -(v @ b) - sigmoid(pre).sum(axis=1),
            "Summed over the batch instead of over the hidden units: sum along "
            "axis=1, one value per row.": -(v @ b) - _softplus(pre).sum(axis=0),
            "That is one value per (row, hidden unit): sum the softplus terms over the "
            "hidden units.": -(v @ b)[:, None] - _softplus(pre),
        },
    )
    v, weights, case = _fresh_problem()
    got = call_answer(answer, v, weights, what=what, case=case)
    expect_array(got, reference.free_energy(v, weights), what=f"F(v) {case}")
    return "Lower free energy means higher probability: p(v) = exp(-F(v)) / Z."


free_energy = Exercise(
    "free_energy",
    _check_free_energy,
    hint="Sum exp(-E(v, h)) over all h: the sum factorises, one factor per hidden "
    "unit. Take minus its log. np.logaddexp(0, x) is a softplus that cannot overflow.",
    answer=free_energy,
    explanation="Summing exp(-E(v, h)) over h factorises over the hidden units: "
    "exp(b.v) prod_j (1 + exp(c_j + v W[:, j])). Minus its logarithm is the "
    "visible-bias term plus one softplus per hidden unit.",
)


# ---- one CD-1 update ----


def cd1_update(
    v0: np.ndarray,
    weights: RBMWeights,
    hidden_uniforms: np.ndarray,
    visible_uniforms: np.ndarray,
    learning_rate: float,
) -> RBMWeights:
    """One CD-1 step with the given random numbers; returns the new RBMWeights."""
    W, b, c = weights
    p0 = 1.0 / (1.0 + np.exp(-(v0 @ W + c)))
    h0 = (hidden_uniforms < p0).astype(float)
    v1 = (visible_uniforms < 1.0 / (1.0 + np.exp(-(h0 @ W.T + b)))).astype(float)
    p1 = 1.0 / (1.0 + np.exp(-(v1 @ W + c)))
    n = len(v0)
    return RBMWeights(
        W + learning_rate * (v0.T @ p0 - v1.T @ p1) / n,
        b + learning_rate * (v0 - v1).mean(axis=0),
        c + learning_rate * (p0 - p1).mean(axis=0),
    )


def _wrong_cd1(
    v0: np.ndarray,
    weights: RBMWeights,
    u_h: np.ndarray,
    u_v: np.ndarray,
    mistake: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The update as it comes out with one typical mistake (for the diagnoses)."""
    W, b, c = weights
    rate = CD_LEARNING_RATE
    p0 = sigmoid(v0 @ W + c)
    h0 = (u_h < p0).astype(float)
    pv = sigmoid(h0 @ W.T + b)
    v1 = pv if mistake == "mean-field visible" else (u_v < pv).astype(float)
    p1 = sigmoid(v1 @ W + c)
    positive = h0 if mistake == "sampled positive" else p0
    n = 1 if mistake == "sum" else len(v0)
    grad_w = (v0.T @ positive - v1.T @ p1) / n
    grad_b = (v0 - v1).sum(axis=0) / n
    grad_c = (positive - p1).sum(axis=0) / n
    sign = -1.0 if mistake == "descent" else 1.0
    if mistake == "no biases":
        grad_b, grad_c = 0.0 * grad_b, 0.0 * grad_c
    return W + sign * rate * grad_w, b + sign * rate * grad_b, c + sign * rate * grad_c


_CD1_MISTAKES = {
    "descent": "Every parameter moved the wrong way: CD estimates the gradient of the "
    "log-likelihood, which you climb (add learning_rate times data statistics minus "
    "chain statistics).",
    "sum": "The step is batch-size times too large: average the statistics over the "
    "batch, do not sum them.",
    "sampled positive": "The data term uses the binary sample h0. That is a valid "
    "variant, but not the one asked: use the probabilities p(h | v0) there (less "
    "noise, the same expectation).",
    "mean-field visible": "The negative phase uses p(v | h0) instead of a binary v1. "
    "That is a valid variant (Hinton's guide recommends it), but not the one asked: "
    "sample v1 with the visible uniforms.",
    "no biases": "The biases did not move: they have updates too, the means of v0 - v1 "
    "and of p(h | v0) - p(h | v1).",
}


def _cd1_case(
    answer: Any,
    v0: np.ndarray,
    weights: RBMWeights,
    u_h: np.ndarray,
    u_v: np.ndarray,
    case: str,
    diagnose: bool,
) -> None:
    got = call_answer(
        answer,
        v0,
        weights,
        u_h,
        u_v,
        CD_LEARNING_RATE,
        what="your cd1_update",
        case=case,
    )
    if (
        isinstance(got, np.ndarray)
        or not isinstance(got, tuple | list)
        or len(got) != 3
    ):
        raise Wrong(
            "Return the three updated arrays, RBMWeights(kernel, visible_bias, "
            f"hidden_bias) (or a tuple of three), {case}."
        )
    expected = reference.cd_update(
        v0,
        weights,
        hidden_uniforms=u_h[:, None],
        visible_uniforms=u_v[:, None],
        learning_rate=CD_LEARNING_RATE,
    )
    names = ("the new kernel", "the new visible bias", "the new hidden bias")
    for index, name in enumerate(names):
        diagnoses = {}
        if diagnose:
            diagnoses = {
                message: _wrong_cd1(v0, weights, u_h, u_v, mistake)[index]
                for mistake, message in _CD1_MISTAKES.items()
            }
            if index == 0:
                diagnoses[
                    "The kernel update has shape (hidden, visible): W and its gradient "
                    "are (visible, hidden), so the statistic is v.T @ p(h | v)."
                ] = expected.kernel.T
        expect_array(
            got[index], expected[index], what=f"{name} {case}", diagnoses=diagnoses
        )


def _check_cd1_update(answer: Any) -> str:
    rng = np.random.default_rng(31)
    v0, weights = _problem(6, 4, 8, rng)
    u_h, u_v = rng.random((8, 4)), rng.random((8, 6))
    _cd1_case(answer, v0, weights, u_h, u_v, "on a batch of 8", diagnose=True)
    v0, weights, case = _fresh_problem()
    rng = fresh_rng()
    u_h, u_v = rng.random((len(v0), len(weights.hidden_bias))), rng.random(v0.shape)
    _cd1_case(answer, v0, weights, u_h, u_v, case, diagnose=False)
    return "That is Hinton's CD-1: the same update the Keras RBM's train_step makes."


cd1_update = Exercise(
    "cd1_update",
    _check_cd1_update,
    hint="Run the chain once: data, hidden sample, visible sample, hidden "
    "probabilities. Each statistic is 'data minus chain', averaged over the batch; "
    "which way does the update go, given that it climbs the log-likelihood?",
    answer=cd1_update,
    explanation="The positive statistics come from the data, the negative ones from "
    "the end of the one-step chain; the update adds the difference (gradient ascent on "
    "the log-likelihood). It is the update of `reference.cd_update` with k = 1 and of "
    "the Keras RBM's `train_step`.",
)


# ---- exact log Z ----


def log_partition(weights: RBMWeights) -> float:
    """log Z = log sum_h exp(h.c) prod_i (1 + exp(b_i + W[i, :] h)), over all 2^H h."""
    W, b, c = weights
    all_h = np.array(list(itertools.product([0.0, 1.0], repeat=len(c))))
    terms = all_h @ c + np.logaddexp(0.0, all_h @ W.T + b).sum(axis=1)
    return float(np.logaddexp.reduce(terms))


def _check_log_partition(answer: Any) -> str:
    what = "your log_partition"
    _, weights = _problem(4, 3, 1, np.random.default_rng(41))
    W, b, c = weights
    all_v = np.array(list(itertools.product([0.0, 1.0], repeat=4)))
    all_h = np.array(list(itertools.product([0.0, 1.0], repeat=3)))
    free = reference.free_energy(all_v, weights)
    got = call_answer(answer, weights, what=what, case="for an RBM of 4 x 3 units")
    expect_number(
        got,
        reference.log_partition(weights),
        what="log Z of the 4 x 3 RBM",
        abs_tol=1e-6,
        diagnoses={
            "That is Z itself: return its logarithm.": float(np.exp(-free).sum()),
            "The visible biases are missing from the sum.": float(
                np.logaddexp.reduce(all_h @ c + np.logaddexp(0.0, all_h @ W.T).sum(1))
            ),
            "That sums the free energies instead of exp(-F): log Z = log sum_v "
            "exp(-F(v)).": float(free.sum()),
        },
    )
    rng = fresh_rng()
    visible, hidden = (int(n) for n in rng.integers(2, 9, size=2))
    _, weights = _problem(visible, hidden, 1, rng)
    case = f"for a fresh random RBM of {visible} x {hidden} units"
    got = call_answer(answer, weights, what=what, case=case)
    expect_number(
        got, reference.log_partition(weights), what=f"log Z {case}", abs_tol=1e-6
    )
    return (
        "With log Z, log p(v) = -F(v) - log Z is exact: small RBMs can be compared by "
        "their true likelihood, not only by proxies."
    )


log_partition = Exercise(
    "log_partition",
    _check_log_partition,
    hint="Fix h: the visible units are then independent, and summing exp(-E(v, h)) "
    "over v factorises. itertools.product([0.0, 1.0], repeat=H) lists every h; add the "
    "terms in log space (np.logaddexp.reduce) so that nothing overflows.",
    answer=log_partition,
    explanation="Summing over the 2^H hidden states (the smaller layer) costs 2^H V "
    "operations instead of 2^(V + H): exact for about 20 hidden units. Larger RBMs "
    "need an estimate such as annealed importance sampling (Salakhutdinov & Murray "
    "2008).",
)
