"""Argument checks for :mod:`dlcourse.reference.rbm`, in front of its cores.

Each validator receives a core's arguments by name, raises ``TypeError`` or
``ValueError`` naming the parameter, what was expected and what was given, and returns
the arguments converted to float arrays and an ``RBMWeights``. Sizes have sane upper
limits, checked before anything is allocated.
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

#: Most units a layer may have (far above any chapter's 784 pixels).
MAX_UNITS = 100_000
#: Most entries of a weight matrix ``init_weights`` allocates (800 MB of float64).
MAX_WEIGHTS = 10**8
#: Most hidden units for an exact partition function (``2^H`` hidden states are summed).
MAX_EXACT_HIDDEN = 20
#: Most AIS chains run at once (each holds one visible vector).
MAX_CHAINS = 100_000
#: Most entries of the ``2^H x V`` table of the exact partition function (128 MB).
MAX_EXACT_TERMS = 2**24


def check_weights(weights: Any) -> Any:
    """Return ``weights`` as an ``RBMWeights`` of float arrays with matching shapes."""
    from dlcourse.reference.rbm import RBMWeights

    if isinstance(weights, np.ndarray) or not isinstance(weights, tuple | list):
        raise TypeError(
            "`weights` must be an RBMWeights(kernel, visible_bias, hidden_bias), "
            f"got {describe(weights)}"
        )
    if len(weights) != 3:
        raise ValueError(
            "`weights` must hold three arrays (kernel, visible_bias, hidden_bias), "
            f"got {len(weights)}"
        )
    kernel = check_array("weights.kernel", weights[0], ndim=2)
    visible, hidden = kernel.shape
    visible_bias = check_array("weights.visible_bias", weights[1], shape=(visible,))
    hidden_bias = check_array("weights.hidden_bias", weights[2], shape=(hidden,))
    return RBMWeights(kernel, visible_bias, hidden_bias)


def _visible(name: str, value: Any, weights: Any) -> np.ndarray:
    return check_array(name, value, ndim=2, shape=(None, weights.kernel.shape[0]))


def _hidden(name: str, value: Any, weights: Any) -> np.ndarray:
    return check_array(name, value, ndim=2, shape=(None, weights.kernel.shape[1]))


def _uniforms(
    name: str, value: Any, rows: int, units: int, steps: int | None = None
) -> np.ndarray:
    array = check_array(name, value, ndim=3, shape=(rows, steps, units))
    if array.shape[1] < 1:
        raise ValueError(f"`{name}` must have at least one step, got {array.shape}")
    if array.min() < 0.0 or array.max() > 1.0:
        raise ValueError(
            f"`{name}` must hold uniform random numbers in [0, 1], got values from "
            f"{array.min():.3g} to {array.max():.3g}"
        )
    return array


def _chain(
    v0: Any, weights: Any, hidden_uniforms: Any, visible_uniforms: Any
) -> dict[str, Any]:
    """The checks shared by every function that runs a Gibbs chain."""
    weights = check_weights(weights)
    v0 = _visible("v0", v0, weights)
    visible, hidden = weights.kernel.shape
    hidden_uniforms = _uniforms("hidden_uniforms", hidden_uniforms, len(v0), hidden)
    steps = hidden_uniforms.shape[1]
    visible_uniforms = _uniforms(
        "visible_uniforms", visible_uniforms, len(v0), visible, steps
    )
    return {
        "v0": v0,
        "weights": weights,
        "hidden_uniforms": hidden_uniforms,
        "visible_uniforms": visible_uniforms,
    }


def init_weights(visible: Any, hidden: Any, seed: Any, scale: Any) -> dict[str, Any]:
    """Check the arguments of :func:`dlcourse.reference.rbm.init_weights`."""
    visible = check_int("visible", visible, minimum=1, maximum=MAX_UNITS)
    hidden = check_int("hidden", hidden, minimum=1, maximum=MAX_UNITS)
    if visible * hidden > MAX_WEIGHTS:
        raise ValueError(
            f"`visible` x `hidden` must be at most {MAX_WEIGHTS} weights, got "
            f"{visible} x {hidden} = {visible * hidden}"
        )
    return {
        "visible": visible,
        "hidden": hidden,
        "seed": check_int("seed", seed, minimum=0),
        "scale": check_float("scale", scale, minimum=0.0),
    }


def energy(v: Any, h: Any, weights: Any) -> dict[str, Any]:
    """Check the arguments of :func:`dlcourse.reference.rbm.energy`."""
    weights = check_weights(weights)
    v = _visible("v", v, weights)
    h = _hidden("h", h, weights)
    if len(v) != len(h):
        raise ValueError(
            f"`v` and `h` must have the same number of rows, got {len(v)} and {len(h)}"
        )
    return {"v": v, "h": h, "weights": weights}


def hidden_probabilities(v: Any, weights: Any) -> dict[str, Any]:
    """Check the arguments of :func:`dlcourse.reference.rbm.hidden_probabilities`."""
    weights = check_weights(weights)
    return {"v": _visible("v", v, weights), "weights": weights}


def visible_probabilities(h: Any, weights: Any) -> dict[str, Any]:
    """Check the arguments of :func:`dlcourse.reference.rbm.visible_probabilities`."""
    weights = check_weights(weights)
    return {"h": _hidden("h", h, weights), "weights": weights}


def free_energy(v: Any, weights: Any) -> dict[str, Any]:
    """Check the arguments of :func:`dlcourse.reference.rbm.free_energy`."""
    weights = check_weights(weights)
    return {"v": _visible("v", v, weights), "weights": weights}


def sample_bernoulli(probabilities: Any, uniforms: Any) -> dict[str, Any]:
    """Check the arguments of :func:`dlcourse.reference.rbm.sample_bernoulli`."""
    probabilities = check_array("probabilities", probabilities)
    if probabilities.min() < 0.0 or probabilities.max() > 1.0:
        raise ValueError(
            "`probabilities` must lie in [0, 1], got values from "
            f"{probabilities.min():.3g} to {probabilities.max():.3g}"
        )
    uniforms = check_array("uniforms", uniforms)
    if uniforms.shape != probabilities.shape:
        raise ValueError(
            "`uniforms` must have the shape of `probabilities`, "
            f"{probabilities.shape}, got {uniforms.shape}"
        )
    if uniforms.min() < 0.0 or uniforms.max() > 1.0:
        raise ValueError(
            "`uniforms` must hold uniform random numbers in [0, 1], got values from "
            f"{uniforms.min():.3g} to {uniforms.max():.3g}"
        )
    return {"probabilities": probabilities, "uniforms": uniforms}


def cd_gradients(
    v0: Any,
    weights: Any,
    hidden_uniforms: Any,
    visible_uniforms: Any,
    chain_start: Any,
) -> dict[str, Any]:
    """Check the arguments of :func:`dlcourse.reference.rbm.cd_gradients`."""
    arguments = _chain(v0, weights, hidden_uniforms, visible_uniforms)
    if chain_start is not None:
        chain_start = check_array(
            "chain_start", chain_start, ndim=2, shape=arguments["v0"].shape
        )
    arguments["chain_start"] = chain_start
    return arguments


def cd_update(
    v0: Any,
    weights: Any,
    hidden_uniforms: Any,
    visible_uniforms: Any,
    learning_rate: Any,
) -> dict[str, Any]:
    """Check the arguments of :func:`dlcourse.reference.rbm.cd_update`."""
    arguments = _chain(v0, weights, hidden_uniforms, visible_uniforms)
    arguments["learning_rate"] = check_float(
        "learning_rate", learning_rate, minimum=0.0
    )
    return arguments


def gibbs_chain(
    v0: Any, weights: Any, hidden_uniforms: Any, visible_uniforms: Any
) -> dict[str, Any]:
    """Check the arguments of :func:`dlcourse.reference.rbm.gibbs_chain`."""
    return _chain(v0, weights, hidden_uniforms, visible_uniforms)


def pseudo_log_likelihood(v: Any, weights: Any, flip_indices: Any) -> dict[str, Any]:
    """Check the arguments of :func:`dlcourse.reference.rbm.pseudo_log_likelihood`."""
    weights = check_weights(weights)
    v = _visible("v", v, weights)
    index = check_array("flip_indices", flip_indices, shape=(len(v),), dtype="int")
    visible = weights.kernel.shape[0]
    if index.min() < 0 or index.max() >= visible:
        raise ValueError(
            f"`flip_indices` must lie in [0, {visible - 1}], got values from "
            f"{index.min()} to {index.max()}"
        )
    return {"v": v, "weights": weights, "flip_indices": index}


def log_partition(weights: Any) -> dict[str, Any]:
    """Check the arguments of :func:`dlcourse.reference.rbm.log_partition`."""
    weights = check_weights(weights)
    visible, hidden = weights.kernel.shape
    if hidden > MAX_EXACT_HIDDEN or 2**hidden * visible > MAX_EXACT_TERMS:
        raise ValueError(
            f"`weights` must have at most {MAX_EXACT_HIDDEN} hidden units and "
            f"2^hidden x visible at most {MAX_EXACT_TERMS} for an exact partition "
            f"function, got {hidden} hidden and {visible} visible units"
        )
    return {"weights": weights}


def log_likelihood(v: Any, weights: Any) -> dict[str, Any]:
    """Check the arguments of :func:`dlcourse.reference.rbm.log_likelihood`."""
    weights = log_partition(weights)["weights"]
    return {"v": _visible("v", v, weights), "weights": weights}


#: Most AIS chains x steps x units (each step touches every unit of every chain).
MAX_AIS_WORK = 10**11


def ais_log_partition(
    weights: Any, base_visible_bias: Any, betas: Any, chains: Any, seed: Any
) -> dict[str, Any]:
    """Check the arguments of :func:`dlcourse.reference.rbm.ais_log_partition`."""
    weights = check_weights(weights)
    visible, hidden = weights.kernel.shape
    base_visible_bias = check_array(
        "base_visible_bias", base_visible_bias, ndim=1, shape=(visible,)
    )
    betas = check_array("betas", betas, ndim=1, min_size=2)
    if betas[0] != 0.0 or betas[-1] != 1.0 or np.any(np.diff(betas) < 0.0):
        raise ValueError(
            "`betas` must increase from 0 to 1 (e.g. np.linspace(0, 1, 1001)), got "
            f"{len(betas)} values from {betas[0]:.3g} to {betas[-1]:.3g}"
            + (", not increasing" if np.any(np.diff(betas) < 0.0) else "")
        )
    chains = check_count("chains", chains, maximum=MAX_CHAINS)
    work = chains * len(betas) * (visible + hidden)
    if work > MAX_AIS_WORK:
        raise ValueError(
            f"`chains` x len(`betas`) x units must be at most {MAX_AIS_WORK:.0e}, got "
            f"{chains} x {len(betas)} x {visible + hidden} = {work:.2e}"
        )
    return {
        "weights": weights,
        "base_visible_bias": base_visible_bias,
        "betas": betas,
        "chains": chains,
        "seed": check_int("seed", seed, minimum=0),
    }


def base_rate_visible_bias(v: Any, pseudocount: Any) -> dict[str, Any]:
    """Check the arguments of :func:`dlcourse.reference.rbm.base_rate_visible_bias`."""
    v = check_array("v", v, ndim=2)
    if v.min() < 0.0 or v.max() > 1.0:
        raise ValueError(
            f"`v` must hold values in [0, 1], got values from {v.min():.3g} to "
            f"{v.max():.3g}"
        )
    pseudocount = check_float(
        "pseudocount", pseudocount, minimum=0.0, exclusive_minimum=True
    )
    return {"v": v, "pseudocount": pseudocount}
