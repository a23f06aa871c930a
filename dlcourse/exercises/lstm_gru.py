"""Exercises of the LSTM and GRU chapter.

* ``lstm_step`` - one LSTM step in Keras's layout (blocks i, f, c, o);
* ``gru_step`` - one GRU step in Keras's default ``reset_after=True`` convention;
* ``parameter_count`` - the parameter-count formula for SimpleRNN, LSTM and GRU;
* ``gru_as_simple_rnn`` - set a GRU's weights so that it computes a given SimpleRNN.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dlcourse.exercises.framework import Exercise, Wrong, call_answer, expect_array
from dlcourse.reference import gru as reference_gru
from dlcourse.reference import lstm as reference_lstm
from dlcourse.reference.dense import sigmoid

#: The sizes the step checkers use (a batch of 3, 4 input features, 5 units).
BATCH, INPUTS, UNITS = 3, 4, 5

#: The (inputs, units) pairs the parameter-count checker asks about.
COUNT_CASES = ((2, 64), (12, 32), (1, 1), (100, 256))
LAYERS = ("simple_rnn", "lstm", "gru")


def _random_case(
    blocks: int, bias_shape: tuple[int, ...], seed: int
) -> tuple[np.ndarray, ...]:
    generator = np.random.default_rng(seed)
    x = generator.normal(size=(BATCH, INPUTS))
    h = generator.normal(scale=0.5, size=(BATCH, UNITS))
    kernel = generator.normal(scale=0.5, size=(INPUTS, blocks * UNITS))
    recurrent_kernel = generator.normal(scale=0.5, size=(UNITS, blocks * UNITS))
    bias = generator.normal(scale=0.5, size=bias_shape)
    return x, h, kernel, recurrent_kernel, bias


def _lstm_variant(
    x: np.ndarray,
    h: np.ndarray,
    c: np.ndarray,
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
    bias: np.ndarray,
    *,
    order: str = "ifco",
    use_bias: bool = True,
    cell_tanh: bool = True,
    coupled: bool = False,
    candidate: Callable[[np.ndarray], np.ndarray] = np.tanh,
) -> np.ndarray:
    """An LSTM step with one typical mistake switched on; returns ``stack([h, c])``."""
    z = x @ kernel + h @ recurrent_kernel + (bias if use_bias else 0.0)
    blocks = dict(zip(order, np.split(z, 4, axis=-1), strict=True))
    i, f, o = sigmoid(blocks["i"]), sigmoid(blocks["f"]), sigmoid(blocks["o"])
    g = candidate(blocks["c"])
    c_new = f * c + ((1.0 - f) if coupled else i) * g
    h_new = o * (np.tanh(c_new) if cell_tanh else c_new)
    return np.stack([h_new, c_new])


def _check_lstm_step(answer: Any) -> str:
    x, h, kernel, recurrent_kernel, bias = _random_case(4, (4 * UNITS,), seed=1)
    c = np.random.default_rng(2).normal(size=(BATCH, UNITS))
    got = call_answer(
        answer,
        x.copy(),
        h.copy(),
        c.copy(),
        kernel.copy(),
        recurrent_kernel.copy(),
        bias.copy(),
        what="your lstm_step",
    )
    if not isinstance(got, tuple | list) or len(got) != 2:
        raise Wrong(
            "lstm_step should return a pair (h, c): the new output and the new cell state."
        )
    try:
        stacked = np.stack(
            [np.asarray(got[0], dtype=float), np.asarray(got[1], dtype=float)]
        )
    except (TypeError, ValueError):
        raise Wrong(
            f"The new h and c should both be arrays of shape {(BATCH, UNITS)}."
        ) from None
    args = (x, h, c, kernel, recurrent_kernel, bias)
    expect_array(
        stacked,
        _lstm_variant(*args),
        what="(h, c) after one step",
        diagnoses={
            "The blocks are in the wrong order: Keras stores them as input gate, forget gate, "
            "candidate, output "
            "gate (i, f, c, o), not i, f, o, c.": _lstm_variant(*args, order="ifoc"),
            "The blocks are in the wrong order: Keras stores them as i, f, c, o (TensorFlow 1 "
            "used i, c, f, o).": _lstm_variant(*args, order="icfo"),
            "The bias is missing: add it to the pre-activations of all four blocks.": _lstm_variant(
                *args, use_bias=False
            ),
            "h is right only up to a squashing: the output is o * tanh(c), not o * c.": _lstm_variant(
                *args, cell_tanh=False
            ),
            "That couples the gates (c = f*c + (1-f)*g): the LSTM has a separate input gate i.": _lstm_variant(
                *args, coupled=True
            ),
            "The candidate uses the wrong nonlinearity: gates use sigmoid, the candidate uses tanh.": _lstm_variant(
                *args, candidate=sigmoid
            ),
        },
    )
    return "Your LSTM step matches dlcourse.reference.lstm.lstm_step, and so keras.layers.LSTM."


lstm_step = Exercise(
    "lstm_step",
    _check_lstm_step,
    hint="Compute z = x @ kernel + h @ recurrent_kernel + bias, split it into four blocks "
    "along the last axis in Keras's order (i, f, c, o), apply sigmoid to the gates and tanh "
    "to the candidate, then c' = f*c + i*g "
    "and h' = o * tanh(c').",
    solution="def lstm_step(x, h, c, kernel, recurrent_kernel, bias):\n"
    "    z = x @ kernel + h @ recurrent_kernel + bias\n"
    "    z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)\n"
    "    i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o)\n"
    "    c_new = f * c + i * np.tanh(z_c)\n"
    "    return o * np.tanh(c_new), c_new",
)


def _gru_variant(
    x: np.ndarray,
    h: np.ndarray,
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
    bias: np.ndarray,
    *,
    order: str = "zrh",
    reset_before: bool = False,
    flipped_update: bool = False,
    recurrent_bias: bool = True,
    bias_outside_reset: bool = False,
) -> np.ndarray:
    """A ``reset_after=True`` GRU step with one typical mistake switched on."""
    x_parts = dict(zip(order, np.split(x @ kernel + bias[0], 3, axis=-1), strict=True))
    u_parts = dict(zip(order, np.split(recurrent_kernel, 3, axis=-1), strict=True))
    b_parts = dict(
        zip(
            order,
            np.split(bias[1] if recurrent_bias else np.zeros_like(bias[1]), 3),
            strict=True,
        )
    )
    z = sigmoid(x_parts["z"] + h @ u_parts["z"] + b_parts["z"])
    r = sigmoid(x_parts["r"] + h @ u_parts["r"] + b_parts["r"])
    if reset_before:
        g = np.tanh(x_parts["h"] + (r * h) @ u_parts["h"] + b_parts["h"])
    elif bias_outside_reset:
        g = np.tanh(x_parts["h"] + r * (h @ u_parts["h"]) + b_parts["h"])
    else:
        g = np.tanh(x_parts["h"] + r * (h @ u_parts["h"] + b_parts["h"]))
    return (1.0 - z) * h + z * g if flipped_update else z * h + (1.0 - z) * g


def _check_gru_step(answer: Any) -> str:
    x, h, kernel, recurrent_kernel, bias = _random_case(3, (2, 3 * UNITS), seed=3)
    got = call_answer(
        answer,
        x.copy(),
        h.copy(),
        kernel.copy(),
        recurrent_kernel.copy(),
        bias.copy(),
        what="your gru_step",
    )
    args = (x, h, kernel, recurrent_kernel, bias)
    expect_array(
        got,
        _gru_variant(*args),
        what="h after one step",
        diagnoses={
            "That is the reset_after=False convention, (r * h) @ U_h: with reset_after=True the reset gate "
            "multiplies (h @ U_h + recurrent bias) after the product.": _gru_variant(
                *args, reset_before=True
            ),
            "The update gate is used the other way round: in Keras h' = z * h + (1 - z) * "
            "candidate, so z is the "
            "share of the old state that is kept.": _gru_variant(
                *args, flipped_update=True
            ),
            "The blocks are in the wrong order: Keras stores update gate, reset gate, "
            "candidate (z, r, h).": _gru_variant(*args, order="rzh"),
            "The recurrent bias (bias[1]) is missing: with reset_after=True each block has two biases.": _gru_variant(
                *args, recurrent_bias=False
            ),
            "The candidate's recurrent bias belongs inside the reset gate: r * (h @ U_h + "
            "bias[1, h-block]).": _gru_variant(*args, bias_outside_reset=True),
        },
    )
    return "Your GRU step matches keras.layers.GRU(reset_after=True)."


gru_step = Exercise(
    "gru_step",
    _check_gru_step,
    hint="bias[0] is added to x @ kernel, bias[1] to h @ recurrent_kernel. Split both into (z, r, h) blocks. "
    "z and r are sigmoids of their sums; the candidate is tanh(x-part + r * (h-part)); h' = z*h + (1-z)*g.",
    solution="def gru_step(x, h, kernel, recurrent_kernel, bias):\n"
    "    x_z, x_r, x_h = np.split(x @ kernel + bias[0], 3, axis=-1)\n"
    "    h_z, h_r, h_h = np.split(h @ recurrent_kernel + bias[1], 3, axis=-1)\n"
    "    z, r = sigmoid(x_z + h_z), sigmoid(x_r + h_r)\n"
    "    g = np.tanh(x_h + r * h_h)\n"
    "    return z * h + (1 - z) * g",
)


def _counts(
    per_block: Callable[[int, int], int],
    blocks: dict[str, int],
    extra: Callable[[str, int], int],
) -> np.ndarray:
    return np.array(
        [
            [blocks[layer] * per_block(i, u) + extra(layer, u) for layer in LAYERS]
            for i, u in COUNT_CASES
        ],
        dtype=float,
    )


def _right_counts() -> np.ndarray:
    return np.array(
        [
            [
                reference_gru.simple_rnn_parameter_count(i, u),
                reference_lstm.lstm_parameter_count(i, u),
                reference_gru.gru_parameter_count(i, u),
            ]
            for i, u in COUNT_CASES
        ],
        dtype=float,
    )


def _check_parameter_count(answer: Any) -> str:
    got = []
    for inputs, units in COUNT_CASES:
        row = []
        for layer in LAYERS:
            value = call_answer(
                answer, layer, inputs, units, what="your parameter_count"
            )
            if isinstance(value, bool) or not isinstance(
                value, int | np.integer | float
            ):
                raise Wrong(
                    f"parameter_count({layer!r}, {inputs}, {units}) should return a number, got {type(value).__name__}."
                )
            row.append(float(value))
        got.append(row)
    blocks = {"simple_rnn": 1, "lstm": 4, "gru": 3}
    full = lambda i, u: i * u + u * u + u  # noqa: E731 - one block: input kernel, recurrent kernel, bias
    gru_second_bias = lambda layer, u: 3 * u if layer == "gru" else 0  # noqa: E731
    no_extra = lambda layer, u: 0  # noqa: E731
    expect_array(
        np.array(got),
        _right_counts(),
        what="Your counts",
        atol=0.5,
        diagnoses={
            "The recurrent kernels are missing: every block also has a (units x units) matrix "
            "on the previous h.": _counts(
                lambda i, u: i * u + u, blocks, gru_second_bias
            ),
            "The biases are missing: every block has one bias per unit.": _counts(
                lambda i, u: i * u + u * u, blocks, lambda layer, u: 0
            ),
            "The LSTM has four blocks, not three: three gates (input, forget, output) and the candidate.": _counts(
                full, {**blocks, "lstm": 3}, gru_second_bias
            ),
            "Right for GRU(reset_after=False); Keras's default reset_after=True adds a second "
            "bias of 3 * units.": _counts(full, blocks, no_extra),
            "The GRU has three blocks (update gate, reset gate, candidate), not two.": _counts(
                full,
                {**blocks, "gru": 2},
                lambda layer, u: 2 * u if layer == "gru" else 0,
            ),
        },
    )
    return "Your formula agrees with Keras's count_params() for all three layers."


parameter_count = Exercise(
    "parameter_count",
    _check_parameter_count,
    hint="One block has an input kernel (inputs x units), a recurrent kernel (units x units) "
    "and a bias (units). "
    "How many blocks does each layer have? And what does reset_after=True add to the GRU?",
    solution="def parameter_count(layer, inputs, units):\n"
    "    block = inputs * units + units * units + units\n"
    "    return {'simple_rnn': block, 'lstm': 4 * block, 'gru': 3 * block + 3 * units}[layer]",
)


def _simple_rnn_sequence(
    x: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray
) -> np.ndarray:
    h = np.zeros((x.shape[0], recurrent_kernel.shape[0]))
    states = []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ kernel + h @ recurrent_kernel + bias)
        states.append(h)
    return np.stack(states, axis=1)


def _check_gru_as_simple_rnn(answer: Any) -> str:
    generator = np.random.default_rng(5)
    steps = 6
    x = generator.normal(size=(BATCH, steps, INPUTS))
    kernel = generator.normal(scale=0.5, size=(INPUTS, UNITS))
    recurrent_kernel = generator.normal(scale=0.5, size=(UNITS, UNITS))
    bias = generator.normal(scale=0.5, size=(UNITS,))
    got = call_answer(
        answer,
        kernel.copy(),
        recurrent_kernel.copy(),
        bias.copy(),
        what="your gru_weights",
    )
    if not isinstance(got, tuple | list) or len(got) != 3:
        raise Wrong(
            "gru_weights should return three arrays: (kernel, recurrent_kernel, bias) for the GRU."
        )
    shapes = {
        "kernel": (INPUTS, 3 * UNITS),
        "recurrent_kernel": (UNITS, 3 * UNITS),
        "bias": (2, 3 * UNITS),
    }
    arrays = []
    for (name, shape), value in zip(shapes.items(), got, strict=True):
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise Wrong(f"The GRU {name} should be an array of numbers.") from None
        if array.shape != shape:
            raise Wrong(
                f"The GRU {name} should have shape {shape} (three blocks z, r, h; reset_after=True "
                f"keeps two bias rows), got {array.shape}."
            )
        arrays.append(array)
    with np.errstate(all="ignore"):
        trace = reference_gru.gru_sequence(x, *arrays, reset_after=True)
    if not np.all(np.isfinite(trace.hidden)):
        raise Wrong("The GRU's output contains NaN or infinity.")
    expected = _simple_rnn_sequence(x, kernel, recurrent_kernel, bias)
    if np.allclose(trace.hidden, expected, atol=1e-5, rtol=0):
        return "The GRU computes the SimpleRNN: reset gate 1, update gate 0 (Keras's convention)."
    update, reset = trace.update_gate, trace.reset_gate
    if update.mean() > 0.5:
        raise Wrong(
            "Your update gate is mostly open (z near 1): in Keras's convention h' = z*h + (1-z)*candidate, "
            "so z = 1 copies the old state. A SimpleRNN keeps none of it."
        )
    if reset.mean() < 0.5:
        raise Wrong(
            "Your reset gate is mostly closed (r near 0), so the candidate never sees the previous state."
        )
    if update.max() > 1e-5 or reset.min() < 1 - 1e-5:
        raise Wrong(
            "The gates point the right way but are not saturated: sigmoid reaches 0 or 1 only for large "
            "pre-activations. Zero the gate weights and use large biases."
        )
    transposed = _simple_rnn_sequence(x, kernel, recurrent_kernel.T, bias)
    if np.allclose(trace.hidden, transposed, atol=1e-5, rtol=0):
        raise Wrong(
            "The recurrent kernel is transposed: Keras multiplies h @ recurrent_kernel."
        )
    raise Wrong(
        "The gates are right, but the candidate is not the SimpleRNN: its weights belong in the third "
        "block (order z, r, h) of the kernel, the recurrent kernel and the bias."
    )


gru_as_simple_rnn = Exercise(
    "gru_as_simple_rnn",
    _check_gru_as_simple_rnn,
    hint="Put the SimpleRNN's kernel, recurrent kernel and bias into the candidate block (the "
    "third of z, r, h). "
    "Leave the gate weights at zero and drive the gates with biases large enough that sigmoid saturates; "
    "which sign does each gate need in Keras's convention h' = z*h + (1-z)*candidate?",
    solution="def gru_weights(kernel, recurrent_kernel, bias):\n"
    "    inputs, units = kernel.shape\n"
    "    gru_kernel = np.zeros((inputs, 3 * units)); gru_kernel[:, 2 * units:] = kernel\n"
    "    gru_recurrent = np.zeros((units, 3 * units)); gru_recurrent[:, 2 * units:] = recurrent_kernel\n"
    "    gru_bias = np.zeros((2, 3 * units))\n"
    "    gru_bias[0, :units] = -40.0           # update gate z = 0: keep none of the old state\n"
    "    gru_bias[0, units:2 * units] = 40.0   # reset gate r = 1: the candidate sees all of h\n"
    "    gru_bias[0, 2 * units:] = bias\n"
    "    return gru_kernel, gru_recurrent, gru_bias",
)
