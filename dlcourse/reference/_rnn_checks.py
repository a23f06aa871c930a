"""The argument checks of :mod:`dlcourse.reference.rnn`: the boundary, out of the cores.

Each validator receives a core's arguments by name, raises ``TypeError`` or
``ValueError`` naming the parameter, what was expected and what was given, and returns
the arguments converted to NumPy. Sizes are capped (:data:`MAX_UNITS`,
:data:`MAX_ELEMENTS`) so that a typo fails at once instead of filling the memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from dlcourse._checks import (
    check_array,
    check_choice,
    check_float,
    check_int,
    describe,
)

#: The element-wise activations a recurrent layer accepts (their slope is a function of
#: their output, which BPTT needs).
LAYER_ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh")
#: The activations a Jordan network's output may use.
OUTPUT_ACTIVATIONS = (*LAYER_ACTIVATIONS, "softmax")
#: The largest number of units (rows of a recurrent kernel) the reference accepts.
MAX_UNITS = 4096
#: The largest array (in numbers) a core may be asked to allocate: 400 MB of float64.
MAX_ELEMENTS = 50_000_000


def _weights(name: str, value: Any, kind: type) -> list[np.ndarray]:
    """``value`` as a list of arrays, one per field of ``kind`` (a NamedTuple class).

    A NamedTuple, a list or a tuple is accepted, so ``layer.get_weights()`` works too.
    """
    fields = kind._fields  # type: ignore[attr-defined]
    if isinstance(value, np.ndarray | str | dict) or not isinstance(value, Sequence):
        raise TypeError(
            f"`{name}` must be a {kind.__name__} of {len(fields)} arrays "
            f"({', '.join(fields)}), got {describe(value)}"
        )
    if len(value) != len(fields):
        raise ValueError(
            f"`{name}` must hold {len(fields)} arrays ({', '.join(fields)}), "
            f"got {len(value)}"
        )
    return [
        check_array(f"{name}.{field}", array, ndim=None)
        for field, array in zip(fields, value, strict=True)
    ]


def _rows(name: str, array: np.ndarray, rows: int, what: str) -> None:
    if array.ndim != 2 or array.shape[0] != rows:
        raise ValueError(
            f"`{name}` must be a matrix with {rows} rows, one per {what}; "
            f"got shape {array.shape}"
        )


def _units(name: str, units: int) -> None:
    if units > MAX_UNITS:
        raise ValueError(f"`{name}` has {units} units; at most {MAX_UNITS} are allowed")


def _size(name: str, *shape: int) -> None:
    if int(np.prod(shape, dtype=np.float64)) > MAX_ELEMENTS:
        raise ValueError(
            f"`{name}` would need an array of shape {shape}, more than "
            f"{MAX_ELEMENTS} numbers"
        )


def rnn_weights(value: Any, features: int, name: str = "weights") -> Any:
    """Check an :class:`~dlcourse.reference.rnn.RNNWeights` for ``features`` inputs."""
    from dlcourse.reference.rnn import RNNWeights

    kernel, recurrent_kernel, bias = _weights(name, value, RNNWeights)
    _rows(f"{name}.kernel", kernel, features, "input feature")
    units = kernel.shape[1]
    _units(f"{name}.kernel", units)
    recurrent_kernel = check_array(
        f"{name}.recurrent_kernel", recurrent_kernel, shape=(units, units)
    )
    bias = check_array(f"{name}.bias", bias, shape=(units,))
    return RNNWeights(kernel, recurrent_kernel, bias)


def _elman_weights(value: Any, features: int) -> Any:
    from dlcourse.reference.rnn import ElmanWeights

    arrays = _weights("weights", value, ElmanWeights)
    layer = rnn_weights(arrays[:3], features)
    units = layer.kernel.shape[1]
    output_kernel = arrays[3]
    _rows("weights.output_kernel", output_kernel, units, "hidden unit")
    output_bias = check_array(
        "weights.output_bias", arrays[4], shape=(output_kernel.shape[1],)
    )
    return ElmanWeights(*layer, output_kernel, output_bias)


def _jordan_weights(value: Any, features: int) -> Any:
    from dlcourse.reference.rnn import JordanWeights

    kernel, feedback_kernel, bias, output_kernel, output_bias = _weights(
        "weights", value, JordanWeights
    )
    _rows("weights.kernel", kernel, features, "input feature")
    units = kernel.shape[1]
    _units("weights.kernel", units)
    _rows("weights.output_kernel", output_kernel, units, "hidden unit")
    outputs = output_kernel.shape[1]
    feedback_kernel = check_array(
        "weights.feedback_kernel", feedback_kernel, shape=(outputs, units)
    )
    bias = check_array("weights.bias", bias, shape=(units,))
    output_bias = check_array("weights.output_bias", output_bias, shape=(outputs,))
    return JordanWeights(kernel, feedback_kernel, bias, output_kernel, output_bias)


def _sequence(x: Any, name: str = "x") -> np.ndarray:
    if isinstance(getattr(x, "shape", None), tuple):
        _size(name, *x.shape)  # before any conversion or scan of the values
    x = check_array(name, x, ndim=3)
    _size(name, *x.shape)
    return x


def _state(name: str, value: Any, batch: int, size: int) -> np.ndarray | None:
    if value is None:
        return None
    return check_array(name, value, shape=(batch, size))


def rnn_step(x_t: Any, h_prev: Any, weights: Any, activation: Any) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.rnn.rnn_step`."""
    x_t = check_array("x_t", x_t, ndim=2)
    weights = rnn_weights(weights, x_t.shape[1])
    h_prev = check_array(
        "h_prev", h_prev, shape=(x_t.shape[0], weights.kernel.shape[1])
    )
    check_choice("activation", activation, LAYER_ACTIVATIONS)
    return {"x_t": x_t, "h_prev": h_prev, "weights": weights, "activation": activation}


def rnn_sequence(
    x: Any, weights: Any, activation: Any, initial_state: Any
) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.rnn.rnn_sequence`."""
    x = _sequence(x)
    weights = rnn_weights(weights, x.shape[2])
    units = weights.kernel.shape[1]
    _size("the states", x.shape[0], x.shape[1], units)
    check_choice("activation", activation, LAYER_ACTIVATIONS)
    initial_state = _state("initial_state", initial_state, x.shape[0], units)
    return {
        "x": x,
        "weights": weights,
        "activation": activation,
        "initial_state": initial_state,
    }


def elman_sequence(x: Any, weights: Any, initial_state: Any) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.rnn.elman_sequence`."""
    x = _sequence(x)
    weights = _elman_weights(weights, x.shape[2])
    units, outputs = weights.output_kernel.shape
    _size("the states", x.shape[0], x.shape[1], max(units, outputs))
    initial_state = _state("initial_state", initial_state, x.shape[0], units)
    return {"x": x, "weights": weights, "initial_state": initial_state}


def bptt(
    x: Any,
    hidden: Any,
    weights: Any,
    grad_hidden: Any,
    activation: Any,
    initial_state: Any,
    truncation: Any,
) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.rnn.bptt`."""
    x = _sequence(x)
    batch, steps, features = x.shape
    weights = rnn_weights(weights, features)
    units = weights.kernel.shape[1]
    _size("the states", batch, steps, units)
    hidden = check_array("hidden", hidden, shape=(batch, steps, units))
    grad_hidden = check_array("grad_hidden", grad_hidden, shape=(batch, steps, units))
    check_choice("activation", activation, LAYER_ACTIVATIONS)
    initial_state = _state("initial_state", initial_state, batch, units)
    if truncation is not None:  # at most the sequence: longer would be full BPTT
        truncation = check_int("truncation", truncation, minimum=1, maximum=steps)
    return {
        "x": x,
        "hidden": hidden,
        "weights": weights,
        "grad_hidden": grad_hidden,
        "activation": activation,
        "initial_state": initial_state,
        "truncation": truncation,
    }


def elman_gradients(
    x: Any, targets: Any, weights: Any, truncation: Any
) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.rnn.elman_gradients`."""
    x = _sequence(x)
    weights = _elman_weights(weights, x.shape[2])
    units, outputs = weights.output_kernel.shape
    _size("the states", x.shape[0], x.shape[1], max(units, outputs))
    targets = check_array("targets", targets, shape=(x.shape[0], x.shape[1], outputs))
    if truncation is not None:  # at most the sequence: longer would be full BPTT
        truncation = check_int("truncation", truncation, minimum=1, maximum=x.shape[1])
    return {"x": x, "targets": targets, "weights": weights, "truncation": truncation}


def jordan_step(
    x_t: Any, y_prev: Any, weights: Any, activation: Any, output_activation: Any
) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.rnn.jordan_step`."""
    x_t = check_array("x_t", x_t, ndim=2)
    weights = _jordan_weights(weights, x_t.shape[1])
    outputs = weights.output_kernel.shape[1]
    y_prev = check_array("y_prev", y_prev, shape=(x_t.shape[0], outputs))
    check_choice("activation", activation, LAYER_ACTIVATIONS)
    check_choice("output_activation", output_activation, OUTPUT_ACTIVATIONS)
    return {
        "x_t": x_t,
        "y_prev": y_prev,
        "weights": weights,
        "activation": activation,
        "output_activation": output_activation,
    }


def jordan_sequence(
    x: Any,
    weights: Any,
    activation: Any,
    output_activation: Any,
    initial_state: Any,
) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.rnn.jordan_sequence`."""
    x = _sequence(x)
    weights = _jordan_weights(weights, x.shape[2])
    units, outputs = weights.output_kernel.shape
    _size("the states", x.shape[0], x.shape[1], max(units, outputs))
    check_choice("activation", activation, LAYER_ACTIVATIONS)
    check_choice("output_activation", output_activation, OUTPUT_ACTIVATIONS)
    initial_state = _state("initial_state", initial_state, x.shape[0], outputs)
    return {
        "x": x,
        "weights": weights,
        "activation": activation,
        "output_activation": output_activation,
        "initial_state": initial_state,
    }


def recurrent_matrix(units: Any, spectral_radius: Any, seed: Any) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.rnn.recurrent_matrix`."""
    return {
        "units": check_int("units", units, minimum=1, maximum=MAX_UNITS),
        "spectral_radius": check_float("spectral_radius", spectral_radius, minimum=0.0),
        "seed": check_int("seed", seed, minimum=0),
    }


def input_gradient_norms(x: Any, weights: Any, activation: Any) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.rnn.input_gradient_norms`."""
    x = check_array("x", x, ndim=2)
    _size("x", *x.shape)
    weights = rnn_weights(weights, x.shape[1])
    check_choice("activation", activation, LAYER_ACTIVATIONS)
    return {"x": x, "weights": weights, "activation": activation}


def clip_by_global_norm(gradients: Any, max_norm: Any) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.rnn.clip_by_global_norm`."""
    if not isinstance(gradients, list | tuple):
        raise TypeError(
            f"`gradients` must be a list of arrays, got {describe(gradients)}"
        )
    if not gradients:
        raise ValueError("`gradients` must not be empty, got an empty list")
    arrays = [
        check_array(f"gradients[{index}]", gradient)
        for index, gradient in enumerate(gradients)
    ]
    max_norm = check_float("max_norm", max_norm, minimum=0.0, exclusive_minimum=True)
    return {"gradients": arrays, "max_norm": max_norm}
