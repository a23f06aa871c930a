"""Recurrent networks in NumPy (the recurrent-network chapter).

Elman and Jordan forward passes, backpropagation through time (BPTT), truncated BPTT,
the measurement of how gradients decay over time, and gradient clipping.

The conventions are Keras's, so that weights copy over unchanged: inputs are
``(batch, time, features)`` and states are row vectors. A ``SimpleRNN`` stores
``kernel`` ``(features, units)``, ``recurrent_kernel`` ``(units, units)`` and ``bias``
``(units,)``, and computes

    h_t = f(x_t W + h_{t-1} U + b),   h_0 = 0,

with ``W`` the kernel, ``U`` the recurrent kernel and ``f`` the activation (tanh).

Every public function is a *core* that reads like the chapter's equations; its
argument checks live in :mod:`dlcourse.reference._rnn_checks`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from dlcourse._checks import checked
from dlcourse.reference import _rnn_checks as checks
from dlcourse.reference.activations import activate, slope_from_output


class RNNWeights(NamedTuple):
    """The weights of an Elman layer, in the order of ``SimpleRNN.get_weights()``.

    Args:
        kernel: ``W``, ``(features, units)``.
        recurrent_kernel: ``U``, ``(units, units)``.
        bias: ``b``, ``(units,)``.
    """

    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray


class RNNTrace(NamedTuple):
    """What an Elman layer computed over a sequence.

    Args:
        hidden: every state ``h_1 ... h_T``, ``(batch, time, units)``. ``hidden[:, -1]``
            is what ``SimpleRNN(units)`` returns; ``hidden`` is what it returns with
            ``return_sequences=True``.
    """

    hidden: np.ndarray


class RNNGradients(NamedTuple):
    """The gradients BPTT returns for an Elman layer.

    Args:
        kernel: dL/dW, ``(features, units)``.
        recurrent_kernel: dL/dU, ``(units, units)``.
        bias: dL/db, ``(units,)``.
        inputs: dL/dx_t for every step, ``(batch, time, features)``.
        initial_state: dL/dh_0, ``(batch, units)``.
    """

    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray
    inputs: np.ndarray
    initial_state: np.ndarray


class ElmanWeights(NamedTuple):
    """An Elman network with a linear readout ``y_t = h_t V + c`` at every step.

    The first three are a ``SimpleRNN``'s ``get_weights()``, the last two a ``Dense``
    layer's, so ``ElmanWeights(*model.get_weights())`` works for the two-layer model.

    Args:
        kernel: ``W``, ``(features, units)``.
        recurrent_kernel: ``U``, ``(units, units)``.
        bias: ``b``, ``(units,)``.
        output_kernel: ``V``, ``(units, outputs)``.
        output_bias: ``c``, ``(outputs,)``.
    """

    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray
    output_kernel: np.ndarray
    output_bias: np.ndarray


class ElmanTrace(NamedTuple):
    """What an Elman network computed over a sequence.

    Args:
        hidden: the states ``h_t``, ``(batch, time, units)``.
        outputs: the readouts ``y_t``, ``(batch, time, outputs)``.
    """

    hidden: np.ndarray
    outputs: np.ndarray


class ElmanGradients(NamedTuple):
    """The gradients of an Elman network's loss: one per weight, and the inputs'.

    Args:
        kernel: dL/dW.
        recurrent_kernel: dL/dU.
        bias: dL/db.
        output_kernel: dL/dV.
        output_bias: dL/dc.
        inputs: dL/dx, ``(batch, time, features)``.
    """

    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray
    output_kernel: np.ndarray
    output_bias: np.ndarray
    inputs: np.ndarray


class LossAndGradients(NamedTuple):
    """A loss and its gradients.

    Args:
        loss: the mean squared error, a float.
        gradients: an :class:`ElmanGradients`.
    """

    loss: float
    gradients: ElmanGradients


class JordanWeights(NamedTuple):
    """The weights of a Jordan network, in the order of ``JordanCell.get_weights()``.

    The *output* of step t-1, not the hidden state, is fed back.

    Args:
        kernel: ``W``, ``(features, units)``.
        feedback_kernel: ``F``, ``(outputs, units)``: from the fed-back output.
        bias: ``b``, ``(units,)``.
        output_kernel: ``V``, ``(units, outputs)``.
        output_bias: ``c``, ``(outputs,)``.
    """

    kernel: np.ndarray
    feedback_kernel: np.ndarray
    bias: np.ndarray
    output_kernel: np.ndarray
    output_bias: np.ndarray


class JordanStep(NamedTuple):
    """One Jordan step's results.

    Args:
        hidden: ``h_t``, ``(batch, units)``.
        output: ``y_t``, ``(batch, outputs)``; it is also the state fed back.
    """

    hidden: np.ndarray
    output: np.ndarray


class JordanTrace(NamedTuple):
    """What a Jordan network computed over a sequence.

    Args:
        hidden: the hidden layer ``h_t``, ``(batch, time, units)``.
        outputs: the outputs ``y_t``, ``(batch, time, outputs)``.
    """

    hidden: np.ndarray
    outputs: np.ndarray


class ClippedGradients(NamedTuple):
    """The result of :func:`clip_by_global_norm`.

    Args:
        gradients: the gradients, scaled so that their joint norm is at most the cap.
        norm: their joint norm before clipping.
    """

    gradients: list[np.ndarray]
    norm: float


@checked(checks.rnn_step)
def rnn_step(
    x_t: np.ndarray,
    h_prev: np.ndarray,
    weights: RNNWeights,
    activation: str = "tanh",
) -> np.ndarray:
    """One Elman step, h_t = f(x_t W + h_{t-1} U + b).

    Args:
        x_t: the input at step t, ``(batch, features)``.
        h_prev: the previous state ``h_{t-1}``, ``(batch, units)``.
        weights: an :class:`RNNWeights`.
        activation: the name of ``f`` (tanh in ``SimpleRNN``).

    Returns:
        ``h_t``, ``(batch, units)``.
    """
    W, U, b = weights
    return activate(x_t @ W + h_prev @ U + b, activation)


@checked(checks.rnn_sequence)
def rnn_sequence(
    x: np.ndarray,
    weights: RNNWeights,
    *,
    activation: str = "tanh",
    initial_state: np.ndarray | None = None,
) -> RNNTrace:
    """Run an Elman layer over ``x``: ``SimpleRNN(units, return_sequences=True)``.

    Args:
        x: the inputs, ``(batch, time, features)``.
        weights: an :class:`RNNWeights`.
        activation: the name of the nonlinearity.
        initial_state: ``h_0``, ``(batch, units)``; ``None`` means zeros.

    Returns:
        an :class:`RNNTrace` of the states ``(batch, time, units)``.
    """
    batch, steps, _ = x.shape
    units = weights.bias.shape[0]
    h_t = np.zeros((batch, units)) if initial_state is None else initial_state
    hidden = np.empty((batch, steps, units))
    for t in range(steps):
        h_t = rnn_step(x[:, t], h_t, weights, activation)
        hidden[:, t] = h_t
    return RNNTrace(hidden)


@checked(checks.elman_sequence)
def elman_sequence(
    x: np.ndarray,
    weights: ElmanWeights,
    *,
    initial_state: np.ndarray | None = None,
) -> ElmanTrace:
    """An Elman network: a tanh layer, then a linear readout y_t = h_t V + c per step.

    Equal to ``SimpleRNN(units, return_sequences=True)`` followed by ``Dense(outputs)``.

    Args:
        x: the inputs, ``(batch, time, features)``.
        weights: an :class:`ElmanWeights`.
        initial_state: ``h_0``, ``(batch, units)``; ``None`` means zeros.

    Returns:
        an :class:`ElmanTrace` of the states and the outputs.
    """
    W, U, b, V, c = weights
    hidden = rnn_sequence(x, RNNWeights(W, U, b), initial_state=initial_state).hidden
    return ElmanTrace(hidden, hidden @ V + c)


@checked(checks.bptt)
def bptt(
    x: np.ndarray,
    hidden: np.ndarray,
    weights: RNNWeights,
    grad_hidden: np.ndarray,
    *,
    activation: str = "tanh",
    initial_state: np.ndarray | None = None,
    truncation: int | None = None,
) -> RNNGradients:
    """Backpropagation through time for an Elman layer.

    The unfolded network uses the same weights at every step, so each weight's gradient
    is a sum over the steps of delta_t = dL/dz_t, the gradient at the pre-activation
    z_t = x_t W + h_{t-1} U + b.

    Args:
        x: the inputs, ``(batch, time, features)``.
        hidden: the forward states ``h_1 ... h_T``, ``(batch, time, units)``.
        weights: the :class:`RNNWeights` of the forward pass.
        grad_hidden: dL/dh_t from the layers above only (through the readout),
            ``(batch, time, units)``.
        activation: the nonlinearity of the forward pass.
        initial_state: ``h_0``; ``None`` means zeros.
        truncation: ``k`` for truncated BPTT: the error of step t flows back through
            at most k steps, to steps t-k+1 ... t (Williams and Peng's BPTT(h), one
            window per step, not the chunking of TBPTT(k, k)). ``None`` is full BPTT.

    Returns:
        an :class:`RNNGradients`.
    """
    W, U, _ = weights
    h_0 = np.zeros_like(hidden[:, 0]) if initial_state is None else initial_state
    h_prev = np.concatenate([h_0[:, None], hidden[:, :-1]], axis=1)
    slopes = slope_from_output(hidden, activation)  # f'(z_t), from h_t alone
    if truncation is None or truncation >= hidden.shape[1]:
        delta, grad_h_0 = _deltas_full(grad_hidden, slopes, U)
    else:
        delta, grad_h_0 = _deltas_truncated(grad_hidden, slopes, U, truncation)
    return RNNGradients(
        kernel=np.einsum("btf,btu->fu", x, delta),
        recurrent_kernel=np.einsum("btv,btu->vu", h_prev, delta),
        bias=delta.sum(axis=(0, 1)),
        inputs=delta @ W.T,
        initial_state=grad_h_0,
    )


class Deltas(NamedTuple):
    """What the backward walk of :func:`bptt` returns.

    Args:
        delta: dL/dz_t at every pre-activation, ``(batch, time, units)``.
        initial_state: dL/dh_0, ``(batch, units)``.
    """

    delta: np.ndarray
    initial_state: np.ndarray


def _deltas_full(grad_hidden: np.ndarray, slopes: np.ndarray, U: np.ndarray) -> Deltas:
    """Full BPTT: one backward walk; dL/dh_t = (from above) + delta_{t+1} U^T."""
    delta = np.zeros_like(grad_hidden)
    from_next_step = np.zeros_like(grad_hidden[:, 0])
    for t in reversed(range(grad_hidden.shape[1])):
        delta[:, t] = (grad_hidden[:, t] + from_next_step) * slopes[:, t]
        from_next_step = delta[:, t] @ U.T
    return Deltas(delta, from_next_step)


def _deltas_truncated(
    grad_hidden: np.ndarray, slopes: np.ndarray, U: np.ndarray, k: int
) -> Deltas:
    """BPTT(h): the error of each step t walks back on its own, k steps at most."""
    delta = np.zeros_like(grad_hidden)
    grad_h_0 = np.zeros_like(grad_hidden[:, 0])
    for t in range(grad_hidden.shape[1]):
        carried = grad_hidden[:, t]
        for s in range(t, max(t - k, -1), -1):
            delta[:, s] += carried * slopes[:, s]
            carried = (carried * slopes[:, s]) @ U.T
        if t - k < 0:  # this error reached step 1, so it also reaches h_0
            grad_h_0 += carried
    return Deltas(delta, grad_h_0)


@checked(checks.elman_gradients)
def elman_gradients(
    x: np.ndarray,
    targets: np.ndarray,
    weights: ElmanWeights,
    *,
    truncation: int | None = None,
) -> LossAndGradients:
    """The mean squared error of :func:`elman_sequence` and its gradients by BPTT.

    The loss is Keras's ``"mse"``: the mean over batch, time and outputs.

    Args:
        x: the inputs, ``(batch, time, features)``.
        targets: the wanted outputs, ``(batch, time, outputs)``.
        weights: an :class:`ElmanWeights`.
        truncation: as in :func:`bptt`.

    Returns:
        a :class:`LossAndGradients`.
    """
    W, U, b, V, c = weights
    h, y = elman_sequence(x, weights)
    error = y - targets
    grad_y = 2.0 * error / error.size
    grad_h = grad_y @ V.T
    layer = bptt(x, h, RNNWeights(W, U, b), grad_h, truncation=truncation)
    gradients = ElmanGradients(
        kernel=layer.kernel,
        recurrent_kernel=layer.recurrent_kernel,
        bias=layer.bias,
        output_kernel=np.einsum("btu,bto->uo", h, grad_y),
        output_bias=grad_y.sum(axis=(0, 1)),
        inputs=layer.inputs,
    )
    return LossAndGradients(float(np.mean(error**2)), gradients)


@checked(checks.jordan_step)
def jordan_step(
    x_t: np.ndarray,
    y_prev: np.ndarray,
    weights: JordanWeights,
    activation: str = "tanh",
    output_activation: str = "linear",
) -> JordanStep:
    """One Jordan step: h_t = f(x_t W + y_{t-1} F + b), y_t = g(h_t V + c).

    Args:
        x_t: the input at step t, ``(batch, features)``.
        y_prev: the previous *output* ``y_{t-1}``, ``(batch, outputs)``.
        weights: a :class:`JordanWeights`.
        activation: the name of ``f``.
        output_activation: the name of ``g`` (``"softmax"`` allowed).

    Returns:
        a :class:`JordanStep` ``(hidden, output)``.
    """
    W, F, b, V, c = weights
    h_t = activate(x_t @ W + y_prev @ F + b, activation)
    y_t = activate(h_t @ V + c, output_activation)
    return JordanStep(h_t, y_t)


@checked(checks.jordan_sequence)
def jordan_sequence(
    x: np.ndarray,
    weights: JordanWeights,
    *,
    activation: str = "tanh",
    output_activation: str = "linear",
    initial_state: np.ndarray | None = None,
) -> JordanTrace:
    """Run a Jordan network over ``x``: ``keras.layers.RNN(JordanCell(...))``.

    Args:
        x: the inputs, ``(batch, time, features)``.
        weights: a :class:`JordanWeights`.
        activation: the hidden layer's nonlinearity.
        output_activation: the output's nonlinearity.
        initial_state: ``y_0``, ``(batch, outputs)``; ``None`` means zeros.

    Returns:
        a :class:`JordanTrace` of the hidden layers and the outputs.
    """
    batch, steps, _ = x.shape
    units, outputs = weights.output_kernel.shape
    y_t = np.zeros((batch, outputs)) if initial_state is None else initial_state
    hidden = np.empty((batch, steps, units))
    all_outputs = np.empty((batch, steps, outputs))
    for t in range(steps):
        hidden[:, t], y_t = jordan_step(
            x[:, t], y_t, weights, activation, output_activation
        )
        all_outputs[:, t] = y_t
    return JordanTrace(hidden, all_outputs)


@checked(checks.recurrent_matrix)
def recurrent_matrix(
    units: int, spectral_radius: float, *, seed: int = 0
) -> np.ndarray:
    """A random orthogonal ``(units, units)`` matrix times ``spectral_radius``.

    Every eigenvalue and every singular value then has size ``spectral_radius``, so
    repeated products grow or shrink exactly like ``spectral_radius ** k``: the
    cleanest case for seeing gradients vanish or explode.

    Args:
        units: the size of the matrix.
        spectral_radius: the common size of its eigenvalues (and singular values).
        seed: the seed of the random rotation.
    """
    rng = np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.standard_normal((units, units)))
    return spectral_radius * q * np.sign(np.diag(r))


@checked(checks.input_gradient_norms)
def input_gradient_norms(
    x: np.ndarray, weights: RNNWeights, *, activation: str = "tanh"
) -> np.ndarray:
    """How strongly the last state depends on earlier inputs: ||dh_T / dx_{T-k}||.

    By the chain rule dh_T/dx_{T-k} = D_T U^T D_{T-1} U^T ... D_{T-k} W^T, with D_t
    the diagonal matrix of activation slopes. Each factor D U^T has a norm at most
    (largest slope) times (largest singular value of U), so the norm shrinks at least
    geometrically when that product is below 1 (Pascanu, Mikolov and Bengio, 2013).

    Args:
        x: one sequence, ``(time, features)``.
        weights: an :class:`RNNWeights`.
        activation: the nonlinearity.

    Returns:
        one Frobenius norm per lag ``k = 0 ... T-1``.
    """
    W, U, _ = weights
    hidden = rnn_sequence(x[None], weights, activation=activation).hidden[0]
    slopes = slope_from_output(hidden, activation)
    steps = len(x)
    norms = np.empty(steps)
    dh_T_dh_t = np.eye(U.shape[0])  # carried backwards one step at a time
    for k in range(steps):
        dh_T_dz_t = dh_T_dh_t * slopes[steps - 1 - k]
        norms[k] = np.linalg.norm(dh_T_dz_t @ W.T)
        dh_T_dh_t = dh_T_dz_t @ U.T
    return norms


@checked(checks.clip_by_global_norm)
def clip_by_global_norm(
    gradients: list[np.ndarray], max_norm: float
) -> ClippedGradients:
    """Scale gradients down so that their joint norm is at most ``max_norm``.

    The direction is kept; only the length is capped (Pascanu, Mikolov and Bengio,
    2013). This is what ``keras.optimizers.SGD(global_clipnorm=...)`` does.

    Args:
        gradients: a list of arrays.
        max_norm: the cap, a positive number.

    Returns:
        a :class:`ClippedGradients` (the scaled arrays and the norm before clipping).
    """
    norm = float(np.sqrt(sum(np.sum(g**2) for g in gradients)))
    factor = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return ClippedGradients([g * factor for g in gradients], norm)
