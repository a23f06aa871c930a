"""Exercises of Chapter 5, "Deep stacking networks", easy to hard.

* ``stacked_input`` - the input of module ``k``: raw input and every lower module's
  output (coding);
* ``closed_form_upper`` - the ridge-regression upper weights of one module (coding);
* ``choose_lambda`` - pick the ridge penalty on a validation split, not on the training
  data (coding);
* ``lower_gradient`` - the gradient of ``min_U E`` for the lower weights (coding, hard).

Each checker calls the learner's function on fixed cases, where the diagnoses recognise
the usual slips, and on cases drawn fresh at every check; the expected values come from
:mod:`dlcourse.reference.dsn`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcourse.exercises.framework import (
    Exercise,
    Wrong,
    call_answer,
    expect_array,
    fresh_rng,
)
from dlcourse.reference import dsn as reference
from dlcourse.reference.activations import sigmoid

#: The penalty of the fixed case of ``closed_form_upper`` and ``lower_gradient``.
CHECK_LAMBDA = 0.5
#: The candidate penalties of ``choose_lambda``'s fixed case.
CHECK_LAMBDAS = (1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0)


def _hidden_and_targets(
    samples: int, units: int, outputs: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    h = sigmoid(rng.normal(size=(samples, units)))
    t = np.eye(outputs)[rng.integers(0, outputs, size=samples)]
    return h, t


# ---- the stacked input ----


def stacked_input(x: np.ndarray, previous_outputs: list[np.ndarray]) -> np.ndarray:
    """X^(k) = [X, Y^(1), ..., Y^(k-1)]."""
    return np.concatenate([x, *previous_outputs], axis=1)


def _check_stacked_input(answer: Any) -> str:
    what = "your stacked_input"
    rng = np.random.default_rng(7)
    x = rng.normal(size=(5, 4))
    outputs = [rng.normal(size=(5, 3)), rng.normal(size=(5, 3))]
    got = call_answer(answer, x, [], what=what, case="for module 1 (an empty list)")
    expect_array(got, x, what="The input of module 1 (no modules below it)")
    got = call_answer(
        answer, x, outputs, what=what, case="for module 3 (two outputs below it)"
    )
    expect_array(
        got,
        reference.stacked_input(x, outputs),
        what="The input of module 3 (x of shape (5, 4), two outputs of shape (5, 3))",
        diagnoses={
            "Only the output of the module just below is there: module k sees the "
            "outputs of *all* modules 1 .. k-1.": np.concatenate(
                [x, outputs[-1]], axis=1
            ),
            "The raw input x is missing: every module sees x as well as the lower "
            "modules' outputs.": np.concatenate(outputs, axis=1),
            "The parts are in the wrong order: x first, then the outputs of modules "
            "1, 2, ... in order.": np.concatenate([*outputs, x], axis=1),
            "The lower outputs are in reverse order: put module 1's output before "
            "module 2's.": np.concatenate([x, *outputs[::-1]], axis=1),
            "That is x alone: append the outputs of the modules below it.": x,
        },
    )
    rng = fresh_rng()
    samples, features, classes = (int(n) for n in rng.integers(2, 9, size=3))
    below = int(rng.integers(1, 5))
    x = rng.normal(size=(samples, features))
    outputs = [rng.normal(size=(samples, classes)) for _ in range(below)]
    case = f"for module {below + 1} on fresh random arrays ({samples} samples)"
    got = call_answer(answer, x, outputs, what=what, case=case)
    expect_array(
        got, reference.stacked_input(x, outputs), what=f"The stacked input {case}"
    )
    return "Module k reads D + (k - 1) * C features."


stacked_input = Exercise(
    "stacked_input",
    _check_stacked_input,
    hint="Which axis holds the features? Put the pieces side by side along it, raw "
    "input first. With no modules below, the input is x itself.",
    answer=stacked_input,
    explanation="Side by side along the feature axis, raw input first, then the lower "
    "modules' outputs in order. Module k then reads D + (k - 1) C features: 784, 794 "
    "and 804 for the MNIST stacks of the chapter.",
)


# ---- the closed-form upper weights ----


def closed_form_upper(h: np.ndarray, t: np.ndarray, lam: float) -> np.ndarray:
    """U = (H^T H + lam I)^-1 H^T T, by a linear solve."""
    units = h.shape[1]
    return np.linalg.solve(h.T @ h + lam * np.eye(units), h.T @ t)


def _check_closed_form_upper(answer: Any) -> str:
    what = "your closed_form_upper"
    h, t = _hidden_and_targets(30, 8, 3, np.random.default_rng(5))
    lam = CHECK_LAMBDA
    gram, cross = h.T @ h, h.T @ t
    expected = reference.upper_weights(h, t, lam)
    got = call_answer(answer, h, t, lam, what=what, case="for H (30, 8), T (30, 3)")
    expect_array(
        got,
        expected,
        what="U for H of shape (30, 8), T of shape (30, 3)",
        atol=1e-6,
        diagnoses={
            "The ridge term is missing: that is plain least squares. Where does "
            "lam * ||U||^2 enter the normal equations?": np.linalg.solve(gram, cross),
            "lam was added to every entry of H^T H; it belongs on the diagonal only "
            "(lam times the identity).": np.linalg.solve(gram + lam, cross),
            "lam was subtracted: the objective adds 0.5 * lam * ||U||^2.": (
                np.linalg.solve(gram - lam * np.eye(8), cross)
            ),
            "That is H^T T alone: the system (H^T H + lam I) U = H^T T still has to "
            "be solved.": cross,
            "Your U is transposed: it should have one row per hidden unit and one "
            "column per output.": expected.T,
        },
    )
    rng = fresh_rng()
    samples = int(rng.integers(10, 40))
    units, outputs = int(rng.integers(2, 12)), int(rng.integers(2, 5))
    h, t = _hidden_and_targets(samples, units, outputs, rng)
    lam = float(10.0 ** rng.uniform(-2, 1))
    case = f"on fresh random H ({samples}, {units}) and T ({samples}, {outputs})"
    got = call_answer(answer, h, t, lam, what=what, case=case)
    expect_array(got, reference.upper_weights(h, t, lam), what=f"U {case}", atol=1e-6)
    return "This is the unique minimiser of 0.5 ||HU - T||^2 + 0.5 lam ||U||^2."


closed_form_upper = Exercise(
    "closed_form_upper",
    _check_closed_form_upper,
    hint="Write the gradient of E with respect to U, set it to zero and collect the "
    "terms in U. Rows of H are samples, so H^T H is (units, units). A linear solve is "
    "cheaper and more accurate than an inverse.",
    answer=closed_form_upper,
    explanation="Setting the gradient H^T (H U - T) + lam U to zero gives "
    "(H^T H + lam I) U = H^T T. Solve that system rather than forming the inverse: it "
    "is cheaper and more accurate.",
)


# ---- choosing lambda on a validation split ----


def choose_lambda(
    h_train: np.ndarray,
    labels_train: np.ndarray,
    h_val: np.ndarray,
    labels_val: np.ndarray,
    lambdas: list[float],
) -> float:
    """The penalty whose closed-form U is most accurate on the validation part."""
    t_train = np.eye(labels_train.max() + 1)[labels_train]
    identity = np.eye(h_train.shape[1])
    scores = []
    for lam in lambdas:
        upper = np.linalg.solve(
            h_train.T @ h_train + lam * identity, h_train.T @ t_train
        )
        scores.append(np.mean((h_val @ upper).argmax(axis=1) == labels_val))
    return lambdas[int(np.argmax(scores))]


def _accuracies(
    h_train: np.ndarray,
    labels_train: np.ndarray,
    h_eval: np.ndarray,
    labels_eval: np.ndarray,
    lambdas: tuple[float, ...],
) -> np.ndarray:
    """The accuracy on ``h_eval`` of the closed-form U fitted for each penalty."""
    t_train = reference.one_hot(labels_train, int(labels_train.max()) + 1)
    return np.array(
        [
            np.mean(
                (h_eval @ reference.upper_weights(h_train, t_train, lam)).argmax(1)
                == labels_eval
            )
            for lam in lambdas
        ]
    )


def _lambda_case(
    rng: np.random.Generator, samples: int, features: int, units: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Three noisy classes, a random hidden layer, and a training/validation split."""
    centres = rng.normal(size=(3, features))
    labels = rng.integers(0, 3, size=samples)
    x = centres[labels] + 1.6 * rng.normal(size=(samples, features))
    h = sigmoid(x @ rng.normal(size=(features, units)) * 1.5)
    split = samples * 3 // 8
    return h[:split], labels[:split], h[split:], labels[split:]


def _same(got: float, value: float) -> bool:
    return bool(np.isclose(got, value, rtol=1e-9, atol=0))


def _diagnose_lambda(
    got: Any, lambdas: list[float], val: np.ndarray, train: np.ndarray
) -> None:
    best = lambdas[int(np.argmax(val))]
    if isinstance(got, bool) or not isinstance(
        got, int | float | np.integer | np.floating
    ):
        raise Wrong(
            "choose_lambda should return one of the numbers in `lambdas`, but it "
            f"returned {type(got).__name__}."
        )
    if not np.isfinite(float(got)):
        raise Wrong(f"choose_lambda returned {float(got)!r}, not one of `lambdas`.")
    if _same(got, best):
        return
    best_on_training = [
        lam for lam, score in zip(lambdas, train, strict=True) if score == train.max()
    ]
    if any(_same(got, lam) for lam in best_on_training):
        raise Wrong(
            "That penalty is the best on the *training* data: with less "
            "regularisation the fit to the training data only improves. Score each "
            "lambda on the validation split."
        )
    if _same(got, lambdas[int(np.argmin(val))]):
        raise Wrong(
            "That is the *worst* lambda on the validation split: take the largest "
            "accuracy."
        )
    if int(got) == got and int(got) == int(np.argmax(val)):
        raise Wrong(
            "That is the position of the best lambda in `lambdas`; return the value."
        )
    if any(_same(got, score) for score in val):
        raise Wrong("That is an accuracy; return the lambda that gives the best one.")
    if not any(_same(got, lam) for lam in lambdas):
        raise Wrong("Return one of the candidate values in `lambdas`.")
    raise Wrong(
        "That lambda is not the one with the highest validation accuracy. Fit U on "
        "the training part for each lambda and score it on the validation part."
    )


def _check_choose_lambda(answer: Any) -> str:
    what = "your choose_lambda"
    cases = [
        (
            _lambda_case(np.random.default_rng(11), 160, 6, 60),
            list(CHECK_LAMBDAS),
            "on a fixed split (60 training, 100 validation rows)",
        )
    ]
    rng = fresh_rng()
    fresh_lambdas = sorted(float(v) for v in 10.0 ** rng.uniform(-3, 3, size=5))
    cases.append(
        (
            _lambda_case(rng, 200, 5, 70),
            fresh_lambdas,
            "on a fresh random split with fresh candidate penalties",
        )
    )
    for (h_train, labels_train, h_val, labels_val), lambdas, case in cases:
        arguments = (h_train, labels_train, h_val, labels_val, lambdas)
        got = call_answer(answer, *arguments, what=what, case=case)
        val = _accuracies(h_train, labels_train, h_val, labels_val, tuple(lambdas))
        train = _accuracies(
            h_train, labels_train, h_train, labels_train, tuple(lambdas)
        )
        try:
            _diagnose_lambda(got, lambdas, val, train)
        except Wrong as wrong:
            raise Wrong(f"{case.capitalize()}: {wrong}") from None
    return (
        "Chosen on the validation split; the test split is looked at once, at the end."
    )


choose_lambda = Exercise(
    "choose_lambda",
    _check_choose_lambda,
    hint="For each candidate: fit U on the training part (one-hot targets), predict "
    "the validation part, count how often the prediction is right. Which one wins? "
    "(Take the first, if several tie.)",
    answer=choose_lambda,
    explanation="On the training part, the smallest lambda always looks best: less "
    "shrinkage fits the training targets more closely. Only held-out data can show "
    "when the fit turns into overfitting. The test split stays untouched until the "
    "very end.",
)


# ---- the lower-weight gradient ----


def lower_gradient(
    x: np.ndarray, t: np.ndarray, kernel: np.ndarray, bias: np.ndarray, lam: float
) -> np.ndarray:
    """df/dW = X^T [((H U - T) U^T) * H * (1 - H)], U the closed form."""
    h = 1.0 / (1.0 + np.exp(-(x @ kernel + bias)))
    upper = np.linalg.solve(h.T @ h + lam * np.eye(h.shape[1]), h.T @ t)
    delta = ((h @ upper - t) @ upper.T) * h * (1.0 - h)
    return x.T @ delta


def _gradient_case(
    rng: np.random.Generator, samples: int, inputs: int, units: int, outputs: int
) -> tuple[np.ndarray, ...]:
    x = rng.normal(size=(samples, inputs))
    t = np.eye(outputs)[rng.integers(0, outputs, size=samples)]
    kernel = rng.normal(0.0, 1.0, size=(inputs, units))
    bias = rng.normal(0.0, 0.5, size=units)
    return x, t, kernel, bias


def _check_lower_gradient(answer: Any) -> str:
    what = "your lower_gradient"
    lam = CHECK_LAMBDA
    # As many inputs as hidden units, so that a transposed result still has the shape.
    x, t, kernel, bias = _gradient_case(np.random.default_rng(3), 40, 5, 5, 3)
    expected = reference.lower_gradient(x, t, kernel, bias, lam).kernel
    h = reference.hidden_layer(x, kernel, bias)
    upper = reference.upper_weights(h, t, lam)
    error = (h @ upper - t) @ upper.T
    unpenalised = reference.upper_weights(h, t, 0.0)
    got = call_answer(
        answer, x, t, kernel, bias, lam, what=what, case="on 40 samples, 5 units"
    )
    expect_array(
        got,
        expected,
        what="dE/dW on 40 samples, 5 inputs and 5 hidden units",
        diagnoses={
            "The slope of the sigmoid is missing: the error reaches the pre-activation "
            "through sigma'(z), written with the hidden layer's own values.": x.T
            @ error,
            "That is the tanh slope: the hidden layer is a logistic sigmoid.": x.T
            @ (error * (1.0 - h**2)),
            "That is the gradient for one sample on average: the objective sums over "
            "samples, so does its gradient.": x.T @ (error * h * (1.0 - h)) / len(x),
            "That is the error at the hidden layer (samples, units): it still has to "
            "be carried back through X W.": error * h * (1.0 - h),
            "Your gradient is transposed: it has the shape of W, (inputs, units).": (
                expected.T
            ),
            "U was computed without the ridge penalty: the U of the objective is the "
            "closed form with lam.": x.T
            @ (((h @ unpenalised - t) @ unpenalised.T) * h * (1.0 - h)),
        },
    )
    rng = fresh_rng()
    samples = int(rng.integers(20, 50))
    inputs, units, outputs = (int(n) for n in rng.integers(2, 8, size=3))
    x, t, kernel, bias = _gradient_case(rng, samples, inputs, units, outputs)
    lam = float(10.0 ** rng.uniform(-2, 0))
    case = f"on a fresh random problem ({samples} samples, {units} hidden units)"
    got = call_answer(answer, x, t, kernel, bias, lam, what=what, case=case)
    expect_array(
        got,
        reference.lower_gradient(x, t, kernel, bias, lam).kernel,
        what=f"dE/dW {case}",
    )
    return (
        "The terms through U(W) vanished because dE/dU = 0 at the closed form: the "
        "envelope theorem."
    )


lower_gradient = Exercise(
    "lower_gradient",
    _check_lower_gradient,
    hint="First the closed-form U for the current W. Then backpropagate E through "
    "Y = H U and H = sigmoid(X W + b) as if U were a constant: why may you treat it "
    "as one?",
    answer=lower_gradient,
    explanation="At the closed form dE/dU = 0, so the change of U with W multiplies "
    "zero and drops out (the envelope theorem): the total gradient is the ordinary "
    "backpropagation gradient with U held at its optimum. The chapter checks it "
    "against automatic differentiation through the solve.",
)
