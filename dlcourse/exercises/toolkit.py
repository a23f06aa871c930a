"""Exercises of Chapter 0, "The toolkit": the pattern every chapter's exercises follow.

Easiest first:

* ``dense_parameter_count`` - how many trainable numbers a ``Dense`` layer has;
* ``dense_logits`` - the scores ``x W + b`` of a dense layer, from its weights;
* ``softmax`` - a softmax that does not overflow for large logits;
* ``cross_entropy`` - the loss ``-log softmax(z)_y``, finite even for extreme logits.

Each reference answer is defined below under the learner's name (the softmax's is the
package's own, :func:`dlcourse.reference.activations.softmax`), and then that name is
rebound to its :class:`~dlcourse.exercises.framework.Exercise`, so the solution a
learner sees (``exercises.cross_entropy.solution()``) is the very function the tests
check. Every checker tries the learner's function on a fixed case and on random cases
drawn afresh at every check; the expected values come from Keras, from
:mod:`dlcourse.reference`, or from the reference answer.
"""

from __future__ import annotations

from collections.abc import Iterator
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
from dlcourse.reference import activations
from dlcourse.reference.dense import DenseWeights
from dlcourse.reference.dense import dense as reference_dense

#: The layer of the worked example: 64 pixels in, 10 classes out (the chapter's model).
DENSE_INPUTS, DENSE_UNITS = 64, 10
#: Random cases drawn at every check, besides the fixed one.
RANDOM_CASES = 3


# --- dense_parameter_count -----------------------------------------------------------


def dense_parameter_count(inputs, units):
    """Trainable numbers of keras.layers.Dense(units) on `inputs` input features."""
    kernel = inputs * units  # W: (inputs, units)
    bias = units  # b: (units,)
    return kernel + bias


def _keras_count(inputs: int, units: int) -> int:
    import keras

    layer = keras.layers.Dense(units)
    layer.build((None, inputs))
    return int(layer.count_params())


def _parameter_count_cases() -> Iterator[tuple[str, int, int]]:
    yield "for the chapter's layer (64 inputs, 10 units)", DENSE_INPUTS, DENSE_UNITS
    rng = fresh_rng()
    for _ in range(RANDOM_CASES):
        inputs, units = int(rng.integers(1, 500)), int(rng.integers(1, 200))
        yield f"for a random layer ({inputs} inputs, {units} units)", inputs, units


def _check_dense_parameter_count(answer: Any) -> str:
    for case, inputs, units in _parameter_count_cases():
        got = call_answer(
            answer, inputs, units, what="your dense_parameter_count", case=case
        )
        expect_number(
            got,
            _keras_count(inputs, units),
            what=f"Your count {case}",
            integer=True,
            diagnoses={
                "That counts the kernel only: each unit also has a bias.": (
                    inputs * units
                ),
                "That gives a bias to each input; a bias belongs to each unit.": (
                    inputs * units + inputs
                ),
                "That adds inputs and units: a dense layer connects every input "
                "to every unit.": inputs + units,
            },
        )
    return "It agrees with Keras's count_params() on every case."


dense_parameter_count = Exercise(
    "dense_parameter_count",
    _check_dense_parameter_count,
    hint="Write down the shape of each array a Dense layer stores, and count the "
    "numbers in each shape.",
    answer=dense_parameter_count,
    explanation="A kernel of shape (inputs, units) and one bias per unit. For the "
    "chapter's layer that is `64 * 10 + 10`, the count Keras prints for the model.",
)


# --- dense_logits --------------------------------------------------------------------


def dense_logits(x, weights):
    """The scores z = x W + b of a dense layer, before its activation."""
    return x @ weights.kernel + weights.bias


def _dense_case(
    rng: np.random.Generator, batch: int, inputs: int, units: int
) -> tuple[np.ndarray, DenseWeights]:
    weights = DenseWeights(rng.normal(size=(inputs, units)), rng.normal(size=units))
    return rng.normal(size=(batch, inputs)), weights


def _dense_cases() -> Iterator[tuple[str, np.ndarray, DenseWeights]]:
    # Inputs differ from units, so that a transposed kernel cannot pass unseen.
    yield (
        "on a fixed batch of 2 (3 inputs, 4 units)",
        *_dense_case(np.random.default_rng(7), 2, 3, 4),
    )
    rng = fresh_rng()
    for _ in range(RANDOM_CASES):
        batch, inputs = int(rng.integers(1, 8)), int(rng.integers(1, 9))
        units = inputs + int(rng.integers(1, 6))
        yield (
            f"on a random batch of {batch} ({inputs} inputs, {units} units)",
            *_dense_case(rng, batch, inputs, units),
        )


def _check_dense_logits(answer: Any) -> str:
    for case, x, weights in _dense_cases():
        got = call_answer(answer, x, weights, what="your dense_logits", case=case)
        kernel, bias = weights
        expect_array(
            got,
            reference_dense(x, weights),
            what=f"The output of your dense_logits {case}",
            diagnoses={
                f"Your dense_logits {case} leaves out the bias.": x @ kernel,
                f"Your dense_logits {case} subtracts the bias instead of adding it.": (
                    x @ kernel - bias
                ),
                f"Your dense_logits {case} returns probabilities: the exercise asks "
                "for the scores before the softmax.": reference_dense(
                    x, weights, "softmax"
                ),
            },
        )
    return "Your dense layer computes what Keras's Dense computes."


dense_logits = Exercise(
    "dense_logits",
    _check_dense_logits,
    hint="Keras stores the kernel as (inputs, units) and treats each example as a row. "
    "Which product of x and the kernel has one row per example and one column per "
    "unit?",
    answer=dense_logits,
    explanation="With examples as rows, `x @ kernel` has shape (batch, units); the "
    "bias, of shape (units,), is broadcast over the rows, one copy per example.",
)


# --- softmax -------------------------------------------------------------------------
# The reference answer is the package's own softmax, dlcourse.reference.activations.


def _softmax_cases() -> Iterator[tuple[str, np.ndarray]]:
    yield (
        "on a fixed (3, 3) batch",
        np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [-1.0, 5.0, 2.0]]),
    )
    rng = fresh_rng()
    for _ in range(RANDOM_CASES):
        batch, classes = int(rng.integers(1, 7)), int(rng.integers(2, 12))
        scale = float(rng.choice([0.1, 1.0, 10.0]))
        yield (
            f"on a random ({batch}, {classes}) batch",
            rng.normal(scale=scale, size=(batch, classes)),
        )


def _check_softmax(answer: Any) -> str:
    for case, logits in _softmax_cases():
        with np.errstate(all="ignore"):
            got = call_answer(answer, logits, what="your softmax", case=case)
        exponentials = np.exp(logits)
        expect_array(
            got,
            activations.softmax(logits),
            what=f"The output of your softmax {case}",
            diagnoses={
                f"Your softmax {case} makes each column sum to 1 instead of each row: "
                "normalise along the last axis.": exponentials
                / exponentials.sum(axis=0, keepdims=True),
                f"Your softmax {case} divides every entry by one total for the whole "
                "batch: normalise each row separately.": exponentials
                / exponentials.sum(),
                f"Your softmax {case} returns the exponentials, not yet normalised.": (
                    exponentials
                ),
                f"Your softmax {case} returns the shifted exponentials: divide each "
                "row by its sum.": np.exp(logits - logits.max(axis=-1, keepdims=True)),
            },
        )
    rng = fresh_rng()
    large = 1000.0 + rng.normal(size=(2, 5))
    case = "on logits near 1000"
    with np.errstate(all="ignore"):
        got = call_answer(answer, large, what="your softmax", case=case)
        try:
            finite = bool(np.all(np.isfinite(np.asarray(got, dtype=np.float64))))
        except (TypeError, ValueError):
            finite = True  # expect_array below says what is wrong with the type
    if not finite:
        raise Wrong(
            "For logits near 1000 your softmax overflows to NaN or infinity. Softmax "
            "does not change when you subtract the same number from every logit of a "
            "row: which number keeps exp small?"
        )
    expect_array(
        got, activations.softmax(large), what=f"The output of your softmax {case}"
    )
    return "Your softmax is right, and stable for large logits."


softmax = Exercise(
    "softmax",
    _check_softmax,
    hint="Start from the formula on the page. For logits near 1000, np.exp overflows: "
    "what can you subtract from a row of logits without changing its softmax?",
    answer=activations.softmax,
    explanation="This is the package's own softmax, the one every chapter uses. "
    "Subtracting each row's largest logit changes nothing (the factor `exp(-max)` "
    "cancels between numerator and denominator) and makes every exponent at most 0, "
    "so nothing overflows.",
)


# --- cross_entropy -------------------------------------------------------------------


def cross_entropy(logits, labels):
    """-log softmax(z)_y for each row of logits z and its label y, without overflow."""
    largest = logits.max(axis=-1, keepdims=True)
    log_total = np.log(np.exp(logits - largest).sum(axis=-1)) + largest[:, 0]
    return log_total - logits[np.arange(len(labels)), labels]


def _cross_entropy_cases() -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    yield (
        "on a fixed batch of 3 (4 classes)",
        np.array([[1.0, 2.0, 3.0, 0.5], [0.0, 0.0, 0.0, 0.0], [-1.0, 5.0, 2.0, 1.0]]),
        np.array([2, 0, 3]),
    )
    rng = fresh_rng()
    for _ in range(RANDOM_CASES):
        batch, classes = int(rng.integers(1, 7)), int(rng.integers(2, 12))
        scale = float(rng.choice([0.1, 1.0, 10.0]))
        yield (
            f"on a random batch of {batch} ({classes} classes)",
            rng.normal(scale=scale, size=(batch, classes)),
            rng.integers(0, classes, size=batch),
        )


def _check_cross_entropy(answer: Any) -> str:
    for case, logits, labels in _cross_entropy_cases():
        got = call_answer(answer, logits, labels, what="your cross_entropy", case=case)
        expected = cross_entropy.answer(logits, labels)
        probabilities = activations.softmax(logits)
        picked = probabilities[np.arange(len(labels)), labels]
        expect_array(
            got,
            expected,
            what=f"The output of your cross_entropy {case}",
            diagnoses={
                f"Your cross_entropy {case} returns one number for the whole batch: "
                "return one loss per row.": expected.mean(),
                f"Your cross_entropy {case} returns one number for the whole batch: "
                "return one loss per row, not their sum.": expected.sum(),
                f"Your cross_entropy {case} returns the probability of the label; "
                "the loss is minus its logarithm.": picked,
                f"Your cross_entropy {case} returns the loss of every class; pick "
                "the one of each row's label.": -np.log(probabilities),
            },
        )
    rng = fresh_rng()
    checks = [
        ("on logits near 1000", 1000.0 + rng.normal(size=(2, 5)), np.array([1, 4])),
        (
            "where the label's logit is far below the others",
            np.array([[0.0, 900.0, 1.0], [-800.0, 0.0, 3.0]]),
            np.array([0, 0]),
        ),
    ]
    for case, logits, labels in checks:
        with np.errstate(all="ignore"):
            got = call_answer(
                answer, logits, labels, what="your cross_entropy", case=case
            )
            try:
                finite = bool(np.all(np.isfinite(np.asarray(got, dtype=np.float64))))
            except (TypeError, ValueError):
                finite = True  # expect_array below says what is wrong with the type
        if not finite:
            raise Wrong(
                f"Your cross_entropy {case} gives NaN or infinity. Work with the "
                "logarithm throughout: log softmax(z)_y is z_y minus the log of a sum "
                "of exponentials. Can you compute that log without any exp "
                "overflowing, or any probability rounding to 0?"
            )
        expect_array(
            got,
            cross_entropy.answer(logits, labels),
            what=f"The output of your cross_entropy {case}",
        )
    return "Your loss is right, and finite even where a probability rounds to 0."


cross_entropy = Exercise(
    "cross_entropy",
    _check_cross_entropy,
    hint="Write log softmax(z)_y with the formula on the page and simplify the log of "
    "a quotient. The trick that keeps exp from overflowing in the softmax works "
    "inside the logarithm too.",
    answer=cross_entropy,
    explanation="`log softmax(z)_y = z_y - log sum_j exp(z_j)`, and for the row's "
    "largest logit `m`, `log sum_j exp(z_j) = m + log sum_j exp(z_j - m)`: every "
    "exponent is at most 0 and the sum is at least 1, so neither `exp` nor `log` can "
    "overflow or give `-inf`. Keras computes the same loss with "
    "`keras.losses.sparse_categorical_crossentropy(y, z, from_logits=True)`.",
)
