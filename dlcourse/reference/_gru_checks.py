"""Argument checks of :mod:`dlcourse.reference.gru`: the boundary before its cores.

The same rules and size limits as :mod:`dlcourse.reference._lstm_checks`; here the bias
shape must also agree with ``reset_after``: ``(2, 3 * units)`` for ``True``,
``(3 * units,)`` for ``False``.
"""

from __future__ import annotations

from typing import Any

from dlcourse._checks import check_bool
from dlcourse.reference._lstm_checks import (
    parameter_count,
    recurrent_weights,
    sequence_input,
    state_array,
    step_input,
)


def _gru_weights(weights: Any, reset_after: bool) -> Any:
    from dlcourse.reference.gru import GRUWeights

    def bias_shapes(units: int) -> tuple[tuple[int, ...], ...]:
        return ((2, 3 * units),) if reset_after else ((3 * units,),)

    layer = "GRU" if reset_after else "GRU(reset_after=False)"
    try:
        return GRUWeights(
            *recurrent_weights(weights, blocks=3, bias_shapes=bias_shapes, layer=layer)
        )
    except ValueError as error:
        if "`weights.bias`" in str(error):
            raise ValueError(
                f"{error} (reset_after=True keeps an input and a recurrent bias, "
                "shape (2, 3 * units); reset_after=False one, shape (3 * units,))"
            ) from None
        raise


def _one_step(
    x_t: Any, state_name: str, state: Any, weights: Any, reset_after: Any
) -> dict[str, Any]:
    reset_after = check_bool("reset_after", reset_after)
    weights = _gru_weights(weights, reset_after)
    units = weights.recurrent_kernel.shape[0]
    x_t = step_input("x_t", x_t, weights.kernel.shape[0])
    state = state_array(state_name, state, x_t.shape[0], units)
    return {
        "x_t": x_t,
        state_name: state,
        "weights": weights,
        "reset_after": reset_after,
    }


def gru_gates(x_t: Any, h_prev: Any, weights: Any, reset_after: Any) -> dict[str, Any]:
    """Validate the arguments of :func:`dlcourse.reference.gru.gru_gates`."""
    return _one_step(x_t, "h_prev", h_prev, weights, reset_after)


def gru_step(x_t: Any, state: Any, weights: Any, reset_after: Any) -> dict[str, Any]:
    """Validate the arguments of :func:`dlcourse.reference.gru.gru_step`."""
    return _one_step(x_t, "state", state, weights, reset_after)


def gru_sequence(
    x: Any, weights: Any, initial_state: Any, reset_after: Any
) -> dict[str, Any]:
    """Validate the arguments of :func:`dlcourse.reference.gru.gru_sequence`."""
    reset_after = check_bool("reset_after", reset_after)
    weights = _gru_weights(weights, reset_after)
    units = weights.recurrent_kernel.shape[0]
    x = sequence_input(x, weights.kernel.shape[0], units, arrays_per_step=4)
    if initial_state is not None:
        initial_state = state_array("initial_state", initial_state, x.shape[0], units)
    return {
        "x": x,
        "weights": weights,
        "initial_state": initial_state,
        "reset_after": reset_after,
    }


def gru_parameter_count(inputs: Any, units: Any, reset_after: Any) -> dict[str, Any]:
    """Validate the arguments of :func:`dlcourse.reference.gru.gru_parameter_count`."""
    return parameter_count(
        inputs, units, reset_after=check_bool("reset_after", reset_after)
    )
