"""Argument checks for :mod:`dlcourse.reference.updown`, in front of its cores.

Each validator receives a core's arguments by name, raises ``TypeError`` or
``ValueError`` naming the parameter, what was expected and what was given, and returns
the arguments converted to float arrays and the module's weight tuples.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcourse._checks import (
    check_array,
    check_count,
    check_float,
    check_int,
    describe,
)

#: Most Gibbs steps of one chain (the paper used at most 10 in training, 1,000 to draw).
MAX_GIBBS_STEPS = 10_000
#: Most label units of the top RBM.
MAX_LABELS = 10_000


def check_rng(rng: Any) -> np.random.Generator:
    """Return ``rng`` if it is a NumPy random generator."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "`rng` must be a numpy.random.Generator (np.random.default_rng(seed)), "
            f"got {describe(rng)}"
        )
    return rng


def _rbm_weights(name: str, weights: Any) -> Any:
    """``weights`` as an ``RBMWeights`` of float arrays; the messages name ``name``."""
    from dlcourse.reference.rbm import RBMWeights

    if isinstance(weights, np.ndarray) or not isinstance(weights, tuple | list):
        raise TypeError(
            f"`{name}` must be an RBMWeights(kernel, visible_bias, hidden_bias), "
            f"got {describe(weights)}"
        )
    if len(weights) != 3:
        raise ValueError(
            f"`{name}` must hold three arrays (kernel, visible_bias, hidden_bias), "
            f"got {len(weights)}"
        )
    kernel = check_array(f"{name}.kernel", weights[0], ndim=2)
    visible, hidden = kernel.shape
    visible_bias = check_array(f"{name}.visible_bias", weights[1], shape=(visible,))
    hidden_bias = check_array(f"{name}.hidden_bias", weights[2], shape=(hidden,))
    return RBMWeights(kernel, visible_bias, hidden_bias)


def _labels_of(top: Any, penultimate: int, name: str = "weights.top") -> int:
    labels = top.kernel.shape[0] - penultimate
    if labels < 2 or labels > MAX_LABELS:
        raise ValueError(
            f"`{name}` must have the penultimate layer's {penultimate} visible units "
            f"plus at least 2 label units, got {top.kernel.shape[0]} visible units"
        )
    return labels


def check_weights(weights: Any, name: str = "weights") -> Any:
    """``weights`` as an ``UpDownWeights`` whose layers' shapes fit together."""
    from dlcourse.reference.updown import DirectedWeights, UpDownWeights

    if not isinstance(weights, tuple | list) or len(weights) != 2:
        raise TypeError(
            f"`{name}` must be an UpDownWeights(layers, top), got {describe(weights)}"
        )
    layers, top = weights
    if not isinstance(layers, tuple | list) or not layers:
        raise TypeError(
            f"`{name}.layers` must be a non-empty tuple of DirectedWeights, got "
            f"{describe(layers)}"
        )
    checked_layers = []
    below = None
    for index, layer in enumerate(layers):
        where = f"{name}.layers[{index}]"
        if not isinstance(layer, tuple | list) or len(layer) != 4:
            raise TypeError(
                f"`{where}` must be a DirectedWeights(recognition_kernel, "
                "recognition_bias, generative_kernel, generative_bias), got "
                f"{describe(layer)}"
            )
        R = check_array(f"{where}.recognition_kernel", layer[0], ndim=2)
        if below is not None and R.shape[0] != below:
            raise ValueError(
                f"`{where}.recognition_kernel` must have {below} rows (the units of "
                f"the layer below), got shape {R.shape}"
            )
        units_below, units_above = R.shape
        checked_layers.append(
            DirectedWeights(
                R,
                check_array(
                    f"{where}.recognition_bias", layer[1], shape=(units_above,)
                ),
                check_array(
                    f"{where}.generative_kernel",
                    layer[2],
                    shape=(units_above, units_below),
                ),
                check_array(f"{where}.generative_bias", layer[3], shape=(units_below,)),
            )
        )
        below = units_above
    top = _rbm_weights(f"{name}.top", top)
    _labels_of(top, below, f"{name}.top")
    return UpDownWeights(tuple(checked_layers), top)


def _images(v: Any, visible: int) -> np.ndarray:
    v = check_array("v", v, ndim=2, shape=(None, visible))
    if v.min() < 0.0 or v.max() > 1.0:
        raise ValueError(
            f"`v` must hold binary images (values in [0, 1]), got values from "
            f"{v.min():.3g} to {v.max():.3g}"
        )
    return v


def _labels(y: Any, labels: int, rows: int | None = None) -> np.ndarray:
    y = check_array("y", y, ndim=1, shape=(rows,), dtype="int")
    if y.min() < 0 or y.max() >= labels:
        raise ValueError(
            f"`y` must hold labels from 0 to {labels - 1}, got values from "
            f"{y.min()} to {y.max()}"
        )
    return y


def _gibbs(gibbs_steps: Any) -> int:
    return check_count("gibbs_steps", gibbs_steps, maximum=MAX_GIBBS_STEPS)


def _rate(learning_rate: Any) -> float:
    return check_float("learning_rate", learning_rate, minimum=0.0)


def _visible_units(weights: Any) -> int:
    return weights.layers[0].recognition_kernel.shape[0]


def _batch(batch: Any, rows: int) -> int:
    return check_count("batch", batch, maximum=max(rows, 1))


def untie(rbms: Any, top: Any) -> dict[str, Any]:
    """Check the arguments of :func:`dlcourse.reference.updown.untie`."""
    if not isinstance(rbms, tuple | list) or not rbms:
        raise TypeError(
            f"`rbms` must be a non-empty list of RBMWeights, got {describe(rbms)}"
        )
    checked = [_rbm_weights(f"rbms[{i}]", rbm) for i, rbm in enumerate(rbms)]
    for index in range(1, len(checked)):
        below = checked[index - 1].kernel.shape[1]
        if checked[index].kernel.shape[0] != below:
            raise ValueError(
                f"`rbms[{index}].kernel` must have {below} rows (the hidden units of "
                f"`rbms[{index - 1}]`), got shape {checked[index].kernel.shape}"
            )
    top = _rbm_weights("top", top)
    _labels_of(top, checked[-1].kernel.shape[1], "top")
    return {"rbms": checked, "top": top}


def top_down(top_states: Any, top: Any, labels: Any) -> dict[str, Any]:
    """Check the arguments of :func:`dlcourse.reference.updown.top_down`."""
    top = _rbm_weights("top", top)
    visible, hidden = top.kernel.shape
    labels = check_int("labels", labels, minimum=2, maximum=max(2, visible - 1))
    top_states = check_array("top_states", top_states, ndim=2, shape=(None, hidden))
    return {"top_states": top_states, "top": top, "labels": labels}


def top_cd_gradients(
    penultimate: Any, y: Any, top: Any, gibbs_steps: Any, rng: Any
) -> dict[str, Any]:
    """Check the arguments of :func:`dlcourse.reference.updown.top_cd_gradients`."""
    top = _rbm_weights("top", top)
    penultimate = check_array("penultimate", penultimate, ndim=2)
    labels = _labels_of(top, penultimate.shape[1], "top")
    y = check_array("y", y, ndim=2, shape=(len(penultimate), labels))
    if not np.all(y.sum(axis=1) == 1.0) or not np.all((y == 0.0) | (y == 1.0)):
        raise ValueError("`y` must hold one-hot rows (a single 1 in each row)")
    return {
        "penultimate": penultimate,
        "y": y,
        "top": top,
        "gibbs_steps": _gibbs(gibbs_steps),
        "rng": check_rng(rng),
    }


def updown_step(
    v: Any, y: Any, weights: Any, gibbs_steps: Any, learning_rate: Any, rng: Any
) -> dict[str, Any]:
    """Check the arguments of :func:`dlcourse.reference.updown.updown_step`."""
    weights = check_weights(weights)
    v = _images(v, _visible_units(weights))
    labels = weights.top.kernel.shape[0] - weights.layers[-1].recognition_bias.shape[0]
    return {
        "v": v,
        "y": _labels(y, labels, len(v)),
        "weights": weights,
        "gibbs_steps": _gibbs(gibbs_steps),
        "learning_rate": _rate(learning_rate),
        "rng": check_rng(rng),
    }


def label_free_energies(v: Any, weights: Any) -> dict[str, Any]:
    """Check the arguments of :func:`dlcourse.reference.updown.label_free_energies`."""
    weights = check_weights(weights)
    return {"v": _images(v, _visible_units(weights)), "weights": weights}


def classify(v: Any, weights: Any) -> dict[str, Any]:
    """Check the arguments of :func:`dlcourse.reference.updown.classify`."""
    return label_free_energies(v, weights)


def generate(y: Any, weights: Any, gibbs_steps: Any, rng: Any) -> dict[str, Any]:
    """Check the arguments of :func:`dlcourse.reference.updown.generate`."""
    weights = check_weights(weights)
    labels = weights.top.kernel.shape[0] - weights.layers[-1].recognition_bias.shape[0]
    return {
        "y": _labels(y, labels),
        "weights": weights,
        "gibbs_steps": _gibbs(gibbs_steps),
        "rng": check_rng(rng),
    }


def top_cd_epoch(
    penultimate: Any,
    y: Any,
    top: Any,
    batch: Any,
    gibbs_steps: Any,
    learning_rate: Any,
    rng: Any,
) -> dict[str, Any]:
    """Check the arguments of :func:`dlcourse.reference.updown.top_cd_epoch`."""
    top = _rbm_weights("top", top)
    penultimate = check_array("penultimate", penultimate, ndim=2)
    labels = _labels_of(top, penultimate.shape[1], "top")
    return {
        "penultimate": penultimate,
        "y": _labels(y, labels, len(penultimate)),
        "top": top,
        "batch": _batch(batch, len(penultimate)),
        "gibbs_steps": _gibbs(gibbs_steps),
        "learning_rate": _rate(learning_rate),
        "rng": check_rng(rng),
    }


def updown_epoch(
    v: Any,
    y: Any,
    weights: Any,
    batch: Any,
    gibbs_steps: Any,
    learning_rate: Any,
    rng: Any,
) -> dict[str, Any]:
    """Check the arguments of :func:`dlcourse.reference.updown.updown_epoch`."""
    arguments = updown_step(v, y, weights, gibbs_steps, learning_rate, rng)
    arguments["batch"] = _batch(batch, len(arguments["v"]))
    return arguments
