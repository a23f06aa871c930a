"""Argument checks of :mod:`dlcourse.reference.lstm`: the boundary before its cores.

Each validator receives a core's arguments by name, raises ``TypeError`` or
``ValueError`` naming the parameter, what was expected and what was given, and returns
the arguments converted. The sizes are capped (:data:`MAX_UNITS`, :data:`MAX_INPUTS`,
:data:`MAX_STEPS`, :data:`MAX_ELEMENTS`) so that a slip such as ``units=10**6``
fails at once instead of allocating gigabytes. :mod:`dlcourse.reference._gru_checks`
reuses the weight checks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dlcourse._checks import check_array, check_int, describe
from dlcourse.reference._rnn_checks import MAX_ELEMENTS, MAX_UNITS

#: Largest number of input features a reference core accepts.
MAX_INPUTS = 65536
#: Longest sequence a reference core runs over, in time steps.
MAX_STEPS = 100_000


def as_fields(name: str, value: Any, fields: tuple[str, ...], kind: str) -> tuple:
    """Check that ``value`` is a tuple or list of ``len(fields)`` items."""
    if isinstance(value, np.ndarray) or not isinstance(value, tuple | list):
        raise TypeError(
            f"`{name}` must be a {kind} (or a tuple of {', '.join(fields)}), "
            f"got {describe(value)}"
        )
    if len(value) != len(fields):
        raise ValueError(
            f"`{name}` must hold {len(fields)} arrays ({', '.join(fields)}), "
            f"got {len(value)}"
        )
    return tuple(value)


def recurrent_weights(
    weights: Any,
    *,
    blocks: int,
    bias_shapes: Callable[[int], tuple[tuple[int, ...], ...]],
    layer: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check the ``(kernel, recurrent_kernel, bias)`` of a layer of ``blocks`` blocks.

    Args:
        weights: the triple to check (a NamedTuple or a list from ``get_weights()``).
        blocks: the number of blocks side by side in each array (4 for the LSTM, 3 for
            the GRU).
        bias_shapes: gives the accepted bias shapes for a number of units.
        layer: the layer's name for messages (``"LSTM"``).
    """
    kernel, recurrent_kernel, bias = as_fields(
        "weights",
        weights,
        ("kernel", "recurrent_kernel", "bias"),
        f"{layer}Weights, such as {layer}Weights(*layer.get_weights())",
    )
    recurrent_kernel = check_array("weights.recurrent_kernel", recurrent_kernel, ndim=2)
    units = recurrent_kernel.shape[0]
    if units > MAX_UNITS:
        raise ValueError(
            f"`weights.recurrent_kernel` has {units} rows (units); the reference "
            f"accepts at most {MAX_UNITS}"
        )
    if recurrent_kernel.shape != (units, blocks * units):
        raise ValueError(
            f"`weights.recurrent_kernel` of {layer} must have shape "
            f"(units, {blocks} * units), got shape {recurrent_kernel.shape}"
        )
    kernel = check_array("weights.kernel", kernel, ndim=2, shape=(None, blocks * units))
    if kernel.shape[0] > MAX_INPUTS:
        raise ValueError(
            f"`weights.kernel` has {kernel.shape[0]} rows (inputs); the reference "
            f"accepts at most {MAX_INPUTS}"
        )
    bias = check_array("weights.bias", bias)
    allowed = bias_shapes(units)
    if bias.shape not in allowed:
        wanted = " or ".join(str(shape) for shape in allowed)
        raise ValueError(
            f"`weights.bias` of {layer} with {units} units must have shape "
            f"{wanted}, got shape {bias.shape}"
        )
    return kernel, recurrent_kernel, bias


def _lstm_weights(weights: Any) -> Any:
    from dlcourse.reference.lstm import LSTMWeights

    return LSTMWeights(
        *recurrent_weights(
            weights, blocks=4, bias_shapes=lambda units: ((4 * units,),), layer="LSTM"
        )
    )


def step_input(name: str, x_t: Any, inputs: int) -> np.ndarray:
    """Check one step's inputs: ``(batch, inputs)``, finite, not empty."""
    return check_array(name, x_t, ndim=2, shape=(None, inputs))


def state_array(name: str, value: Any, batch: int, units: int) -> np.ndarray:
    """Check one state array: ``(batch, units)``, finite."""
    return check_array(name, value, ndim=2, shape=(batch, units))


def sequence_input(x: Any, inputs: int, units: int, arrays_per_step: int) -> np.ndarray:
    """Check sequences ``(batch, time, inputs)`` and the size of the trace they need."""
    x = check_array("x", x, ndim=3, shape=(None, None, inputs))
    batch, steps, _ = x.shape
    if steps > MAX_STEPS:
        raise ValueError(
            f"`x` has {steps} time steps; the reference runs at most {MAX_STEPS}"
        )
    numbers = batch * steps * units * arrays_per_step
    if numbers > MAX_ELEMENTS:
        raise ValueError(
            f"`x` of shape {x.shape} would need a trace of {numbers:,} numbers; "
            f"the reference keeps at most {MAX_ELEMENTS:,} (use fewer sequences "
            "or steps)"
        )
    return x


def _lstm_state(name: str, state: Any, batch: int, units: int) -> Any:
    from dlcourse.reference.lstm import LSTMState

    h, c = as_fields(name, state, ("h", "c"), "LSTMState")
    return LSTMState(
        state_array(f"{name}.h", h, batch, units),
        state_array(f"{name}.c", c, batch, units),
    )


def lstm_gates(x_t: Any, h_prev: Any, weights: Any) -> dict[str, Any]:
    """Validate the arguments of :func:`dlcourse.reference.lstm.lstm_gates`."""
    weights = _lstm_weights(weights)
    units = weights.recurrent_kernel.shape[0]
    x_t = step_input("x_t", x_t, weights.kernel.shape[0])
    h_prev = state_array("h_prev", h_prev, x_t.shape[0], units)
    return {"x_t": x_t, "h_prev": h_prev, "weights": weights}


def lstm_step(x_t: Any, state: Any, weights: Any) -> dict[str, Any]:
    """Validate the arguments of :func:`dlcourse.reference.lstm.lstm_step`."""
    weights = _lstm_weights(weights)
    units = weights.recurrent_kernel.shape[0]
    x_t = step_input("x_t", x_t, weights.kernel.shape[0])
    state = _lstm_state("state", state, x_t.shape[0], units)
    return {"x_t": x_t, "state": state, "weights": weights}


def lstm_sequence(x: Any, weights: Any, initial_state: Any) -> dict[str, Any]:
    """Validate the arguments of :func:`dlcourse.reference.lstm.lstm_sequence`."""
    weights = _lstm_weights(weights)
    units = weights.recurrent_kernel.shape[0]
    x = sequence_input(x, weights.kernel.shape[0], units, arrays_per_step=6)
    if initial_state is not None:
        initial_state = _lstm_state("initial_state", initial_state, x.shape[0], units)
    return {"x": x, "weights": weights, "initial_state": initial_state}


def parameter_count(inputs: Any, units: Any, **options: Any) -> dict[str, Any]:
    """Validate the sizes given to a parameter-count formula."""
    return {
        "inputs": check_int("inputs", inputs, minimum=1, maximum=MAX_INPUTS),
        "units": check_int("units", units, minimum=1, maximum=MAX_UNITS),
        **options,
    }
