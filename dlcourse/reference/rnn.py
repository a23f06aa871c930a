"""Recurrent networks in NumPy: Elman and Jordan forward passes, backpropagation through time (BPTT),
truncated BPTT, the gradient-decay measurement and gradient clipping (introduced in the recurrent-network
chapter).

The conventions are Keras's, so that weights copy over unchanged: inputs are ``(batch, time, features)``, a
``SimpleRNN`` stores ``kernel`` ``(features, units)``, ``recurrent_kernel`` ``(units, units)`` and ``bias``
``(units,)``, and computes, with row vectors,

    h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias),   h_0 = 0.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from dlcourse._checks import check_array, check_choice, check_float, check_int

#: The nonlinearities the reference supports (the ones whose derivative is a function of their output).
ACTIVATIONS = ("tanh", "linear", "relu", "sigmoid")


class ElmanParameters(NamedTuple):
    """The weights of an Elman network with a linear readout ``y_t = h_t @ output_kernel + output_bias``.

    The first three are a Keras ``SimpleRNN``'s ``get_weights()``, the last two a ``Dense`` layer's.
    """

    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray
    output_kernel: np.ndarray
    output_bias: np.ndarray


class JordanParameters(NamedTuple):
    """The weights of a Jordan network: the *output* of step t-1, not the hidden state, is fed back.

    ``h_t = activation(x_t @ kernel + y_{t-1} @ feedback_kernel + bias)`` and
    ``y_t = output_activation(h_t @ output_kernel + output_bias)``; the order is that of
    :class:`dlcourse.keras_parts.jordan.JordanCell`'s ``get_weights()``.
    """

    kernel: np.ndarray
    feedback_kernel: np.ndarray
    bias: np.ndarray
    output_kernel: np.ndarray
    output_bias: np.ndarray


def _activate(z: np.ndarray, activation: str) -> np.ndarray:
    if activation == "tanh":
        return np.tanh(z)
    if activation == "linear":
        return z
    if activation == "relu":
        return np.maximum(z, 0.0)
    return np.exp(-np.logaddexp(0.0, -z))


def _derivative_from_output(h: np.ndarray, activation: str) -> np.ndarray:
    """The activation's slope at the pre-activation, written with its output ``h`` (no need to store z)."""
    if activation == "tanh":
        return 1.0 - h**2
    if activation == "linear":
        return np.ones_like(h)
    if activation == "relu":
        return (h > 0).astype(h.dtype)
    return h * (1.0 - h)


def _check_rnn_weights(
    kernel: Any, recurrent_kernel: Any, bias: Any, features: int | None
) -> tuple[np.ndarray, ...]:
    kernel = check_array("kernel", kernel, ndim=2)
    units = kernel.shape[1]
    if features is not None and kernel.shape[0] != features:
        raise ValueError(
            f"`kernel` must have {features} rows, one per input feature; got shape {kernel.shape}"
        )
    recurrent_kernel = check_array(
        "recurrent_kernel", recurrent_kernel, shape=(units, units)
    )
    bias = check_array("bias", bias, shape=(units,))
    return kernel, recurrent_kernel, bias


def rnn_step(
    x_t: Any,
    h_prev: Any,
    kernel: Any,
    recurrent_kernel: Any,
    bias: Any,
    activation: str = "tanh",
) -> np.ndarray:
    """One Elman step: ``activation(x_t @ kernel + h_prev @ recurrent_kernel + bias)``.

    ``x_t`` is ``(batch, features)``, ``h_prev`` ``(batch, units)``; returns ``(batch, units)``.
    Introduced in the recurrent-network chapter.
    """
    x_t = check_array("x_t", x_t, ndim=2)
    kernel, recurrent_kernel, bias = _check_rnn_weights(
        kernel, recurrent_kernel, bias, x_t.shape[1]
    )
    h_prev = check_array("h_prev", h_prev, shape=(x_t.shape[0], kernel.shape[1]))
    check_choice("activation", activation, ACTIVATIONS)
    return _activate(x_t @ kernel + h_prev @ recurrent_kernel + bias, activation)


def _initial_state(
    initial_state: Any, batch: int, units: int, name: str = "initial_state"
) -> np.ndarray:
    if initial_state is None:
        return np.zeros((batch, units))
    return check_array(name, initial_state, shape=(batch, units))


def rnn_forward(
    x: Any,
    kernel: Any,
    recurrent_kernel: Any,
    bias: Any,
    *,
    activation: str = "tanh",
    initial_state: Any = None,
) -> np.ndarray:
    """Run an Elman layer over ``x`` ``(batch, time, features)``; return every state ``(batch, time, units)``.

    The same as ``keras.layers.SimpleRNN(units, return_sequences=True)`` with the same weights; the last
    state ``states[:, -1]`` is what ``SimpleRNN(units)`` returns. Introduced in the recurrent-network chapter.
    """
    x = check_array("x", x, ndim=3)
    kernel, recurrent_kernel, bias = _check_rnn_weights(
        kernel, recurrent_kernel, bias, x.shape[2]
    )
    check_choice("activation", activation, ACTIVATIONS)
    batch, steps, _ = x.shape
    h = _initial_state(initial_state, batch, kernel.shape[1])
    # The input projection does not depend on the state, so it is done for all steps at once.
    projected = x @ kernel + bias
    states = np.empty((batch, steps, kernel.shape[1]))
    for t in range(steps):
        h = _activate(projected[:, t] + h @ recurrent_kernel, activation)
        states[:, t] = h
    return states


def _check_elman(x: Any, params: Any) -> tuple[np.ndarray, ElmanParameters]:
    if not isinstance(params, tuple) or len(params) != 5:
        raise TypeError(
            "`params` must be an ElmanParameters (kernel, recurrent_kernel, bias, output_kernel, "
            f"output_bias), got {type(params).__name__}"
        )
    x = check_array("x", x, ndim=3)
    kernel, recurrent_kernel, bias = _check_rnn_weights(
        params[0], params[1], params[2], x.shape[2]
    )
    output_kernel = check_array("params.output_kernel", params[3], ndim=2)
    if output_kernel.shape[0] != kernel.shape[1]:
        raise ValueError(
            f"`params.output_kernel` must have {kernel.shape[1]} rows, one per hidden unit; "
            f"got shape {output_kernel.shape}"
        )
    output_bias = check_array(
        "params.output_bias", params[4], shape=(output_kernel.shape[1],)
    )
    return x, ElmanParameters(
        kernel, recurrent_kernel, bias, output_kernel, output_bias
    )


def elman_forward(x: Any, params: ElmanParameters) -> tuple[np.ndarray, np.ndarray]:
    """An Elman network with a tanh layer and a linear readout at every step; returns ``(states, outputs)``.

    Equal to ``SimpleRNN(units, return_sequences=True)`` followed by ``Dense(outputs)``. Introduced in the
    recurrent-network chapter.
    """
    x, params = _check_elman(x, params)
    states = rnn_forward(x, params.kernel, params.recurrent_kernel, params.bias)
    return states, states @ params.output_kernel + params.output_bias


def bptt(
    x: Any,
    states: Any,
    recurrent_kernel: Any,
    grad_states: Any,
    *,
    kernel: Any = None,
    activation: str = "tanh",
    initial_state: Any = None,
    truncation: int | None = None,
) -> dict[str, np.ndarray]:
    """Backpropagation through time for an Elman layer.

    Given the inputs ``x`` ``(batch, time, features)``, the forward ``states`` ``(batch, time, units)`` and
    ``grad_states``, the gradient of the loss with respect to each state *from the layers above only*
    (``dL/dh_t`` through the readout), return the gradients of ``kernel``, ``recurrent_kernel``, ``bias``,
    ``inputs`` and ``initial_state``. Each weight's gradient is a sum over time, because the unfolded network
    uses the same weights at every step.

    ``truncation=k`` is truncated BPTT: the error of step t flows back through at most ``k`` steps (to
    steps t-k+1 ... t), as in Williams and Peng's BPTT(h). ``None`` is full BPTT. ``kernel`` is needed only
    for the gradient of the inputs. Introduced in the recurrent-network chapter.
    """
    x = check_array("x", x, ndim=3)
    batch, steps, features = x.shape
    states = check_array("states", states, ndim=3)
    if states.shape[:2] != (batch, steps):
        raise ValueError(
            f"`states` must have shape ({batch}, {steps}, units) to match `x`; got {states.shape}"
        )
    units = states.shape[2]
    recurrent_kernel = check_array(
        "recurrent_kernel", recurrent_kernel, shape=(units, units)
    )
    grad_states = check_array("grad_states", grad_states, shape=states.shape)
    if kernel is not None:
        kernel = check_array("kernel", kernel, shape=(features, units))
    check_choice("activation", activation, ACTIVATIONS)
    h0 = _initial_state(initial_state, batch, units)
    if truncation is not None:
        truncation = check_int("truncation", truncation, minimum=1)
    previous = np.concatenate(
        [h0[:, None], states[:, :-1]], axis=1
    )  # h_{t-1} for every t
    slopes = _derivative_from_output(states, activation)

    # deltas[:, s] collects dL/d(pre-activation at step s), over every loss term that reaches step s.
    if truncation is None or truncation >= steps:
        deltas = np.zeros_like(states)
        carried = np.zeros((batch, units))  # dL/dh_t arriving from step t+1
        for t in reversed(range(steps)):
            delta = (grad_states[:, t] + carried) * slopes[:, t]
            deltas[:, t] = delta
            carried = delta @ recurrent_kernel.T
        grad_h0 = carried
    else:
        deltas = np.zeros_like(states)
        grad_h0 = np.zeros((batch, units))
        for t in range(steps):
            carried = grad_states[:, t]
            for s in range(t, max(t - truncation, -1), -1):
                delta = carried * slopes[:, s]
                deltas[:, s] += delta
                carried = delta @ recurrent_kernel.T
            if (
                t - truncation < 0
            ):  # this error reached the first step, so it also reaches h_0
                grad_h0 += carried
    grads = {
        "kernel": np.einsum("btf,btu->fu", x, deltas),
        "recurrent_kernel": np.einsum("btv,btu->vu", previous, deltas),
        "bias": deltas.sum(axis=(0, 1)),
        "initial_state": grad_h0,
    }
    if kernel is not None:
        grads["inputs"] = deltas @ kernel.T
    return grads


def elman_gradients(
    x: Any, targets: Any, params: ElmanParameters, *, truncation: int | None = None
) -> tuple[float, dict[str, np.ndarray]]:
    """The mean squared error of :func:`elman_forward` against ``targets`` and its gradients by BPTT.

    The loss is Keras's ``"mse"``: the mean over batch, time and outputs. Returns ``(loss, grads)`` with one
    gradient per field of :class:`ElmanParameters`, plus ``inputs``. Introduced in the recurrent-network
    chapter.
    """
    x, params = _check_elman(x, params)
    states, outputs = elman_forward(x, params)
    targets = check_array("targets", targets, shape=outputs.shape)
    error = outputs - targets
    loss = float(np.mean(error**2))
    grad_outputs = 2.0 * error / error.size
    grad_states = grad_outputs @ params.output_kernel.T
    grads = bptt(
        x,
        states,
        params.recurrent_kernel,
        grad_states,
        kernel=params.kernel,
        truncation=truncation,
    )
    grads["output_kernel"] = np.einsum("btu,bto->uo", states, grad_outputs)
    grads["output_bias"] = grad_outputs.sum(axis=(0, 1))
    grads.pop("initial_state")
    return loss, grads


def jordan_step(
    x_t: Any,
    y_prev: Any,
    params: JordanParameters,
    activation: str = "tanh",
    output_activation: str = "linear",
) -> tuple[np.ndarray, np.ndarray]:
    """One Jordan step: returns ``(h_t, y_t)`` from the input ``x_t`` and the previous *output* ``y_prev``.

    Introduced in the recurrent-network chapter.
    """
    if not isinstance(params, tuple) or len(params) != 5:
        raise TypeError(
            "`params` must be a JordanParameters (kernel, feedback_kernel, bias, output_kernel, "
            f"output_bias), got {type(params).__name__}"
        )
    x_t = check_array("x_t", x_t, ndim=2)
    kernel = check_array("params.kernel", params[0], ndim=2)
    if kernel.shape[0] != x_t.shape[1]:
        raise ValueError(
            f"`params.kernel` must have {x_t.shape[1]} rows, one per input feature; got shape {kernel.shape}"
        )
    units = kernel.shape[1]
    output_kernel = check_array("params.output_kernel", params[3], ndim=2)
    if output_kernel.shape[0] != units:
        raise ValueError(
            f"`params.output_kernel` must have {units} rows; got shape {output_kernel.shape}"
        )
    outputs = output_kernel.shape[1]
    feedback_kernel = check_array(
        "params.feedback_kernel", params[1], shape=(outputs, units)
    )
    bias = check_array("params.bias", params[2], shape=(units,))
    output_bias = check_array("params.output_bias", params[4], shape=(outputs,))
    y_prev = check_array("y_prev", y_prev, shape=(x_t.shape[0], outputs))
    check_choice("activation", activation, ACTIVATIONS)
    check_choice("output_activation", output_activation, (*ACTIVATIONS, "softmax"))
    h = _activate(x_t @ kernel + y_prev @ feedback_kernel + bias, activation)
    z = h @ output_kernel + output_bias
    if output_activation == "softmax":
        exponentials = np.exp(z - z.max(axis=-1, keepdims=True))
        return h, exponentials / exponentials.sum(axis=-1, keepdims=True)
    return h, _activate(z, output_activation)


def jordan_forward(
    x: Any,
    params: JordanParameters,
    activation: str = "tanh",
    output_activation: str = "linear",
) -> tuple[np.ndarray, np.ndarray]:
    """Run a Jordan network over ``x`` ``(batch, time, features)``; return ``(hidden, outputs)`` per step.

    The first step sees ``y_0 = 0``. Equal to ``keras.layers.RNN(JordanCell(...), return_sequences=True)``.
    Introduced in the recurrent-network chapter.
    """
    x = check_array("x", x, ndim=3)
    if not isinstance(params, tuple) or len(params) != 5:
        raise TypeError(
            f"`params` must be a JordanParameters, got {type(params).__name__}"
        )
    outputs_size = np.shape(params[3])[-1] if np.ndim(params[3]) == 2 else 0
    units = np.shape(params[0])[-1] if np.ndim(params[0]) == 2 else 0
    y = np.zeros((x.shape[0], outputs_size))
    hidden = np.empty((x.shape[0], x.shape[1], units))
    outputs = np.empty((x.shape[0], x.shape[1], outputs_size))
    for t in range(x.shape[1]):
        h, y = jordan_step(x[:, t], y, params, activation, output_activation)
        hidden[:, t], outputs[:, t] = h, y
    return hidden, outputs


def recurrent_matrix(
    units: int, spectral_radius: float, *, seed: int = 0
) -> np.ndarray:
    """A random orthogonal ``(units, units)`` matrix times ``spectral_radius``.

    Every eigenvalue and every singular value then has size ``spectral_radius``, so repeated products grow or
    shrink exactly like ``spectral_radius ** k``: the cleanest case for seeing gradients vanish or explode.
    Introduced in the recurrent-network chapter.
    """
    units = check_int("units", units, minimum=1)
    spectral_radius = check_float("spectral_radius", spectral_radius, minimum=0.0)
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.standard_normal((units, units)))
    return spectral_radius * q * np.sign(np.diag(r))


def input_gradient_norms(
    x: Any, kernel: Any, recurrent_kernel: Any, bias: Any, *, activation: str = "tanh"
) -> np.ndarray:
    """How strongly the last state depends on earlier inputs: ``norms[k] = ||d h_T / d x_{T-k}||``.

    ``x`` is one sequence ``(time, features)``; the result has one Frobenius norm per lag ``k = 0 ... T-1``.
    By the chain rule ``d h_T / d x_{T-k} = D_T U^T D_{T-1} U^T ... D_{T-k} W^T`` with ``D_t`` the diagonal of
    activation slopes, so the norm shrinks or grows roughly like (spectral radius of U times the slopes)^k
    (Bengio, Simard and Frasconi, 1994). Introduced in the recurrent-network chapter.
    """
    x = check_array("x", x, ndim=2)
    kernel, recurrent_kernel, bias = _check_rnn_weights(
        kernel, recurrent_kernel, bias, x.shape[1]
    )
    check_choice("activation", activation, ACTIVATIONS)
    states = rnn_forward(
        x[None], kernel, recurrent_kernel, bias, activation=activation
    )[0]
    slopes = _derivative_from_output(states, activation)
    steps = len(x)
    norms = np.empty(steps)
    # jacobian = d h_T / d h_t (units x units), carried backwards one step at a time.
    jacobian = np.eye(kernel.shape[1])
    for k in range(steps):
        t = steps - 1 - k
        through_step = jacobian * slopes[t]  # d h_T / d(pre-activation at t)
        norms[k] = np.linalg.norm(through_step @ kernel.T)
        jacobian = through_step @ recurrent_kernel.T
    return norms


def clip_by_global_norm(
    gradients: list[Any], max_norm: float
) -> tuple[list[np.ndarray], float]:
    """Scale gradients down so that their joint norm is at most ``max_norm``; return them and the old norm.

    The direction is kept; only the length is capped (Pascanu, Mikolov and Bengio, 2013). This is what
    ``keras.optimizers.SGD(global_clipnorm=...)`` does. Introduced in the recurrent-network chapter.
    """
    if not isinstance(gradients, list | tuple) or not gradients:
        raise TypeError(
            f"`gradients` must be a non-empty list of arrays, got {type(gradients).__name__}"
        )
    max_norm = check_float("max_norm", max_norm, minimum=0.0, exclusive_minimum=True)
    arrays = [check_array(f"gradients[{i}]", g) for i, g in enumerate(gradients)]
    norm = float(np.sqrt(sum(float(np.sum(a**2)) for a in arrays)))
    factor = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return [a * factor for a in arrays], norm
