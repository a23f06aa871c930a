"""Exercises of the recurrent-network chapter.

* ``rnn_step`` - one step of an Elman network (coding);
* ``recurrent_gradient`` - the BPTT gradient of the recurrent weights (coding, checked against
  :func:`dlcourse.reference.rnn.bptt`);
* ``simple_rnn_parameter_count`` - how many weights ``SimpleRNN(32)`` has on 12 input features (a number);
* ``jordan_step`` - turn the Elman step into a Jordan step, feeding back the output (coding).
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
    expect_number,
)
from dlcourse.reference import rnn as reference
from dlcourse.reference.dense import sigmoid

#: The layer asked about in ``simple_rnn_parameter_count``: 12 LPC features in (JapaneseVowels), 32 units.
COUNT_FEATURES, COUNT_UNITS = 12, 32


def _step_problem() -> tuple[np.ndarray, ...]:
    # Three features and four units, so that only the square recurrent kernel can be transposed by mistake.
    rng = np.random.default_rng(3)
    return (
        rng.normal(size=(2, 3)),
        rng.normal(size=(2, 4)) * 0.8,
        rng.normal(size=(3, 4)),
        rng.normal(size=(4, 4)),
        rng.normal(size=4),
    )


def _check_rnn_step(answer: Any) -> str:
    x_t, h_prev, kernel, recurrent_kernel, bias = _step_problem()
    got = call_answer(
        answer,
        x_t.copy(),
        h_prev.copy(),
        kernel.copy(),
        recurrent_kernel.copy(),
        bias.copy(),
        what="your rnn_step",
    )
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    expect_array(
        got,
        np.tanh(z),
        what="rnn_step on a batch of 2",
        diagnoses={
            "The recurrent kernel is transposed: Keras multiplies the row vector h_prev from the left, "
            "h_prev @ recurrent_kernel.": np.tanh(
                x_t @ kernel + h_prev @ recurrent_kernel.T + bias
            ),
            "The bias is missing.": np.tanh(x_t @ kernel + h_prev @ recurrent_kernel),
            "There is no nonlinearity: SimpleRNN squashes the sum with tanh.": z,
            "That is the logistic sigmoid; SimpleRNN uses tanh, which is centred on zero.": sigmoid(
                z
            ),
            "That is ReLU; SimpleRNN uses tanh.": np.maximum(z, 0.0),
            "The previous state h_prev does not enter: without it the network is not recurrent.": np.tanh(
                x_t @ kernel + bias
            ),
            "The bias is added after tanh; it belongs inside, with the two products.": np.tanh(
                x_t @ kernel + h_prev @ recurrent_kernel
            )
            + bias,
        },
    )
    return "Your step equals keras.layers.SimpleRNN's."


rnn_step = Exercise(
    "rnn_step",
    _check_rnn_step,
    hint="Two matrix products (the input with `kernel`, the previous state with `recurrent_kernel`), "
    "the bias, then one nonlinearity over the sum. Row vectors: the array goes on the left of `@`.",
    solution="def rnn_step(x_t, h_prev, kernel, recurrent_kernel, bias):\n"
    "    return np.tanh(x_t @ kernel + h_prev @ recurrent_kernel + bias)",
)


def _gradient_problem() -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(5)
    batch, steps, features, units = 2, 6, 3, 4
    x = rng.normal(size=(batch, steps, features))
    kernel = rng.normal(size=(features, units)) * 0.6
    recurrent_kernel = rng.normal(size=(units, units)) * 0.5
    bias = rng.normal(size=units) * 0.1
    states = reference.rnn_forward(x, kernel, recurrent_kernel, bias)
    grad_states = rng.normal(size=states.shape)
    return x, states, recurrent_kernel, grad_states


def _variant_gradient(
    states: np.ndarray,
    recurrent_kernel: np.ndarray,
    grad_states: np.ndarray,
    *,
    carry: bool = True,
    slope: bool = True,
    shift: bool = True,
    carry_transposed: bool = True,
) -> np.ndarray:
    """The gradient of the recurrent kernel computed with one typical mistake switched on (for diagnoses)."""
    batch, steps, units = states.shape
    previous = (
        np.concatenate([np.zeros((batch, 1, units)), states[:, :-1]], axis=1)
        if shift
        else states
    )
    carried = np.zeros((batch, units))
    result = np.zeros((units, units))
    for t in reversed(range(steps)):
        delta = grad_states[:, t] + (carried if carry else 0.0)
        if slope:
            delta = delta * (1.0 - states[:, t] ** 2)
        result += previous[:, t].T @ delta
        carried = delta @ (recurrent_kernel.T if carry_transposed else recurrent_kernel)
    return result


def _check_recurrent_gradient(answer: Any) -> str:
    x, states, recurrent_kernel, grad_states = _gradient_problem()
    got = call_answer(
        answer,
        x.copy(),
        states.copy(),
        recurrent_kernel.copy(),
        grad_states.copy(),
        what="your recurrent_kernel_gradient",
    )
    expected = reference.bptt(x, states, recurrent_kernel, grad_states)[
        "recurrent_kernel"
    ]
    args = (states, recurrent_kernel, grad_states)
    expect_array(
        got,
        expected,
        what="the gradient of recurrent_kernel",
        diagnoses={
            "Each step only sees its own error: the error of later steps must also flow back into h_t "
            "through the next step (carry delta @ recurrent_kernel.T backwards).": _variant_gradient(
                *args, carry=False
            ),
            "The tanh slope (1 - h_t**2) is missing: the error passes through tanh before it reaches the "
            "weights.": _variant_gradient(*args, slope=False),
            "You paired delta_t with h_t; the recurrent weights multiply the *previous* state h_{t-1} "
            "(and h_0 = 0 at the first step).": _variant_gradient(*args, shift=False),
            "The error is carried back through recurrent_kernel instead of its transpose: in the forward "
            "pass h_{t-1} @ U, so backwards delta @ U.T.": _variant_gradient(
                *args, carry_transposed=False
            ),
            "Your gradient is transposed: it must have the layout of recurrent_kernel, rows for h_{t-1}, "
            "columns for h_t.": expected.T,
        },
    )
    return "Your BPTT gradient equals the reference (and so tf.GradientTape's)."


recurrent_gradient = Exercise(
    "recurrent_gradient",
    _check_recurrent_gradient,
    hint="Go backwards from the last step, keeping `carried` = dL/dh_t that arrives from step t+1. "
    "At step t: "
    "delta = (grad_states[:, t] + carried) * (1 - h_t**2); add h_{t-1}.T @ delta to the gradient; "
    "carried = delta @ recurrent_kernel.T.",
    solution="def recurrent_kernel_gradient(x, states, recurrent_kernel, grad_states):\n"
    "    batch, steps, units = states.shape\n"
    "    previous = np.concatenate([np.zeros((batch, 1, units)), states[:, :-1]], axis=1)\n"
    "    gradient = np.zeros((units, units))\n"
    "    carried = np.zeros((batch, units))\n"
    "    for t in reversed(range(steps)):\n"
    "        delta = (grad_states[:, t] + carried) * (1 - states[:, t] ** 2)\n"
    "        gradient += previous[:, t].T @ delta\n"
    "        carried = delta @ recurrent_kernel.T\n"
    "    return gradient",
)


def _check_parameter_count(answer: Any) -> str:
    f, u = COUNT_FEATURES, COUNT_UNITS
    expect_number(
        answer,
        f * u + u * u + u,
        what="Your count",
        integer=True,
        diagnoses={
            "That leaves out the recurrent kernel, the (units, units) matrix that makes it recurrent.": f
            * u
            + u,
            "That leaves out the bias (one per unit).": f * u + u * u,
            "That leaves out the input kernel (features, units).": u * u + u,
            "That counts a bias per input feature as well as per unit; there is one bias per unit.": f
            * u
            + u * u
            + u
            + f,
            "That adds the readout Dense(9) too; the question is about the SimpleRNN layer alone.": f
            * u
            + u * u
            + u
            + u * 9
            + 9,
        },
    )
    return "Keras's SimpleRNN(32).count_params() on 12 features agrees."


simple_rnn_parameter_count = Exercise(
    "simple_rnn_parameter_count",
    _check_parameter_count,
    hint="A SimpleRNN stores three arrays: kernel (features, units), recurrent_kernel (units, units), "
    "bias (units,).",
    solution=f"{COUNT_FEATURES} * {COUNT_UNITS} + {COUNT_UNITS} * {COUNT_UNITS} + {COUNT_UNITS} = "
    f"{COUNT_FEATURES * COUNT_UNITS + COUNT_UNITS**2 + COUNT_UNITS}",
)


def _jordan_problem() -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(7)
    features, units, outputs = 3, 4, 2
    return (
        rng.normal(size=(2, features)),
        rng.normal(size=(2, outputs)),
        rng.normal(size=(features, units)),
        rng.normal(size=(outputs, units)),
        rng.normal(size=units),
        rng.normal(size=(units, outputs)),
        rng.normal(size=outputs),
    )


def _check_jordan_step(answer: Any) -> str:
    x_t, y_prev, kernel, feedback_kernel, bias, output_kernel, output_bias = (
        _jordan_problem()
    )
    got = call_answer(
        answer, *(a.copy() for a in _jordan_problem()), what="your jordan_step"
    )
    if got is None or got is Ellipsis:
        raise NotDone(NOT_DONE_MESSAGE)
    if not isinstance(got, tuple | list) or len(got) != 2:
        raise Wrong(
            "jordan_step should return two arrays, (h_t, y_t): the hidden state and the output."
        )
    got_h, got_y = got
    if np.shape(got_h) == (2, 2) and np.shape(got_y) == (2, 4):
        raise Wrong(
            "The two results are swapped: return (h_t, y_t), hidden state first."
        )
    h = np.tanh(x_t @ kernel + y_prev @ feedback_kernel + bias)
    y = h @ output_kernel + output_bias
    expect_array(
        got_h,
        h,
        what="h_t",
        diagnoses={
            "h_t ignores the fed-back output: add y_prev @ feedback_kernel inside the tanh.": np.tanh(
                x_t @ kernel + bias
            ),
            "The bias of the hidden layer is missing.": np.tanh(
                x_t @ kernel + y_prev @ feedback_kernel
            ),
            "h_t has no nonlinearity: the hidden layer uses tanh.": x_t @ kernel
            + y_prev @ feedback_kernel
            + bias,
        },
    )
    expect_array(
        got_y,
        y,
        what="y_t",
        diagnoses={
            "The output here is linear: do not pass h_t @ output_kernel + output_bias through tanh.": np.tanh(
                y
            ),
            "The output bias is missing.": h @ output_kernel,
        },
    )
    return "Your Jordan step equals dlcourse.keras_parts.jordan.JordanCell's."


jordan_step = Exercise(
    "jordan_step",
    _check_jordan_step,
    hint="Like rnn_step, but the previous *output* y_prev (with feedback_kernel) replaces the previous "
    "hidden state; then the readout y_t = h_t @ output_kernel + output_bias, and return both.",
    solution="def jordan_step(x_t, y_prev, kernel, feedback_kernel, bias, output_kernel, output_bias):\n"
    "    h_t = np.tanh(x_t @ kernel + y_prev @ feedback_kernel + bias)\n"
    "    y_t = h_t @ output_kernel + output_bias\n"
    "    return h_t, y_t",
)
