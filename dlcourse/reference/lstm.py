"""The LSTM in NumPy, in Keras's own conventions (from the LSTM and GRU chapter).

``keras.layers.LSTM(units)`` stores three arrays, in this order in ``get_weights()``:

* ``kernel`` of shape ``(inputs, 4 * units)``: the input weights ``W`` of the blocks;
* ``recurrent_kernel`` of shape ``(units, 4 * units)``: the weights ``U`` on the
  previous output ``h``;
* ``bias`` of shape ``(4 * units,)``.

The four blocks come in the order **i, f, c, o**: input gate, forget gate, candidate
cell value, output gate. One step computes

    i = sigmoid(x W_i + h U_i + b_i)        f = sigmoid(x W_f + h U_f + b_f)
    g = tanh(x W_c + h U_c + b_c)           o = sigmoid(x W_o + h U_o + b_o)
    c' = f * c + i * g                      h' = o * tanh(c')

Keras's default ``unit_forget_bias=True`` starts ``b_f`` at 1 (Gers, Schmidhuber &
Cummins 2000; Jozefowicz et al. 2015), all other biases at 0. The argument checks live
in :mod:`dlcourse.reference._lstm_checks`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from dlcourse._checks import checked
from dlcourse.reference import _lstm_checks as checks
from dlcourse.reference.activations import sigmoid, tanh


class LSTMWeights(NamedTuple):
    """The weights of ``keras.layers.LSTM``, named and ordered as its ``get_weights()``.

    Args:
        kernel: ``W``, shape ``(inputs, 4 * units)``, blocks i, f, c, o.
        recurrent_kernel: ``U``, shape ``(units, 4 * units)``, same blocks.
        bias: ``b``, shape ``(4 * units,)``, same blocks.
    """

    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray


class LSTMState(NamedTuple):
    """The two states an LSTM carries from step to step, each ``(batch, units)``.

    Args:
        h: the output (Keras's first state), what the next layer sees.
        c: the memory cell (Keras's carry state).
    """

    h: np.ndarray
    c: np.ndarray


class LSTMGates(NamedTuple):
    """The four blocks of one step, each ``(batch, units)``, in Keras's order.

    Args:
        i: the input gate.
        f: the forget gate.
        g: the candidate cell value.
        o: the output gate.
    """

    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray


class LSTMTrace(NamedTuple):
    """Everything an LSTM computed over a sequence, each ``(batch, time, units)``.

    ``hidden[:, -1]`` is what ``keras.layers.LSTM(units)`` returns; ``hidden`` is what
    it returns with ``return_sequences=True``; ``cell[:, -1]`` is its final carry state.
    """

    hidden: np.ndarray
    cell: np.ndarray
    input_gate: np.ndarray
    forget_gate: np.ndarray
    candidate: np.ndarray
    output_gate: np.ndarray


@checked(checks.lstm_gates)
def lstm_gates(x_t: np.ndarray, h_prev: np.ndarray, weights: LSTMWeights) -> LSTMGates:
    """The four blocks of one step, from the input ``x_t`` and the previous output.

    Args:
        x_t: the inputs at this step, ``(batch, inputs)``.
        h_prev: the previous output ``h_{t-1}``, ``(batch, units)``.
        weights: the layer's :class:`LSTMWeights`.
    """
    z = x_t @ weights.kernel + h_prev @ weights.recurrent_kernel + weights.bias
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)
    return LSTMGates(i=sigmoid(z_i), f=sigmoid(z_f), g=tanh(z_c), o=sigmoid(z_o))


def _write_and_show(c_prev: np.ndarray, gates: LSTMGates) -> LSTMState:
    """The cell update: forget part of the memory, write the candidate, show it."""
    i, f, g, o = gates
    c_t = f * c_prev + i * g
    h_t = o * tanh(c_t)
    return LSTMState(h=h_t, c=c_t)


@checked(checks.lstm_step)
def lstm_step(x_t: np.ndarray, state: LSTMState, weights: LSTMWeights) -> LSTMState:
    """One LSTM step: return the new :class:`LSTMState` ``(h_t, c_t)``.

    Args:
        x_t: the inputs at this step, ``(batch, inputs)``.
        state: the previous :class:`LSTMState` (or a pair ``(h, c)``), each
            ``(batch, units)``.
        weights: the layer's :class:`LSTMWeights`.
    """
    gates = lstm_gates(x_t, state.h, weights)
    return _write_and_show(state.c, gates)


@checked(checks.lstm_sequence)
def lstm_sequence(
    x: np.ndarray, weights: LSTMWeights, *, initial_state: LSTMState | None = None
) -> LSTMTrace:
    """Run an LSTM over ``x`` and keep every step's states and gates.

    Args:
        x: the sequences, ``(batch, time, inputs)``.
        weights: the layer's :class:`LSTMWeights`.
        initial_state: the :class:`LSTMState` before the first step; ``None`` means
            zeros, as in Keras.
    """
    batch, steps, _ = x.shape
    units = weights.recurrent_kernel.shape[0]
    if initial_state is None:
        initial_state = LSTMState(np.zeros((batch, units)), np.zeros((batch, units)))
    state, states, gates_per_step = initial_state, [], []
    for t in range(steps):
        gates = lstm_gates(x[:, t], state.h, weights)
        state = _write_and_show(state.c, gates)
        states.append(state)
        gates_per_step.append(gates)
    h, c = (np.stack(series, axis=1) for series in zip(*states, strict=True))
    i, f, g, o = (
        np.stack(series, axis=1) for series in zip(*gates_per_step, strict=True)
    )
    return LSTMTrace(
        hidden=h, cell=c, input_gate=i, forget_gate=f, candidate=g, output_gate=o
    )


@checked(checks.parameter_count)
def block_parameter_count(inputs: int, units: int) -> int:
    """Trainable numbers of one block: ``n u + u^2 + u``; a SimpleRNN is one block.

    Args:
        inputs: ``n``, the number of input features.
        units: ``u``, the number of units.
    """
    return inputs * units + units * units + units


@checked(checks.parameter_count)
def lstm_parameter_count(inputs: int, units: int) -> int:
    """Trainable numbers of ``keras.layers.LSTM(units)``: ``4 (n u + u^2 + u)``.

    Args:
        inputs: ``n``, the number of input features.
        units: ``u``, the number of units.
    """
    return 4 * block_parameter_count(inputs, units)
