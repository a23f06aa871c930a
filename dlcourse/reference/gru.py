"""The GRU in NumPy, in both of Keras's conventions (from the LSTM and GRU chapter).

``keras.layers.GRU(units)`` stores, in this order in ``get_weights()``, a ``kernel``
``W`` of shape ``(inputs, 3 * units)``, a ``recurrent_kernel`` ``U`` of shape
``(units, 3 * units)`` and a ``bias``, with the three blocks in the order **z, r, h**:
update gate, reset gate, candidate. One step computes::

    reset_after=True (Keras's default, the form cuDNN implements), bias of shape
    (2, 3 * units), row b for the input part and row b' for the recurrent part:
        z = sigmoid(x W_z + b_z + h U_z + b'_z)
        r = sigmoid(x W_r + b_r + h U_r + b'_r)
        g = tanh(x W_h + b_h + r * (h U_h + b'_h))
    reset_after=False, bias of shape (3 * units,):
        z = sigmoid(x W_z + h U_z + b_z)
        r = sigmoid(x W_r + h U_r + b_r)
        g = tanh(x W_h + (r * h) U_h + b_h)
    h' = z * h + (1 - z) * g

In Keras's convention (and Cho et al.'s) ``z`` is the share of the *old* state that is
kept.
The argument checks live in :mod:`dlcourse.reference._gru_checks`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from dlcourse._checks import checked
from dlcourse.reference import _gru_checks as checks
from dlcourse.reference.activations import sigmoid, tanh
from dlcourse.reference.lstm import block_parameter_count


class GRUWeights(NamedTuple):
    """The weights of ``keras.layers.GRU``, named and ordered as its ``get_weights()``.

    Args:
        kernel: ``W``, shape ``(inputs, 3 * units)``, blocks z, r, h.
        recurrent_kernel: ``U``, shape ``(units, 3 * units)``, same blocks.
        bias: shape ``(2, 3 * units)`` with ``reset_after=True`` (rows ``b`` and
            ``b'``), ``(3 * units,)`` with ``reset_after=False``.
    """

    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray


class GRUGates(NamedTuple):
    """The three blocks of one step, each ``(batch, units)``, in Keras's order z, r, h.

    Args:
        z: the update gate (the share of the old state kept).
        r: the reset gate (the share of the old state the candidate sees).
        h_tilde: the candidate state.
    """

    z: np.ndarray
    r: np.ndarray
    h_tilde: np.ndarray


class GRUTrace(NamedTuple):
    """Everything a GRU computed over a sequence, each ``(batch, time, units)``.

    ``hidden[:, -1]`` is what ``keras.layers.GRU(units)`` returns.
    """

    hidden: np.ndarray
    update_gate: np.ndarray
    reset_gate: np.ndarray
    candidate: np.ndarray


@checked(checks.gru_gates)
def gru_gates(
    x_t: np.ndarray,
    h_prev: np.ndarray,
    weights: GRUWeights,
    *,
    reset_after: bool = True,
) -> GRUGates:
    """The update gate, the reset gate and the candidate of one step.

    Args:
        x_t: the inputs at this step, ``(batch, inputs)``.
        h_prev: the previous state ``h_{t-1}``, ``(batch, units)``.
        weights: the layer's :class:`GRUWeights`.
        reset_after: Keras's convention: the reset gate scales the recurrent product
            (``True``, the default) or the state before it (``False``).
    """
    W, U, b = weights
    if reset_after:
        x_z, x_r, x_h = np.split(x_t @ W + b[0], 3, axis=-1)
        h_z, h_r, h_h = np.split(h_prev @ U + b[1], 3, axis=-1)
        z = sigmoid(x_z + h_z)
        r = sigmoid(x_r + h_r)
        h_tilde = tanh(x_h + r * h_h)
    else:
        x_z, x_r, x_h = np.split(x_t @ W + b, 3, axis=-1)
        U_z, U_r, U_h = np.split(U, 3, axis=-1)
        z = sigmoid(x_z + h_prev @ U_z)
        r = sigmoid(x_r + h_prev @ U_r)
        h_tilde = tanh(x_h + (r * h_prev) @ U_h)
    return GRUGates(z=z, r=r, h_tilde=h_tilde)


def _keep_or_replace(h_prev: np.ndarray, gates: GRUGates) -> np.ndarray:
    """The new state: the share ``z`` of the old one, the rest from the candidate."""
    return gates.z * h_prev + (1.0 - gates.z) * gates.h_tilde


@checked(checks.gru_step)
def gru_step(
    x_t: np.ndarray,
    state: np.ndarray,
    weights: GRUWeights,
    *,
    reset_after: bool = True,
) -> np.ndarray:
    """One GRU step: return the new state ``h_t``, ``(batch, units)``.

    Args:
        x_t: the inputs at this step, ``(batch, inputs)``.
        state: the previous state ``h_{t-1}``, ``(batch, units)``.
        weights: the layer's :class:`GRUWeights`.
        reset_after: Keras's convention (see :func:`gru_gates`).
    """
    gates = gru_gates(x_t, state, weights, reset_after=reset_after)
    return _keep_or_replace(state, gates)


@checked(checks.gru_sequence)
def gru_sequence(
    x: np.ndarray,
    weights: GRUWeights,
    *,
    initial_state: np.ndarray | None = None,
    reset_after: bool = True,
) -> GRUTrace:
    """Run a GRU over ``x`` and keep every step's state, gates and candidate.

    Args:
        x: the sequences, ``(batch, time, inputs)``.
        weights: the layer's :class:`GRUWeights`.
        initial_state: the state before the first step, ``(batch, units)``; ``None``
            means zeros, as in Keras.
        reset_after: Keras's convention (see :func:`gru_gates`).
    """
    batch, steps, _ = x.shape
    units = weights.recurrent_kernel.shape[0]
    h = np.zeros((batch, units)) if initial_state is None else initial_state
    states, gates_per_step = [], []
    for t in range(steps):
        gates = gru_gates(x[:, t], h, weights, reset_after=reset_after)
        h = _keep_or_replace(h, gates)
        states.append(h)
        gates_per_step.append(gates)
    z, r, h_tilde = (
        np.stack(series, axis=1) for series in zip(*gates_per_step, strict=True)
    )
    return GRUTrace(
        hidden=np.stack(states, axis=1), update_gate=z, reset_gate=r, candidate=h_tilde
    )


@checked(checks.gru_parameter_count)
def gru_parameter_count(inputs: int, units: int, *, reset_after: bool = True) -> int:
    """Trainable numbers of ``keras.layers.GRU(units, reset_after=...)``.

    Three blocks, ``3 (n u + u^2 + u)``, plus ``3 u`` for the recurrent bias ``b'`` when
    ``reset_after=True``.

    Args:
        inputs: ``n``, the number of input features.
        units: ``u``, the number of units.
        reset_after: Keras's convention; ``True`` (the default) has the second bias.
    """
    second_bias = 3 * units if reset_after else 0
    return 3 * block_parameter_count(inputs, units) + second_bias
