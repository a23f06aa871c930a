"""The argument checks of :mod:`dlcourse.reference.generation`: the boundary.

Each validator receives a core's arguments by name, raises ``TypeError`` or
``ValueError`` naming the parameter, what was expected and what was given, and returns
the arguments converted to NumPy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcourse._checks import check_array, check_float, check_int, describe
from dlcourse.reference._rnn_checks import MAX_ELEMENTS, MAX_UNITS, _jordan_weights

#: The most mixture components a core accepts.
MAX_COMPONENTS = 100
#: The most steps a rollout may generate.
MAX_STEPS = 100_000


def components_count(components: Any) -> int:
    """``components`` as an int between 1 and :data:`MAX_COMPONENTS`."""
    return check_int("components", components, minimum=1, maximum=MAX_COMPONENTS)


def _outputs(outputs: Any, components: int, ndim: Any = None) -> np.ndarray:
    outputs = check_array("outputs", outputs, ndim=ndim)
    size = 5 * components + 1
    if outputs.ndim < 1 or outputs.shape[-1] != size:
        raise ValueError(
            f"`outputs` must end in an axis of 5 * components + 1 = {size} numbers "
            f"(the mixture layout), got shape {outputs.shape}"
        )
    return outputs


def split_mixture(outputs: Any, components: Any) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.generation.split_mixture`."""
    components = components_count(components)
    return {"outputs": _outputs(outputs, components), "components": components}


def mixture_nll(
    outputs: Any, movements: Any, stops: Any, components: Any
) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.generation.mixture_nll`."""
    components = components_count(components)
    outputs = _outputs(outputs, components)
    leading = outputs.shape[:-1]
    movements = check_array("movements", movements)
    stops = check_array("stops", stops, min_size=0)
    if movements.shape != (*leading, 2) or stops.shape != leading:
        raise ValueError(
            "`outputs` (..., 5 * components + 1), `movements` (..., 2) and `stops` "
            "(...) must share their leading axes; got shapes "
            f"{outputs.shape}, {movements.shape} and {stops.shape}"
        )
    if np.any((stops != 0) & (stops != 1)):
        raise ValueError("`stops` must hold only 0 and 1 (end of stroke or not)")
    return {
        "outputs": outputs,
        "movements": movements,
        "stops": stops,
        "components": components,
    }


def sample_mixture(
    outputs: Any, components: Any, rng: Any, bias: Any
) -> dict[str, Any]:
    """Check the arguments of :func:`~dlcourse.reference.generation.sample_mixture`."""
    components = components_count(components)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "`rng` must be a numpy.random.Generator (np.random.default_rng(seed)), "
            f"got {describe(rng)}"
        )
    return {
        "outputs": _outputs(outputs, components, ndim=2),
        "components": components,
        "rng": rng,
        "bias": check_float("bias", bias, minimum=0.0, maximum=10.0),
    }


def teacher_forcing_inputs(targets: Any) -> dict[str, Any]:
    """Check the arguments of
    :func:`~dlcourse.reference.generation.teacher_forcing_inputs`."""
    return {"targets": check_array("targets", targets, ndim=3)}


def teacher_forced_jordan(previous: Any, weights: Any) -> dict[str, Any]:
    """Check the arguments of
    :func:`~dlcourse.reference.generation.teacher_forced_jordan`."""
    previous = check_array("previous", previous, ndim=3)
    weights = _fed_back_weights(weights, previous.shape[2], "previous")
    return {"previous": previous, "weights": weights}


def free_running_jordan(first: Any, weights: Any, steps: Any) -> dict[str, Any]:
    """Check the arguments of
    :func:`~dlcourse.reference.generation.free_running_jordan`."""
    first = check_array("first", first, ndim=2)
    weights = _fed_back_weights(weights, first.shape[1], "first")
    steps = check_int("steps", steps, minimum=1, maximum=MAX_STEPS)
    units = weights.output_kernel.shape[0]
    if first.shape[0] * steps * max(units, first.shape[1]) > MAX_ELEMENTS:
        raise ValueError(
            f"`steps` = {steps} for a batch of {first.shape[0]} would need more than "
            f"{MAX_ELEMENTS} numbers; generate fewer steps"
        )
    return {"first": first, "weights": weights, "steps": steps}


def _fed_back_weights(weights: Any, outputs: int, name: str) -> Any:
    """Jordan weights with any input width whose outputs match ``name``'s width."""
    if not isinstance(weights, tuple | list) or len(weights) != 5:
        raise TypeError(
            "`weights` must be a JordanWeights of 5 arrays (kernel, feedback_kernel, "
            f"bias, output_kernel, output_bias), got {describe(weights)}"
        )
    kernel = check_array("weights.kernel", weights[0], ndim=2)
    checked_weights = _jordan_weights(weights, kernel.shape[0])
    if checked_weights.output_kernel.shape[1] != outputs:
        raise ValueError(
            f"`{name}` must have one column per output of the network "
            f"({checked_weights.output_kernel.shape[1]}), got {outputs}"
        )
    if checked_weights.output_kernel.shape[0] > MAX_UNITS:
        raise ValueError(f"`weights` may have at most {MAX_UNITS} units")
    return checked_weights


def step_gaussian_outputs(
    movements: Any, lengths: Any, labels: Any, classes: Any, min_scale: Any
) -> dict[str, Any]:
    """Check the arguments of
    :func:`~dlcourse.reference.generation.step_gaussian_outputs`."""
    movements = check_array("movements", movements, ndim=3)
    if movements.shape[2] != 2:
        raise ValueError(
            f"`movements` must hold (dx, dy) pairs, shape (n, time, 2); got "
            f"{movements.shape}"
        )
    n, steps = movements.shape[:2]
    lengths = check_array("lengths", lengths, shape=(n,), dtype="int")
    if np.any(lengths < 1) or np.any(lengths > steps):
        raise ValueError(f"`lengths` must lie between 1 and {steps} (the time axis)")
    classes = check_int("classes", classes, minimum=1, maximum=MAX_UNITS)
    labels = check_array("labels", labels, shape=(n,), dtype="int")
    if np.any(labels < 0) or np.any(labels >= classes):
        raise ValueError(f"`labels` must lie between 0 and classes - 1 = {classes - 1}")
    if classes * steps * 6 > MAX_ELEMENTS:
        raise ValueError(f"`classes` = {classes} is too many for {steps} steps")
    return {
        "movements": movements,
        "lengths": lengths,
        "labels": labels,
        "classes": classes,
        "min_scale": check_float(
            "min_scale", min_scale, minimum=0.0, exclusive_minimum=True
        ),
    }
