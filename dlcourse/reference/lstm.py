"""The LSTM in NumPy, in Keras's own conventions (introduced in the LSTM and GRU chapter).

``keras.layers.LSTM(units)`` stores three arrays:

* ``kernel`` of shape ``(inputs, 4 * units)``: the input weights of the four blocks;
* ``recurrent_kernel`` of shape ``(units, 4 * units)``: the weights on the previous output ``h``;
* ``bias`` of shape ``(4 * units,)``.

The four blocks come in the order **i, f, c, o**: input gate, forget gate, candidate cell value, output gate.
One step computes

    i = sigmoid(x W_i + h U_i + b_i)        f = sigmoid(x W_f + h U_f + b_f)
    g = tanh(x W_c + h U_c + b_c)           o = sigmoid(x W_o + h U_o + b_o)
    c' = f * c + i * g                      h' = o * tanh(c')

Keras's default ``unit_forget_bias=True`` starts ``b_f`` at 1 (Gers, Schmidhuber & Cummins 2000; Jozefowicz et
al. 2015), all other biases at 0.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from dlcourse._checks import check_array, check_int
from dlcourse.reference.dense import sigmoid

#: The order of the four blocks in Keras's kernel, recurrent kernel and bias.
GATE_ORDER = ("input", "forget", "candidate", "output")


class LSTMTrace(NamedTuple):
    """Everything an LSTM computed over a sequence, each of shape ``(batch, time, units)``.

    ``hidden[:, -1]`` is what ``keras.layers.LSTM(units)`` returns; ``hidden`` is what it returns with
    ``return_sequences=True``; ``cell[:, -1]`` is its final carry state.
    """

    hidden: np.ndarray
    cell: np.ndarray
    input_gate: np.ndarray
    forget_gate: np.ndarray
    candidate: np.ndarray
    output_gate: np.ndarray


def _check_lstm_weights(
    kernel: Any, recurrent_kernel: Any, bias: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    recurrent_kernel = check_array("recurrent_kernel", recurrent_kernel, ndim=2)
    units = recurrent_kernel.shape[0]
    if recurrent_kernel.shape != (units, 4 * units):
        raise ValueError(
            f"`recurrent_kernel` must have shape (units, 4 * units), got shape {recurrent_kernel.shape}"
        )
    kernel = check_array("kernel", kernel, ndim=2, shape=(None, 4 * units))
    bias = check_array("bias", bias, shape=(4 * units,))
    return kernel, recurrent_kernel, bias


def _lstm_blocks(
    x: np.ndarray,
    h: np.ndarray,
    c: np.ndarray,
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
    bias: np.ndarray,
) -> tuple[np.ndarray, ...]:
    z = x @ kernel + h @ recurrent_kernel + bias
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)
    i, f, g, o = sigmoid(z_i), sigmoid(z_f), np.tanh(z_c), sigmoid(z_o)
    c_new = f * c + i * g
    h_new = o * np.tanh(c_new)
    return h_new, c_new, i, f, g, o


def lstm_step(
    x: Any, h: Any, c: Any, kernel: Any, recurrent_kernel: Any, bias: Any
) -> tuple[np.ndarray, np.ndarray]:
    """One LSTM step: return the new output ``h`` and cell state ``c``, each ``(batch, units)``.

    ``x`` has shape ``(batch, inputs)``; ``h`` and ``c`` have shape ``(batch, units)``; the weights
    are laid out as Keras stores them (see the module docstring). Introduced in the LSTM and GRU chapter.
    """
    kernel, recurrent_kernel, bias = _check_lstm_weights(kernel, recurrent_kernel, bias)
    units = recurrent_kernel.shape[0]
    x = check_array("x", x, ndim=2, shape=(None, kernel.shape[0]))
    h = check_array("h", h, shape=(x.shape[0], units))
    c = check_array("c", c, shape=(x.shape[0], units))
    h_new, c_new, *_ = _lstm_blocks(x, h, c, kernel, recurrent_kernel, bias)
    return h_new, c_new


def lstm_sequence(
    x: Any,
    kernel: Any,
    recurrent_kernel: Any,
    bias: Any,
    *,
    initial_h: Any = None,
    initial_c: Any = None,
) -> LSTMTrace:
    """Run an LSTM over ``x`` of shape ``(batch, time, inputs)`` from zero (or given) states.

    Returns an :class:`LSTMTrace` with the outputs, cell states and all four blocks at every step, so that the
    chapter can plot the gates. Introduced in the LSTM and GRU chapter.
    """
    kernel, recurrent_kernel, bias = _check_lstm_weights(kernel, recurrent_kernel, bias)
    units = recurrent_kernel.shape[0]
    x = check_array("x", x, ndim=3, shape=(None, None, kernel.shape[0]))
    batch, steps, _ = x.shape
    h = (
        np.zeros((batch, units))
        if initial_h is None
        else check_array("initial_h", initial_h, shape=(batch, units))
    )
    c = (
        np.zeros((batch, units))
        if initial_c is None
        else check_array("initial_c", initial_c, shape=(batch, units))
    )
    records: list[tuple[np.ndarray, ...]] = []
    for t in range(steps):
        h, c, i, f, g, o = _lstm_blocks(x[:, t], h, c, kernel, recurrent_kernel, bias)
        records.append((h, c, i, f, g, o))
    stacked = [np.stack(series, axis=1) for series in zip(*records, strict=True)]
    return LSTMTrace(*stacked)


def lstm_parameter_count(inputs: int, units: int) -> int:
    """Trainable numbers of ``keras.layers.LSTM(units)``: ``4 (inputs*units + units^2 + units)``.

    Four blocks (three gates and the candidate), each with an input kernel, a recurrent kernel and a bias.
    Introduced in the LSTM and GRU chapter.
    """
    inputs = check_int("inputs", inputs, minimum=1)
    units = check_int("units", units, minimum=1)
    return 4 * (inputs * units + units * units + units)
