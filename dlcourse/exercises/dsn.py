"""Exercises of Chapter 5, "Deep stacking networks".

* ``closed_form_upper`` - the ridge-regression upper weights of one module (coding);
* ``stacked_input`` - the input of module ``k``: raw input and every lower module's output (coding);
* ``choose_lambda`` - pick the ridge penalty on a validation split, not on the training data (coding).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcourse.exercises.framework import (
    Exercise,
    Wrong,
    call_answer,
    expect_array,
)
from dlcourse.reference import dsn as reference
from dlcourse.reference.dense import sigmoid

#: The penalty used to check ``closed_form_upper``.
CHECK_LAMBDA = 0.5
#: The candidate penalties of ``choose_lambda``'s check.
CHECK_LAMBDAS = (1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0)


def _upper_case() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    hidden = sigmoid(rng.normal(size=(30, 8)))
    targets = np.eye(3)[rng.integers(0, 3, size=30)]
    return hidden, targets


def _check_closed_form_upper(answer: Any) -> str:
    hidden, targets = _upper_case()
    lam = CHECK_LAMBDA
    got = call_answer(
        answer, hidden.copy(), targets.copy(), lam, what="your closed_form_upper"
    )
    gram, cross = hidden.T @ hidden, hidden.T @ targets
    expected = np.linalg.solve(gram + lam * np.eye(8), cross)
    expect_array(
        got,
        expected,
        what="U for H of shape (30, 8), T of shape (30, 3)",
        atol=1e-6,
        diagnoses={
            "The ridge term is missing: that is plain least squares. Add lam times the identity to H^T H.": np.linalg.solve(
                gram, cross
            ),
            "lam was added to every entry of H^T H; it belongs on the diagonal only (lam * identity).": np.linalg.solve(
                gram + lam, cross
            ),
            "lam was subtracted: the objective adds 0.5 * lam * ||U||^2, so the system is (H^T H + lam I) U = H^T T.": np.linalg.solve(
                gram - lam * np.eye(8), cross
            ),
            "That is H^T T alone: it still has to be multiplied by the inverse of (H^T H + lam I).": cross,
            "Your U is transposed: it should have one row per hidden unit and one column per output.": expected.T,
        },
    )
    return "This is the unique minimiser of 0.5 ||HU - T||^2 + 0.5 lam ||U||^2."


closed_form_upper = Exercise(
    "closed_form_upper",
    _check_closed_form_upper,
    hint="Set the gradient H^T (H U - T) + lam U to zero and solve for U. Rows of H are samples, so H^T H is "
    "(units, units). np.linalg.solve(A, B) solves A U = B.",
    solution="def closed_form_upper(hidden, targets, lam):\n"
    "    units = hidden.shape[1]\n"
    "    return np.linalg.solve(hidden.T @ hidden + lam * np.eye(units), hidden.T @ targets)",
)


def _stacked_case() -> tuple[np.ndarray, list[np.ndarray]]:
    rng = np.random.default_rng(7)
    return rng.normal(size=(5, 4)), [rng.normal(size=(5, 3)), rng.normal(size=(5, 3))]


def _check_stacked_input(answer: Any) -> str:
    x, outputs = _stacked_case()
    got_first = call_answer(answer, x.copy(), [], what="your stacked_input")
    expect_array(
        got_first, x, what="The input of module 1 (no modules below it)", diagnoses={}
    )
    got = call_answer(
        answer, x.copy(), [o.copy() for o in outputs], what="your stacked_input"
    )
    expected = np.concatenate([x, *outputs], axis=1)
    expect_array(
        got,
        expected,
        what="The input of module 3 (x of shape (5, 4), two outputs of shape (5, 3))",
        diagnoses={
            "Only the output of the module just below is there: module k sees the outputs of *all* modules "
            "1 .. k-1.": np.concatenate([x, outputs[-1]], axis=1),
            "The raw input x is missing: every module sees x as well as the lower modules' outputs.": np.concatenate(
                outputs, axis=1
            ),
            "The parts are in the wrong order: x first, then the outputs of modules 1, 2, ... in order.": np.concatenate(
                [*outputs, x], axis=1
            ),
            "The lower outputs are in reverse order: put module 1's output before module 2's.": np.concatenate(
                [x, *outputs[::-1]], axis=1
            ),
            "That is x alone: append the outputs of the modules below it.": x,
        },
    )
    return "Module k reads d + (k - 1) * outputs features."


stacked_input = Exercise(
    "stacked_input",
    _check_stacked_input,
    hint="Put the arrays side by side (along axis 1, the feature axis), raw input first. With no modules below, "
    "the input is x itself.",
    solution="def stacked_input(x, previous_outputs):\n"
    "    return np.concatenate([x, *previous_outputs], axis=1)",
)


def _lambda_case() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    centres = rng.normal(size=(3, 6))
    labels = rng.integers(0, 3, size=160)
    x = centres[labels] + 1.6 * rng.normal(size=(160, 6))
    hidden = sigmoid(x @ rng.normal(size=(6, 60)) * 1.5)
    return hidden[:60], labels[:60], hidden[60:], labels[60:]


def validation_accuracies(
    hidden_train: np.ndarray,
    labels_train: np.ndarray,
    hidden_val: np.ndarray,
    labels_val: np.ndarray,
    lambdas: tuple[float, ...],
) -> np.ndarray:
    """Validation accuracy of the closed-form upper weights for each penalty (used by the checker and tests)."""
    targets = reference.one_hot(labels_train, int(labels_train.max()) + 1)
    return np.array(
        [
            np.mean(
                (
                    hidden_val @ reference.upper_weights(hidden_train, targets, lam)
                ).argmax(1)
                == labels_val
            )
            for lam in lambdas
        ]
    )


def _check_choose_lambda(answer: Any) -> str:
    hidden_train, labels_train, hidden_val, labels_val = _lambda_case()
    lambdas = list(CHECK_LAMBDAS)
    got = call_answer(
        answer,
        hidden_train.copy(),
        labels_train.copy(),
        hidden_val.copy(),
        labels_val.copy(),
        list(lambdas),
        what="your choose_lambda",
    )
    val = validation_accuracies(
        hidden_train, labels_train, hidden_val, labels_val, CHECK_LAMBDAS
    )
    train = validation_accuracies(
        hidden_train, labels_train, hidden_train, labels_train, CHECK_LAMBDAS
    )
    best = lambdas[int(np.argmax(val))]
    if isinstance(got, bool) or not isinstance(
        got, int | float | np.integer | np.floating
    ):
        raise Wrong(
            f"choose_lambda should return one of the numbers in `lambdas`, but it returned "
            f"{type(got).__name__}."
        )
    if np.isclose(got, best, rtol=1e-9, atol=0):
        return "Chosen on the validation split; only now may the test split be looked at, once."
    best_on_training = [
        lam for lam, score in zip(lambdas, train, strict=True) if score == train.max()
    ]
    if any(np.isclose(got, lam, rtol=1e-9, atol=0) for lam in best_on_training):
        raise Wrong(
            "That penalty is the best on the *training* data: with less regularisation the fit to the "
            "training data only improves. Score each lambda on the validation split."
        )
    if np.isclose(got, lambdas[int(np.argmin(val))], rtol=1e-9, atol=0):
        raise Wrong(
            "That is the *worst* lambda on the validation split: take the largest accuracy (argmax)."
        )
    if (
        int(got) == got
        and 0 <= int(got) < len(lambdas)
        and int(got) == int(np.argmax(val))
    ):
        raise Wrong(
            "That is the position of the best lambda in `lambdas`; return the value itself."
        )
    if float(got) in [float(v) for v in val]:
        raise Wrong("That is an accuracy; return the lambda that gives the best one.")
    if not any(np.isclose(got, lam, rtol=1e-9, atol=0) for lam in lambdas):
        raise Wrong("Return one of the candidate values in `lambdas`.")
    raise Wrong(
        "That lambda is not the one with the highest validation accuracy. Fit U on the training part "
        "for each lambda and compare argmax predictions with labels_val."
    )


choose_lambda = Exercise(
    "choose_lambda",
    _check_choose_lambda,
    hint="For each lambda: U from the training hidden codes and one-hot training labels; predictions "
    "(hidden_val @ U).argmax(axis=1); accuracy against labels_val. Return the lambda with the highest one "
    "(the first, if several tie).",
    solution="def choose_lambda(hidden_train, labels_train, hidden_val, labels_val, lambdas):\n"
    "    targets = np.eye(labels_train.max() + 1)[labels_train]\n"
    "    scores = []\n"
    "    for lam in lambdas:\n"
    "        u = np.linalg.solve(hidden_train.T @ hidden_train + lam * np.eye(hidden_train.shape[1]),\n"
    "                            hidden_train.T @ targets)\n"
    "        scores.append(np.mean((hidden_val @ u).argmax(axis=1) == labels_val))\n"
    "    return lambdas[int(np.argmax(scores))]",
)
