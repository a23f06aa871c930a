"""Exercises of the LSTM and GRU chapter, from easy to hard.

* ``parameter_count`` - the parameter-count formula for SimpleRNN, LSTM and GRU;
* ``lstm_step`` - one LSTM step in Keras's layout (blocks i, f, c, o);
* ``gru_step`` - one GRU step in Keras's default ``reset_after=True`` convention;
* ``gru_as_simple_rnn`` - the weights of a GRU that computes a given SimpleRNN.

Each checker calls the learner's function on fixed cases and on cases drawn afresh at
every check; the expected values come from :mod:`dlcourse.reference`, and the
``answer`` of each exercise below is its one reference solution.
"""

from __future__ import annotations

from collections.abc import Callable
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
from dlcourse.reference import gru as reference_gru
from dlcourse.reference import lstm as reference_lstm
from dlcourse.reference import rnn as reference_rnn
from dlcourse.reference.activations import sigmoid, tanh
from dlcourse.reference.gru import GRUWeights
from dlcourse.reference.lstm import LSTMState, LSTMWeights
from dlcourse.reference.rnn import RNNWeights

#: The layers ``parameter_count`` is asked about, by the names the learner receives.
LAYERS = ("simple_rnn", "lstm", "gru")
#: Fixed (inputs, units) pairs for ``parameter_count``: the chapter's, and corner cases.
COUNT_CASES = ((2, 64), (12, 32), (1, 1))
#: Gate bias that saturates a sigmoid: sigmoid(-40) is about 4e-18.
SATURATION = 40.0


# --- 1. parameter_count (easy) ------------------------------------------------------


def parameter_count(layer, inputs, units):
    block = inputs * units + units * units + units
    blocks = {"simple_rnn": 1, "lstm": 4, "gru": 3}[layer]
    second_bias = 3 * units if layer == "gru" else 0  # reset_after=True's b'
    return blocks * block + second_bias


def _reference_count(layer: str, inputs: int, units: int) -> int:
    if layer == "simple_rnn":
        return reference_lstm.block_parameter_count(inputs, units)
    if layer == "lstm":
        return reference_lstm.lstm_parameter_count(inputs, units)
    return reference_gru.gru_parameter_count(inputs, units)


def _count_mistakes(layer: str, n: int, u: int) -> dict[str, float]:
    blocks = {"simple_rnn": 1, "lstm": 4, "gru": 3}[layer]
    second_bias = 3 * u if layer == "gru" else 0
    mistakes = {
        "The recurrent kernels are missing: every block also has a (units x units) "
        "matrix on the previous h.": blocks * (n * u + u) + second_bias,
        "The biases are missing: every block has one bias per unit.": blocks
        * (n * u + u * u),
    }
    if layer == "lstm":
        mistakes[
            "The LSTM has four blocks, not three: three gates (input, forget, output) "
            "and the candidate."
        ] = 3 * (n * u + u * u + u)
    if layer == "gru":
        mistakes[
            "Right for GRU(reset_after=False); Keras's default reset_after=True adds a "
            "second bias of 3 * units."
        ] = 3 * (n * u + u * u + u)
        mistakes[
            "The GRU has three blocks (update gate, reset gate, candidate), not two."
        ] = 2 * (n * u + u * u + u) + 2 * u
    return mistakes


def _check_parameter_count(answer: Any) -> str:
    rng = fresh_rng()
    fresh = [(int(rng.integers(2, 50)), int(rng.integers(2, 300))) for _ in range(2)]
    for inputs, units in (*COUNT_CASES, *fresh):
        for layer in LAYERS:
            case = f"parameter_count({layer!r}, {inputs}, {units})"
            got = call_answer(
                answer, layer, inputs, units, what="your parameter_count", case=case
            )
            expect_number(
                got,
                _reference_count(layer, inputs, units),
                what=case,
                integer=True,
                diagnoses=_count_mistakes(layer, inputs, units),
            )
    return "Your formula agrees with Keras's count_params() for all three layers."


parameter_count = Exercise(
    "parameter_count",
    _check_parameter_count,
    hint="Count one block first: what multiplies the input, what multiplies the "
    "previous state, and what is added. Then: how many blocks does each layer have, "
    "and what does the GRU's reset_after=True keep twice?",
    answer=parameter_count,
    explanation="A block is an input kernel, a recurrent kernel and a bias; the "
    "SimpleRNN has one block, the LSTM four, the GRU three plus, with "
    "`reset_after=True`, a second bias of 3·units.",
)


# --- shared by the step checkers ------------------------------------------------------


def _step_cases(
    blocks: int, bias_rows: int
) -> list[tuple[str, tuple[np.ndarray, ...]]]:
    """(name, (x_t, h_prev, c_prev, kernel, recurrent_kernel, bias)) for the checkers.

    A fixed case, and two drawn afresh: four inputs against five units (a transposed
    kernel cannot fit), and a batch of one with other sizes.
    """
    rng = fresh_rng()
    sizes = [
        ("a fixed batch of 3 (4 inputs, 5 units)", np.random.default_rng(1), 3, 4, 5),
        ("a random batch of 3 (4 inputs, 5 units)", rng, 3, 4, 5),
        (
            "a random batch of 1",
            rng,
            1,
            int(rng.integers(1, 6)),
            int(rng.integers(2, 7)),
        ),
    ]
    cases = []
    for name, generator, batch, inputs, units in sizes:
        bias_shape = (blocks * units,) if bias_rows == 1 else (2, blocks * units)
        cases.append(
            (
                name,
                (
                    generator.normal(size=(batch, inputs)),
                    generator.normal(scale=0.5, size=(batch, units)),
                    generator.normal(size=(batch, units)),
                    generator.normal(scale=0.5, size=(inputs, blocks * units)),
                    generator.normal(scale=0.5, size=(units, blocks * units)),
                    generator.normal(scale=0.5, size=bias_shape),
                ),
            )
        )
    return cases


def _as_pair(got: Any, case: str, shape: tuple[int, int]) -> np.ndarray:
    if not isinstance(got, tuple | list) or len(got) != 2:
        raise Wrong(
            f"Your lstm_step, {case}, should return a pair (h, c): the new output and "
            "the new cell state."
        )
    try:
        h, c = (np.asarray(part, dtype=np.float64) for part in got)
    except (TypeError, ValueError):
        raise Wrong(f"Your lstm_step, {case}: h and c should be arrays.") from None
    if h.shape != shape or c.shape != shape:
        raise Wrong(
            f"Your lstm_step, {case}: h and c should both have shape {shape}, got "
            f"{h.shape} and {c.shape}."
        )
    return np.stack([h, c])


# --- 2. lstm_step (medium) ------------------------------------------------------------


def lstm_step(x_t, state, weights):
    z = x_t @ weights.kernel + state.h @ weights.recurrent_kernel + weights.bias
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)
    c_t = sigmoid(z_f) * state.c + sigmoid(z_i) * tanh(z_c)
    h_t = sigmoid(z_o) * tanh(c_t)
    return h_t, c_t


def _lstm_variant(
    x_t: np.ndarray,
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
    candidate: Callable[[np.ndarray], np.ndarray] = tanh,
) -> np.ndarray:
    """An LSTM step with one typical mistake switched on; returns ``stack([h, c])``."""
    z = x_t @ kernel + h @ recurrent_kernel + (bias if use_bias else 0.0)
    blocks = dict(zip(order, np.split(z, 4, axis=-1), strict=True))
    i, f, o = sigmoid(blocks["i"]), sigmoid(blocks["f"]), sigmoid(blocks["o"])
    g = candidate(blocks["c"])
    c_new = f * c + ((1.0 - f) if coupled else i) * g
    h_new = o * (tanh(c_new) if cell_tanh else c_new)
    return np.stack([h_new, c_new])


def _check_lstm_step(answer: Any) -> str:
    for case, (x_t, h, c, kernel, recurrent_kernel, bias) in _step_cases(4, 1):
        state, weights = LSTMState(h, c), LSTMWeights(kernel, recurrent_kernel, bias)
        got = call_answer(
            answer, x_t, state, weights, what="your lstm_step", case=f"on {case}"
        )
        what = f"(h, c) on {case}"
        stacked = _as_pair(got, f"on {case}", h.shape)
        expected = reference_lstm.lstm_step(x_t, state, weights)
        arrays = (x_t, h, c, kernel, recurrent_kernel, bias)
        expect_array(
            stacked,
            np.stack([expected.h, expected.c]),
            what=what,
            diagnoses={
                "The blocks are in the wrong order: Keras stores them as input gate, "
                "forget gate, candidate, output gate (i, f, c, o), not i, f, o, "
                "c.": _lstm_variant(*arrays, order="ifoc"),
                "The blocks are in the wrong order: Keras stores them as i, f, c, o "
                "(TensorFlow 1 used i, c, f, o).": _lstm_variant(*arrays, order="icfo"),
                "The bias is missing: add it to the pre-activations of all four "
                "blocks.": _lstm_variant(*arrays, use_bias=False),
                "h is right only up to a squashing: the output is o * tanh(c), not "
                "o * c.": _lstm_variant(*arrays, cell_tanh=False),
                "That couples the gates (c = f*c + (1-f)*g), as a GRU does: the LSTM "
                "has a separate input gate i.": _lstm_variant(*arrays, coupled=True),
                "The candidate uses the wrong nonlinearity: gates use sigmoid, the "
                "candidate uses tanh.": _lstm_variant(*arrays, candidate=sigmoid),
            },
        )
    return "Your LSTM step matches dlcourse.reference.lstm.lstm_step, and so Keras's."


lstm_step = Exercise(
    "lstm_step",
    _check_lstm_step,
    hint="All four blocks come out of one sum of two matrix products and the bias; "
    "cut it into four along the last axis, in Keras's order. Which of the four is not "
    "a gate, and so gets a different nonlinearity? Then write the two update "
    "equations of the chapter.",
    answer=lstm_step,
    explanation="One matrix product per source computes all four blocks at once; "
    "`np.split` cuts them in Keras's order i, f, c, o.",
)


# --- 3. gru_step (medium) -------------------------------------------------------------


def gru_step(x_t, state, weights):
    x_z, x_r, x_h = np.split(x_t @ weights.kernel + weights.bias[0], 3, axis=-1)
    h_z, h_r, h_h = np.split(
        state @ weights.recurrent_kernel + weights.bias[1], 3, axis=-1
    )
    z = sigmoid(x_z + h_z)
    r = sigmoid(x_r + h_r)
    h_tilde = tanh(x_h + r * h_h)
    return z * state + (1 - z) * h_tilde


def _gru_variant(
    x_t: np.ndarray,
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
    b_rec = bias[1] if recurrent_bias else np.zeros_like(bias[1])
    x_parts = dict(
        zip(order, np.split(x_t @ kernel + bias[0], 3, axis=-1), strict=True)
    )
    u_parts = dict(zip(order, np.split(recurrent_kernel, 3, axis=-1), strict=True))
    b_parts = dict(zip(order, np.split(b_rec, 3), strict=True))
    z = sigmoid(x_parts["z"] + h @ u_parts["z"] + b_parts["z"])
    r = sigmoid(x_parts["r"] + h @ u_parts["r"] + b_parts["r"])
    if reset_before:
        g = tanh(x_parts["h"] + (r * h) @ u_parts["h"] + b_parts["h"])
    elif bias_outside_reset:
        g = tanh(x_parts["h"] + r * (h @ u_parts["h"]) + b_parts["h"])
    else:
        g = tanh(x_parts["h"] + r * (h @ u_parts["h"] + b_parts["h"]))
    return (1.0 - z) * h + z * g if flipped_update else z * h + (1.0 - z) * g


def _check_gru_step(answer: Any) -> str:
    for case, (x_t, h, _, kernel, recurrent_kernel, bias) in _step_cases(3, 2):
        weights = GRUWeights(kernel, recurrent_kernel, bias)
        got = call_answer(
            answer, x_t, h, weights, what="your gru_step", case=f"on {case}"
        )
        arrays = (x_t, h, kernel, recurrent_kernel, bias)
        expect_array(
            got,
            reference_gru.gru_step(x_t, h, weights, reset_after=True),
            what=f"h after one step on {case}",
            diagnoses={
                "That is the reset_after=False convention, (r * h) @ U_h: with "
                "reset_after=True the reset gate multiplies (h @ U_h + recurrent bias) "
                "after the product.": _gru_variant(*arrays, reset_before=True),
                "The update gate is used the other way round: in Keras h' = z * h + "
                "(1 - z) * candidate, so z is the share of the old state that is "
                "kept.": _gru_variant(*arrays, flipped_update=True),
                "The blocks are in the wrong order: Keras stores update gate, reset "
                "gate, candidate (z, r, h).": _gru_variant(*arrays, order="rzh"),
                "The recurrent bias (bias[1]) is missing: with reset_after=True the "
                "input part and the recurrent part each have a bias, in every "
                "block.": _gru_variant(*arrays, recurrent_bias=False),
                "The candidate's recurrent bias belongs inside the reset gate: "
                "r * (h @ U_h + bias[1, h-block]).": _gru_variant(
                    *arrays, bias_outside_reset=True
                ),
            },
        )
    return "Your GRU step matches keras.layers.GRU(reset_after=True)."


gru_step = Exercise(
    "gru_step",
    _check_gru_step,
    hint="Keep the input part and the recurrent part apart, each with its own bias "
    "row, and cut each into the three blocks z, r, h. The gates add their two parts; "
    "where does the reset gate act on the candidate's recurrent part when "
    "reset_after=True? Mind which share of the old state z keeps in Keras.",
    answer=gru_step,
    explanation="With `reset_after=True` the whole recurrent product, bias included, "
    "is computed first and the reset gate scales its candidate part. Had you written "
    "$h' = (1 - z) h + z \\tilde h$ (Chung et al.'s convention), the checker would "
    "tell you that the update gate is used the other way round: in that convention a "
    "GRU that is a SimpleRNN has update gate 1, not 0.",
)


# --- 4. gru_as_simple_rnn (hard) ------------------------------------------------------


def gru_as_simple_rnn(rnn_weights):
    kernel, recurrent_kernel, bias = rnn_weights
    inputs, units = kernel.shape
    gru_kernel = np.zeros((inputs, 3 * units))
    gru_recurrent = np.zeros((units, 3 * units))
    gru_bias = np.zeros((2, 3 * units))
    gru_kernel[:, 2 * units :] = kernel  # the SimpleRNN is the candidate block
    gru_recurrent[:, 2 * units :] = recurrent_kernel
    gru_bias[0, :units] = -SATURATION  # update gate z = 0: keep none of the old state
    gru_bias[0, units : 2 * units] = SATURATION  # reset gate r = 1: see all of h
    gru_bias[1, 2 * units :] = bias  # row 0 works too: r = 1 passes it unchanged
    return GRUWeights(gru_kernel, gru_recurrent, gru_bias)


def _rnn_cases() -> list[tuple[str, np.ndarray, RNNWeights]]:
    rng = fresh_rng()
    cases = []
    for name, generator, inputs, units in (
        ("a fixed SimpleRNN (4 inputs, 5 units)", np.random.default_rng(5), 4, 5),
        (
            "a random SimpleRNN",
            rng,
            int(rng.integers(1, 6)),
            int(rng.integers(2, 8)),
        ),
    ):
        x = generator.normal(size=(3, 6, inputs))
        weights = RNNWeights(
            generator.normal(scale=0.5, size=(inputs, units)),
            generator.normal(scale=0.5, size=(units, units)),
            generator.normal(scale=0.5, size=units),
        )
        cases.append((name, x, weights))
    return cases


def _gru_arrays(got: Any, case: str, inputs: int, units: int) -> list[np.ndarray]:
    if not isinstance(got, tuple | list) or len(got) != 3:
        raise Wrong(
            "gru_as_simple_rnn should return the GRU's three arrays: (kernel, "
            "recurrent_kernel, bias)."
        )
    shapes = {
        "kernel": (inputs, 3 * units),
        "recurrent_kernel": (units, 3 * units),
        "bias": (2, 3 * units),
    }
    arrays = []
    for (name, shape), value in zip(shapes.items(), got, strict=True):
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise Wrong(f"The GRU {name} should be an array of numbers.") from None
        if array.shape != shape:
            raise Wrong(
                f"For {case}, the GRU {name} should have shape {shape} (three blocks "
                f"z, r, h; reset_after=True keeps two bias rows), got {array.shape}."
            )
        if not np.all(np.isfinite(array)):
            raise Wrong(f"For {case}, the GRU {name} contains NaN or infinity.")
        arrays.append(array)
    return arrays


def _diagnose_gru_as_rnn(
    trace: reference_gru.GRUTrace, x: np.ndarray, rnn_weights: RNNWeights
) -> None:
    if trace.update_gate.mean() > 0.5:
        raise Wrong(
            "Your update gate is mostly open (z near 1): in Keras's convention "
            "h' = z*h + (1-z)*candidate, so z = 1 copies the old state. A SimpleRNN "
            "keeps none of it."
        )
    if trace.reset_gate.mean() < 0.5:
        raise Wrong(
            "Your reset gate is mostly closed (r near 0), so the candidate never sees "
            "the previous state."
        )
    if trace.update_gate.max() > 1e-5 or trace.reset_gate.min() < 1 - 1e-5:
        raise Wrong(
            "The gates point the right way but are not saturated: sigmoid reaches 0 or "
            "1 only for large pre-activations, whatever the input."
        )
    kernel, recurrent_kernel, bias = rnn_weights
    transposed = reference_rnn.rnn_sequence(
        x, RNNWeights(kernel, recurrent_kernel.T, bias)
    ).hidden
    if np.allclose(trace.hidden, transposed, atol=1e-5, rtol=0):
        raise Wrong(
            "The recurrent kernel is transposed: Keras multiplies h @ recurrent_kernel."
        )
    raise Wrong(
        "The gates are right, but the candidate is not the SimpleRNN: its weights "
        "belong in the third block (order z, r, h) of the kernel, the recurrent kernel "
        "and the bias."
    )


def _check_gru_as_simple_rnn(answer: Any) -> str:
    for case, x, rnn_weights in _rnn_cases():
        inputs, units = rnn_weights.kernel.shape
        got = call_answer(
            answer, rnn_weights, what="your gru_as_simple_rnn", case=f"for {case}"
        )
        arrays = GRUWeights(*_gru_arrays(got, case, inputs, units))
        with np.errstate(all="ignore"):
            trace = reference_gru.gru_sequence(x, arrays, reset_after=True)
        expected = reference_rnn.rnn_sequence(x, rnn_weights).hidden
        if not np.allclose(trace.hidden, expected, atol=1e-5, rtol=0):
            _diagnose_gru_as_rnn(trace, x, rnn_weights)
    return (
        "The GRU computes the SimpleRNN: reset gate 1, update gate 0 (Keras's "
        "convention)."
    )


gru_as_simple_rnn = Exercise(
    "gru_as_simple_rnn",
    _check_gru_as_simple_rnn,
    hint="Which block of the GRU looks like a SimpleRNN step once its reset gate is "
    "fully open? Put the SimpleRNN there. A gate that must stay fixed whatever the "
    "input should not depend on the input; in Keras's convention h' = z*h + "
    "(1-z)*candidate, which value does each gate need?",
    answer=gru_as_simple_rnn,
    explanation="The gates get zero weights and saturating biases, "
    "$z = \\sigma(-40) \\approx 0$ and $r = \\sigma(40) = 1$; the SimpleRNN goes into "
    "the candidate block. With $r = 1$, $r \\odot (h U_h + b'_h) = h U_h + b'_h$, so "
    "the SimpleRNN's bias may sit in either row.",
)
