"""The GRU in NumPy, in Keras's own conventions, both of them (introduced in the LSTM and GRU chapter).

``keras.layers.GRU(units)`` stores a ``kernel`` of shape ``(inputs, 3 * units)``, a ``recurrent_kernel`` of
shape ``(units, 3 * units)`` and a bias, with the three blocks in the order **z, r, h**: update gate, reset
gate, candidate. One step computes

    z = sigmoid(x W_z + h U_z + b_z)        r = sigmoid(x W_r + h U_r + b_r)
    reset_after=True  (Keras's default, cuDNN's):  g = tanh(x W_h + b_h + r * (h U_h + b'_h))
    reset_after=False (Cho et al. 2014's paper):   g = tanh(x W_h + b_h + (r * h) U_h)
    h' = z * h + (1 - z) * g

With ``reset_after=True`` the bias has shape ``(2, 3 * units)``: row 0 is added to the input part, row 1 to
the recurrent part (inside the reset gate for the candidate). With ``reset_after=False`` it has shape
``(3 * units,)``.

Note Keras's update convention: ``z`` is the share of the *old* state that is kept. Cho et al. (2014) write
``h' = z * h + (1 - z) * g`` as well, while Chung et al. (2014) and many textbooks write
``h' = (1 - z) * h + z * g``: the same family of functions, with ``z`` replaced by ``1 - z``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from dlcourse._checks import check_array, check_bool, check_int
from dlcourse.reference.dense import sigmoid

#: The order of the three blocks in Keras's kernel, recurrent kernel and bias.
GATE_ORDER = ("update", "reset", "candidate")


class GRUTrace(NamedTuple):
    """Everything a GRU computed over a sequence, each of shape ``(batch, time, units)``.

    ``hidden[:, -1]`` is what ``keras.layers.GRU(units)`` returns.
    """

    hidden: np.ndarray
    update_gate: np.ndarray
    reset_gate: np.ndarray
    candidate: np.ndarray


def _check_gru_weights(
    kernel: Any, recurrent_kernel: Any, bias: Any, reset_after: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    reset_after = check_bool("reset_after", reset_after)
    recurrent_kernel = check_array("recurrent_kernel", recurrent_kernel, ndim=2)
    units = recurrent_kernel.shape[0]
    if recurrent_kernel.shape != (units, 3 * units):
        raise ValueError(
            f"`recurrent_kernel` must have shape (units, 3 * units), got shape {recurrent_kernel.shape}"
        )
    kernel = check_array("kernel", kernel, ndim=2, shape=(None, 3 * units))
    if reset_after:
        bias = check_array("bias", bias)
        if bias.shape != (2, 3 * units):
            raise ValueError(
                f"`bias` must have shape (2, {3 * units}) with reset_after=True (an input and a "
                f"recurrent bias), got shape {bias.shape}"
            )
        return kernel, recurrent_kernel, bias[0], bias[1]
    bias = check_array("bias", bias)
    if bias.shape != (3 * units,):
        raise ValueError(
            f"`bias` must have shape ({3 * units},) with reset_after=False, got shape {bias.shape}"
        )
    return kernel, recurrent_kernel, bias, np.zeros_like(bias)


def _gru_blocks(
    x: np.ndarray,
    h: np.ndarray,
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
    input_bias: np.ndarray,
    recurrent_bias: np.ndarray,
    reset_after: bool,
) -> tuple[np.ndarray, ...]:
    x_z, x_r, x_h = np.split(x @ kernel + input_bias, 3, axis=-1)
    u_z, u_r, u_h = np.split(recurrent_kernel, 3, axis=-1)
    b_z, b_r, b_h = np.split(recurrent_bias, 3)
    z = sigmoid(x_z + h @ u_z + b_z)
    r = sigmoid(x_r + h @ u_r + b_r)
    if reset_after:
        g = np.tanh(x_h + r * (h @ u_h + b_h))
    else:
        g = np.tanh(x_h + (r * h) @ u_h)
    return z * h + (1.0 - z) * g, z, r, g


def gru_step(
    x: Any,
    h: Any,
    kernel: Any,
    recurrent_kernel: Any,
    bias: Any,
    *,
    reset_after: bool = True,
) -> np.ndarray:
    """One GRU step: return the new state ``h`` of shape ``(batch, units)``.

    ``x`` has shape ``(batch, inputs)`` and ``h`` shape ``(batch, units)``; weights as Keras stores
    them for the given ``reset_after`` convention (see the module docstring).
    Introduced in the LSTM and GRU chapter.
    """
    kernel, recurrent_kernel, input_bias, recurrent_bias = _check_gru_weights(
        kernel, recurrent_kernel, bias, reset_after
    )
    units = recurrent_kernel.shape[0]
    x = check_array("x", x, ndim=2, shape=(None, kernel.shape[0]))
    h = check_array("h", h, shape=(x.shape[0], units))
    return _gru_blocks(
        x, h, kernel, recurrent_kernel, input_bias, recurrent_bias, bool(reset_after)
    )[0]


def gru_sequence(
    x: Any,
    kernel: Any,
    recurrent_kernel: Any,
    bias: Any,
    *,
    reset_after: bool = True,
    initial_h: Any = None,
) -> GRUTrace:
    """Run a GRU over ``x`` of shape ``(batch, time, inputs)`` from a zero (or given) state.

    Returns a :class:`GRUTrace` with the states and both gates and the candidate at every step.
    Introduced in the LSTM and GRU chapter.
    """
    kernel, recurrent_kernel, input_bias, recurrent_bias = _check_gru_weights(
        kernel, recurrent_kernel, bias, reset_after
    )
    units = recurrent_kernel.shape[0]
    x = check_array("x", x, ndim=3, shape=(None, None, kernel.shape[0]))
    batch, steps, _ = x.shape
    h = (
        np.zeros((batch, units))
        if initial_h is None
        else check_array("initial_h", initial_h, shape=(batch, units))
    )
    records: list[tuple[np.ndarray, ...]] = []
    for t in range(steps):
        h, z, r, g = _gru_blocks(
            x[:, t],
            h,
            kernel,
            recurrent_kernel,
            input_bias,
            recurrent_bias,
            bool(reset_after),
        )
        records.append((h, z, r, g))
    stacked = [np.stack(series, axis=1) for series in zip(*records, strict=True)]
    return GRUTrace(*stacked)


def gru_parameter_count(inputs: int, units: int, *, reset_after: bool = True) -> int:
    """Trainable numbers of ``keras.layers.GRU(units, reset_after=...)`` on ``inputs`` features.

    Three blocks, each with an input kernel, a recurrent kernel and a bias: ``3 (inputs*units + units^2 +
    units)``, plus ``3 * units`` for the second (recurrent) bias when ``reset_after=True``.
    Introduced in the LSTM and GRU chapter.
    """
    inputs = check_int("inputs", inputs, minimum=1)
    units = check_int("units", units, minimum=1)
    reset_after = check_bool("reset_after", reset_after)
    return 3 * (inputs * units + units * units + units) + (
        3 * units if reset_after else 0
    )


def simple_rnn_parameter_count(inputs: int, units: int) -> int:
    """Trainable numbers of ``keras.layers.SimpleRNN(units)``: ``inputs*units + units^2 + units``.

    Given here so that the LSTM and GRU chapter can put the three counts side by side.
    """
    inputs = check_int("inputs", inputs, minimum=1)
    units = check_int("units", units, minimum=1)
    return inputs * units + units * units + units
