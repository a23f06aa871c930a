"""Exercises of the recurrent-network chapter, easiest first.

* ``simple_rnn_parameter_count`` - how many weights a ``SimpleRNN`` has (a formula);
* ``rnn_step`` - one step of an Elman network;
* ``jordan_step`` - the Elman step turned into a Jordan step, feeding back the output;
* ``stateless_ceiling`` - the best a tagger whose state is reset at every window can
  score on a long stream (an experiment with ``stateful=True`` follows it);
* ``recurrent_kernel_gradient`` - the BPTT gradient of the recurrent kernel.

Each reference answer is defined below under the learner's name, and then that name
is rebound to its :class:`~dlcourse.exercises.framework.Exercise`, so the solution a
learner sees (``exercises.rnn_step.solution()``) is the very function the tests check.
Every checker tries the learner's function on a fixed case and on random cases drawn
afresh at every check, and computes the expected values with
:mod:`dlcourse.reference.rnn` or with Keras.
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
from dlcourse.reference import rnn as reference
from dlcourse.reference.activations import sigmoid

#: The layer of the worked example in ``simple_rnn_parameter_count``: 12 LPC features
#: in (JapaneseVowels) and 32 units, the speaker network's recurrent layer.
COUNT_FEATURES, COUNT_UNITS = 12, 32
#: Random cases drawn at every check, besides the fixed one.
RANDOM_CASES = 2
#: The worked example of ``stateless_ceiling``: the chapter's stream, windows of 10
#: steps and a lag of 4.
CEILING_WINDOW, CEILING_LAG = 10, 4


# --- simple_rnn_parameter_count ------------------------------------------------------


def simple_rnn_parameter_count(features, units):
    """Trainable numbers of SimpleRNN(units) on inputs of `features` features."""
    kernel = features * units  # W: (features, units)
    recurrent_kernel = units * units  # U: (units, units)
    bias = units  # b: (units,)
    return kernel + recurrent_kernel + bias


def _keras_count(features: int, units: int) -> int:
    import keras

    layer = keras.layers.SimpleRNN(units)
    layer.build((None, None, features))
    return int(layer.count_params())


def _check_parameter_count(answer: Any) -> str:
    rng = fresh_rng()
    cases = [(COUNT_FEATURES, COUNT_UNITS)] + [
        (int(rng.integers(1, 40)), int(rng.integers(2, 40)))
        for _ in range(RANDOM_CASES)
    ]
    for number, (features, units) in enumerate(cases):
        kind = "the speaker network" if number == 0 else "a random layer"
        case = f"for {kind} ({features} features, {units} units)"
        got = call_answer(
            answer,
            features,
            units,
            what="your simple_rnn_parameter_count",
            case=case,
        )
        f, u = features, units
        expect_number(
            got,
            _keras_count(f, u),
            what=f"Your count {case}",
            integer=True,
            diagnoses={
                "That leaves out the recurrent kernel, the (units, units) matrix "
                "that makes the layer recurrent.": f * u + u,
                "That leaves out the bias (one per unit).": f * u + u * u,
                "That leaves out the input kernel (features, units).": u * u + u,
                "That counts a bias per input feature as well as per unit; there "
                "is one bias per unit.": f * u + u * u + u + f,
                "The recurrent kernel is (units, units), not (features, units).": (
                    2 * f * u + u
                ),
            },
        )
    return "It agrees with Keras's SimpleRNN.count_params() on every case."


simple_rnn_parameter_count = Exercise(
    "simple_rnn_parameter_count",
    _check_parameter_count,
    hint="Write down the shape of each array in the Elman equation and multiply out "
    "each shape. Does the length of the sequence enter?",
    answer=simple_rnn_parameter_count,
    explanation="For the speaker network (12 features, 32 units) that is "
    "12 * 32 + 32 * 32 + 32. The count does not depend on the sequence length: "
    "the same weights serve every step.",
)


# --- rnn_step ------------------------------------------------------------------------


def rnn_step(x_t, h_prev, weights):
    """One step of keras.layers.SimpleRNN: h_t = tanh(x_t W + h_{t-1} U + b)."""
    return np.tanh(
        x_t @ weights.kernel + h_prev @ weights.recurrent_kernel + weights.bias
    )


def _random_rnn_case(
    rng: np.random.Generator, batch: int, features: int, units: int
) -> tuple[np.ndarray, np.ndarray, reference.RNNWeights]:
    weights = reference.RNNWeights(
        rng.normal(size=(features, units)),
        rng.normal(size=(units, units)),
        rng.normal(size=units),
    )
    return rng.normal(size=(batch, features)), rng.normal(size=(batch, units)), weights


def _rnn_step_cases() -> Iterator[tuple[str, tuple[Any, ...]]]:
    # Features differ from units, so that only the square U can be transposed unseen.
    yield "on a fixed batch of 2", _random_rnn_case(np.random.default_rng(3), 2, 3, 4)
    rng = fresh_rng()
    for _ in range(RANDOM_CASES):
        batch, features = int(rng.integers(1, 6)), int(rng.integers(1, 5))
        units = features + int(rng.integers(1, 5))
        yield (
            f"on a random batch of {batch} ({features} features, {units} units)",
            _random_rnn_case(rng, batch, features, units),
        )


def _check_rnn_step(answer: Any) -> str:
    for case, (x_t, h_prev, weights) in _rnn_step_cases():
        got = call_answer(answer, x_t, h_prev, weights, what="your rnn_step", case=case)
        W, U, b = weights
        z = x_t @ W + h_prev @ U + b
        expect_array(
            got,
            reference.rnn_step(x_t, h_prev, weights),
            what=f"rnn_step {case}",
            diagnoses={
                "The recurrent kernel is transposed: Keras multiplies the row vector "
                "h_prev from the left, h_prev @ recurrent_kernel.": np.tanh(
                    x_t @ W + h_prev @ U.T + b
                ),
                "The bias is missing.": np.tanh(x_t @ W + h_prev @ U),
                "There is no nonlinearity: SimpleRNN squashes the sum with tanh.": z,
                "That is the logistic sigmoid; SimpleRNN uses tanh, which is centred "
                "on zero.": sigmoid(z),
                "That is ReLU; SimpleRNN uses tanh.": np.maximum(z, 0.0),
                "The previous state h_prev does not enter: without it the network "
                "is not recurrent.": np.tanh(x_t @ W + b),
                "The bias is added after tanh; it belongs inside, with the two "
                "products.": np.tanh(x_t @ W + h_prev @ U) + b,
            },
        )
    return "Your step equals keras.layers.SimpleRNN's on every case."


rnn_step = Exercise(
    "rnn_step",
    _check_rnn_step,
    hint="Two matrix products, one for the input and one for the previous state, "
    "then the bias, then the nonlinearity of SimpleRNN. With row vectors the array "
    "stands on the left of `@`.",
    answer=rnn_step,
    explanation="The Elman equation with row vectors: both products, the bias, one "
    "tanh. It is `reference.rnn_step` without the argument checks.",
)


# --- jordan_step ---------------------------------------------------------------------


def jordan_step(x_t, y_prev, weights):
    """One Jordan step: the previous output y_prev is fed back. Returns (h_t, y_t)."""
    h_t = np.tanh(
        x_t @ weights.kernel + y_prev @ weights.feedback_kernel + weights.bias
    )
    y_t = h_t @ weights.output_kernel + weights.output_bias
    return h_t, y_t


def _random_jordan_case(
    rng: np.random.Generator, batch: int, features: int, units: int, outputs: int
) -> tuple[np.ndarray, np.ndarray, reference.JordanWeights]:
    weights = reference.JordanWeights(
        rng.normal(size=(features, units)),
        rng.normal(size=(outputs, units)),
        rng.normal(size=units),
        rng.normal(size=(units, outputs)),
        rng.normal(size=outputs),
    )
    return (
        rng.normal(size=(batch, features)),
        rng.normal(size=(batch, outputs)),
        weights,
    )


def _jordan_cases() -> Iterator[tuple[str, tuple[Any, ...]]]:
    # Outputs differ from units, so that swapped results show in their shapes.
    yield (
        "on a fixed batch of 2",
        _random_jordan_case(np.random.default_rng(7), 2, 3, 4, 2),
    )
    rng = fresh_rng()
    for _ in range(RANDOM_CASES):
        batch, features = int(rng.integers(1, 6)), int(rng.integers(1, 5))
        outputs = int(rng.integers(1, 4))
        units = outputs + int(rng.integers(1, 5))
        yield (
            f"on a random batch of {batch} ({units} units, {outputs} outputs)",
            _random_jordan_case(rng, batch, features, units, outputs),
        )


def _check_jordan_step(answer: Any) -> str:
    for case, (x_t, y_prev, weights) in _jordan_cases():
        got = call_answer(
            answer, x_t, y_prev, weights, what="your jordan_step", case=case
        )
        if not isinstance(got, tuple | list) or len(got) != 2:
            raise Wrong(
                "jordan_step should return two arrays, (h_t, y_t): the hidden state "
                "and the output."
            )
        got_h, got_y = got
        expected = reference.jordan_step(x_t, y_prev, weights)
        if (
            np.shape(got_h) == expected.output.shape
            and np.shape(got_y) == expected.hidden.shape
        ):
            raise Wrong(
                "The two results are swapped: return (h_t, y_t), hidden state first."
            )
        W, U, b, V, c = weights
        expect_array(
            got_h,
            expected.hidden,
            what=f"h_t {case}",
            diagnoses={
                "h_t ignores the fed-back output: add y_prev @ feedback_kernel inside "
                "the tanh.": np.tanh(x_t @ W + b),
                "The bias of the hidden layer is missing.": np.tanh(
                    x_t @ W + y_prev @ U
                ),
                "h_t has no nonlinearity: the hidden layer uses tanh.": x_t @ W
                + y_prev @ U
                + b,
            },
        )
        expect_array(
            got_y,
            expected.output,
            what=f"y_t {case}",
            diagnoses={
                "The output here is linear: do not pass h_t @ output_kernel + "
                "output_bias through tanh.": np.tanh(expected.output),
                "The output bias is missing.": expected.hidden @ V,
            },
        )
    return "Your Jordan step equals dlcourse.keras_parts.jordan.JordanCell's."


jordan_step = Exercise(
    "jordan_step",
    _check_jordan_step,
    hint="Start from your rnn_step. Which quantity is fed back now, and through "
    "which weights? The readout becomes part of the step, because its result is "
    "what the next step needs.",
    answer=jordan_step,
    explanation="Only the fed-back quantity changes; the readout moves inside the "
    "step because its result is the next step's state. This is what "
    "`JordanCell.call` computes.",
)


# --- stateless_ceiling ---------------------------------------------------------------


def stateless_ceiling(window, lag):
    """The best expected accuracy of a tagger whose state is reset at every window,
    on a stream labelled with the bit seen `lag` steps earlier."""
    blind = min(lag, window)  # positions whose bit lies in the window before
    return (window - blind + 0.5 * blind) / window  # the blind ones are coin flips


_ceiling = stateless_ceiling  # the reference, before the name becomes the Exercise


def _check_stateless_ceiling(answer: Any) -> str:
    rng = fresh_rng()
    short_lag = int(rng.integers(2, 30))
    long_window = int(rng.integers(short_lag + 1, 40))
    long_lag_window = int(rng.integers(2, 30))
    cases = [
        (CEILING_WINDOW, CEILING_LAG, "the chapter's stream"),
        (long_window, short_lag, "a random lag inside the window"),
        (
            long_lag_window,
            int(rng.integers(long_lag_window + 1, 60)),
            "a random lag beyond the window",
        ),
    ]
    for window, lag, kind in cases:
        case = f"for {kind} (window {window}, lag {lag})"
        got = call_answer(answer, window, lag, what="your stateless_ceiling", case=case)
        blind = min(lag, window)
        expect_number(
            got,
            _ceiling(window, lag),
            what=f"Your ceiling {case}",
            rel_tol=1e-9,
            diagnoses={
                "That gives the positions whose bit is out of sight no credit at "
                "all; a tagger that cannot know a bit still guesses it.": (
                    (window - blind) / window
                ),
                "When the lag is longer than the window, no position of a window "
                "can see its bit; a share cannot fall below what guessing "
                "scores.": 1.0 - 0.5 * lag / window,
                "Count the blind positions again: a position j of the window "
                "(from 0) sees its bit only if j - lag is still inside the "
                "window.": 1.0 - 0.5 * max(min(lag - 1, window), 0) / window,
                "That is a share of positions, not an accuracy: the blind "
                "positions are still right half of the time.": blind / window,
            },
        )
    return "Your ceiling is right for a lag inside and beyond the window."


stateless_ceiling = Exercise(
    "stateless_ceiling",
    _check_stateless_ceiling,
    hint="Take one window and go through its positions from the first: for which of "
    "them does the bit to recall lie inside this window? What does a tagger score "
    "at the others, when every bit is equally likely to be +1 or -1?",
    answer=stateless_ceiling,
    explanation="The first min(lag, window) positions of a window need a bit from "
    "the window before, which a tagger that starts from zero never saw, so it "
    "scores a coin flip there and can be perfect elsewhere. Carrying the state "
    "(stateful=True) removes the blind positions, but only if training can learn "
    "the memory: the gradient still stops at the window's start.",
)


# --- recurrent_kernel_gradient -------------------------------------------------------


def recurrent_kernel_gradient(hidden, recurrent_kernel, grad_hidden):
    """dL/dU of a tanh Elman layer with h_0 = 0, by backpropagation through time."""
    batch, steps, units = hidden.shape
    h_prev = np.concatenate([np.zeros((batch, 1, units)), hidden[:, :-1]], axis=1)
    gradient = np.zeros((units, units))
    from_next_step = np.zeros((batch, units))  # dL/dh_t through step t+1
    for t in reversed(range(steps)):
        delta = (grad_hidden[:, t] + from_next_step) * (1 - hidden[:, t] ** 2)
        gradient += h_prev[:, t].T @ delta
        from_next_step = delta @ recurrent_kernel.T
    return gradient


def _gradient_case(
    rng: np.random.Generator, batch: int, steps: int, features: int, units: int
) -> tuple[np.ndarray, ...]:
    x = rng.normal(size=(batch, steps, features))
    weights = reference.RNNWeights(
        rng.normal(size=(features, units)) * 0.6,
        rng.normal(size=(units, units)) * 0.5,
        rng.normal(size=units) * 0.1,
    )
    hidden = reference.rnn_sequence(x, weights).hidden
    grad_hidden = rng.normal(size=hidden.shape)
    expected = reference.bptt(x, hidden, weights, grad_hidden).recurrent_kernel
    return hidden, weights.recurrent_kernel, grad_hidden, expected


def _gradient_cases() -> Iterator[tuple[str, tuple[np.ndarray, ...]]]:
    yield (
        "on a fixed batch of 2 sequences of 6 steps",
        _gradient_case(np.random.default_rng(5), 2, 6, 3, 4),
    )
    rng = fresh_rng()
    for _ in range(RANDOM_CASES):
        batch, steps = int(rng.integers(1, 4)), int(rng.integers(2, 9))
        units = int(rng.integers(2, 6))
        yield (
            f"on a random batch of {batch} sequences of {steps} steps ({units} units)",
            _gradient_case(rng, batch, steps, 2, units),
        )


def _variant_gradient(
    hidden: np.ndarray,
    recurrent_kernel: np.ndarray,
    grad_hidden: np.ndarray,
    *,
    carry: bool = True,
    slope: bool = True,
    shift: bool = True,
    carry_transposed: bool = True,
) -> np.ndarray:
    """dL/dU computed with one typical mistake switched on (for the diagnoses)."""
    batch, steps, units = hidden.shape
    zeros = np.zeros((batch, 1, units))
    h_prev = np.concatenate([zeros, hidden[:, :-1]], axis=1) if shift else hidden
    U = recurrent_kernel.T if carry_transposed else recurrent_kernel
    from_next_step = np.zeros((batch, units))
    gradient = np.zeros((units, units))
    for t in reversed(range(steps)):
        delta = grad_hidden[:, t] + (from_next_step if carry else 0.0)
        if slope:
            delta = delta * (1.0 - hidden[:, t] ** 2)
        gradient += h_prev[:, t].T @ delta
        from_next_step = delta @ U
    return gradient


def _check_recurrent_gradient(answer: Any) -> str:
    for case, (hidden, U, grad_hidden, expected) in _gradient_cases():
        got = call_answer(
            answer,
            hidden,
            U,
            grad_hidden,
            what="your recurrent_kernel_gradient",
            case=case,
        )
        args = (hidden, U, grad_hidden)
        expect_array(
            got,
            expected,
            what=f"the gradient of recurrent_kernel {case}",
            diagnoses={
                "Each step only sees its own error: the error of later steps must "
                "also flow back into h_t, through the next step.": _variant_gradient(
                    *args, carry=False
                ),
                "The tanh slope is missing: the error passes through tanh before "
                "it reaches the weights.": _variant_gradient(*args, slope=False),
                "You paired delta_t with h_t; the recurrent weights multiply the "
                "*previous* state h_{t-1} (and h_0 = 0 at the first step).": (
                    _variant_gradient(*args, shift=False)
                ),
                "The error is carried back through recurrent_kernel instead of its "
                "transpose: forwards it is h_{t-1} @ U, so backwards it is delta @ "
                "U.T.": _variant_gradient(*args, carry_transposed=False),
                "Your gradient is transposed: it must have the layout of "
                "recurrent_kernel, rows for h_{t-1}, columns for h_t.": expected.T,
            },
        )
    return "Your BPTT gradient equals the reference (and so tf.GradientTape's)."


recurrent_kernel_gradient = Exercise(
    "recurrent_kernel_gradient",
    _check_recurrent_gradient,
    hint="The same U is used at every step, so its gradient is a sum of one term "
    "per step. Walk from the last step to the first: which error reaches h_t, and "
    "from where? What does U multiply in the forward equation?",
    answer=recurrent_kernel_gradient,
    explanation="Walk backwards, carrying the gradient that arrives at h_t from "
    "step t+1; pair each delta_t with the *previous* state. `reference.bptt` does "
    "the same for all three weights at once.",
)
