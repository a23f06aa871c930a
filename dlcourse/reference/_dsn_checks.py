"""Argument checks of :mod:`dlcourse.reference.dsn` (Chapter 5), kept out of the cores.

Each validator receives a core's arguments by name, raises ``TypeError`` or
``ValueError`` naming the parameter, what was expected and what was given, and returns
the arguments converted to float64 arrays and Python numbers. Sizes beyond the limits
below are refused before anything large is allocated.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcourse._checks import (
    check_array,
    check_float,
    check_int,
    check_same_length,
    describe,
)

#: Most hidden units per module: the (units, units) Gram matrix in float64 takes
#: 8 * units**2 bytes, 800 MB at this limit.
MAX_UNITS = 10_000
#: Most classes (columns of a one-hot target), and most outputs of a module.
MAX_CLASSES = 10_000
#: Most modules in a stack.
MAX_MODULES = 100
#: Most full-batch refinement steps per module.
MAX_REFINE_STEPS = 100_000
#: Most input features of a module.
MAX_INPUTS = 1_000_000


def _matrix(name: str, value: Any) -> np.ndarray:
    return check_array(name, value, ndim=2).astype(np.float64, copy=False)


def _vector(name: str, value: Any) -> np.ndarray:
    return check_array(name, value, ndim=1).astype(np.float64, copy=False)


def _penalty(lam: Any) -> float:
    return check_float("lam", lam, minimum=0.0)


def _lower_weights(
    x: np.ndarray, kernel: Any, bias: Any
) -> tuple[np.ndarray, np.ndarray]:
    kernel = _matrix("kernel", kernel)
    bias = _vector("bias", bias)
    if kernel.shape[0] != x.shape[1]:
        raise ValueError(
            f"`kernel` must have {x.shape[1]} rows, one per input feature of `x`; "
            f"got shape {kernel.shape}"
        )
    if bias.shape[0] != kernel.shape[1]:
        raise ValueError(
            f"`bias` must have {kernel.shape[1]} entries, one per hidden unit (columns "
            f"of `kernel`); got shape {bias.shape}"
        )
    return kernel, bias


def _samples_and_targets(x: Any, t: Any) -> tuple[np.ndarray, np.ndarray]:
    x = _matrix("x", x)
    t = _matrix("t", t)
    check_same_length(("x", "t"), x, t)
    return x, t


def _module_weights(name: str, weights: Any) -> Any:
    from dlcourse.reference.dsn import DSNModuleWeights

    if not isinstance(weights, DSNModuleWeights):
        raise TypeError(
            f"`{name}` must be a DSNModuleWeights(kernel, bias, upper), got "
            f"{describe(weights)}"
        )
    kernel = _matrix(f"{name}.kernel", weights.kernel)
    bias = _vector(f"{name}.bias", weights.bias)
    upper = _matrix(f"{name}.upper", weights.upper)
    if bias.shape[0] != kernel.shape[1] or upper.shape[0] != kernel.shape[1]:
        raise ValueError(
            f"`{name}` has inconsistent shapes: kernel {kernel.shape}, bias "
            f"{bias.shape}, upper {upper.shape}; bias and the rows of upper need one "
            f"entry per column of kernel"
        )
    return DSNModuleWeights(kernel, bias, upper)


def _sizes(units: Any, *, inputs: Any = None, outputs: Any = None) -> dict[str, int]:
    sizes = {"units": check_int("units", units, minimum=1, maximum=MAX_UNITS)}
    if inputs is not None:
        sizes["inputs"] = check_int("inputs", inputs, minimum=1, maximum=MAX_INPUTS)
    if outputs is not None:
        sizes["outputs"] = check_int("outputs", outputs, minimum=1, maximum=MAX_CLASSES)
    return sizes


def _training_options(
    refine_steps: Any, learning_rate: Any, seed: Any, weight_scale: Any
) -> dict[str, Any]:
    return {
        "refine_steps": check_int(
            "refine_steps", refine_steps, minimum=0, maximum=MAX_REFINE_STEPS
        ),
        "learning_rate": check_float(
            "learning_rate", learning_rate, minimum=0.0, exclusive_minimum=True
        ),
        "seed": check_int("seed", seed, minimum=0),
        "weight_scale": check_float(
            "weight_scale", weight_scale, minimum=0.0, exclusive_minimum=True
        ),
    }


def one_hot(labels: Any, classes: Any) -> dict[str, Any]:
    """Checks of :func:`dlcourse.reference.dsn.one_hot`."""
    classes = check_int("classes", classes, minimum=2, maximum=MAX_CLASSES)
    labels = check_array("labels", labels, ndim=1, dtype="int")
    if labels.min() < 0 or labels.max() >= classes:
        raise ValueError(
            f"`labels` must lie in 0..{classes - 1}, got values from {labels.min()} "
            f"to {labels.max()}"
        )
    return {"labels": labels, "classes": classes}


def hidden_layer(x: Any, kernel: Any, bias: Any) -> dict[str, Any]:
    """Checks of :func:`dlcourse.reference.dsn.hidden_layer`."""
    x = _matrix("x", x)
    kernel, bias = _lower_weights(x, kernel, bias)
    return {"x": x, "kernel": kernel, "bias": bias}


def upper_statistics(h: Any, t: Any) -> dict[str, Any]:
    """Checks of :func:`dlcourse.reference.dsn.upper_statistics`."""
    h = _matrix("h", h)
    t = _matrix("t", t)
    check_same_length(("h", "t"), h, t)
    _sizes(h.shape[1], outputs=t.shape[1])
    return {"h": h, "t": t}


def upper_from_statistics(gram: Any, cross: Any, lam: Any) -> dict[str, Any]:
    """Checks of :func:`dlcourse.reference.dsn.upper_from_statistics`."""
    gram = _matrix("gram", gram)
    cross = _matrix("cross", cross)
    if gram.shape[0] != gram.shape[1]:
        raise ValueError(
            f"`gram` must be square (units, units), got shape {gram.shape}"
        )
    if cross.shape[0] != gram.shape[0]:
        raise ValueError(
            f"`cross` must have {gram.shape[0]} rows, one per hidden unit; got shape "
            f"{cross.shape}"
        )
    _sizes(gram.shape[0], outputs=cross.shape[1])
    return {"gram": gram, "cross": cross, "lam": _penalty(lam)}


def upper_weights(h: Any, t: Any, lam: Any) -> dict[str, Any]:
    """Checks of :func:`dlcourse.reference.dsn.upper_weights`."""
    return {**upper_statistics(h, t), "lam": _penalty(lam)}


def objective(h: Any, t: Any, upper: Any, lam: Any) -> dict[str, Any]:
    """Checks of :func:`dlcourse.reference.dsn.objective`."""
    checked = upper_statistics(h, t)
    h, t = checked["h"], checked["t"]
    upper = check_array("upper", upper, shape=(h.shape[1], t.shape[1]))
    return {"h": h, "t": t, "upper": upper, "lam": _penalty(lam)}


def stacked_input(x: Any, previous_outputs: Any) -> dict[str, Any]:
    """Checks of :func:`dlcourse.reference.dsn.stacked_input`."""
    x = _matrix("x", x)
    if not isinstance(previous_outputs, list | tuple):
        raise TypeError(
            "`previous_outputs` must be a list of arrays, got "
            f"{describe(previous_outputs)}"
        )
    outputs = []
    for index, output in enumerate(previous_outputs):
        name = f"previous_outputs[{index}]"
        output = _matrix(name, output)
        check_same_length(("x", name), x, output)
        outputs.append(output)
    return {"x": x, "previous_outputs": outputs}


def module_output(x: Any, weights: Any) -> dict[str, Any]:
    """Checks of :func:`dlcourse.reference.dsn.module_output`."""
    x = _matrix("x", x)
    weights = _module_weights("weights", weights)
    _lower_weights(x, weights.kernel, weights.bias)
    return {"x": x, "weights": weights}


def lower_gradient(x: Any, t: Any, kernel: Any, bias: Any, lam: Any) -> dict[str, Any]:
    """Checks of :func:`dlcourse.reference.dsn.lower_gradient`."""
    x, t = _samples_and_targets(x, t)
    kernel, bias = _lower_weights(x, kernel, bias)
    _sizes(kernel.shape[1], outputs=t.shape[1])
    return {"x": x, "t": t, "kernel": kernel, "bias": bias, "lam": _penalty(lam)}


def pseudo_inverse_gradient(x: Any, t: Any, kernel: Any, bias: Any) -> dict[str, Any]:
    """Checks of :func:`dlcourse.reference.dsn.pseudo_inverse_gradient`."""
    checked = lower_gradient(x, t, kernel, bias, 0.0)
    del checked["lam"]
    return checked


def init_module(
    inputs: Any, units: Any, outputs: Any, *, seed: Any, weight_scale: Any
) -> dict[str, Any]:
    """Checks of :func:`dlcourse.reference.dsn.init_module`."""
    return {
        **_sizes(units, inputs=inputs, outputs=outputs),
        "seed": check_int("seed", seed, minimum=0),
        "weight_scale": check_float(
            "weight_scale", weight_scale, minimum=0.0, exclusive_minimum=True
        ),
    }


def fit_module(
    x: Any,
    t: Any,
    units: Any,
    lam: Any,
    *,
    refine_steps: Any,
    learning_rate: Any,
    seed: Any,
    weight_scale: Any,
) -> dict[str, Any]:
    """Checks of :func:`dlcourse.reference.dsn.fit_module`."""
    x, t = _samples_and_targets(x, t)
    sizes = _sizes(units, inputs=x.shape[1], outputs=t.shape[1])
    return {
        "x": x,
        "t": t,
        "units": sizes["units"],
        "lam": _penalty(lam),
        **_training_options(refine_steps, learning_rate, seed, weight_scale),
    }


def fit_dsn(
    x: Any,
    t: Any,
    num_modules: Any,
    units: Any,
    lam: Any,
    *,
    refine_steps: Any,
    learning_rate: Any,
    seed: Any,
    weight_scale: Any,
) -> dict[str, Any]:
    """Checks of :func:`dlcourse.reference.dsn.fit_dsn`."""
    checked = fit_module(
        x,
        t,
        units,
        lam,
        refine_steps=refine_steps,
        learning_rate=learning_rate,
        seed=seed,
        weight_scale=weight_scale,
    )
    checked["num_modules"] = check_int(
        "num_modules", num_modules, minimum=1, maximum=MAX_MODULES
    )
    return checked


def predict_dsn(x: Any, modules: Any) -> dict[str, Any]:
    """Checks of :func:`dlcourse.reference.dsn.predict_dsn`."""
    x = _matrix("x", x)
    if not isinstance(modules, list | tuple) or not modules:
        raise TypeError(
            "`modules` must be a non-empty list of DSNModuleWeights (as fit_dsn "
            f"returns), got {describe(modules)}"
        )
    checked = []
    features = x.shape[1]
    for k, module in enumerate(modules):
        module = _module_weights(f"modules[{k}]", module)
        if module.kernel.shape[0] != features:
            raise ValueError(
                f"`modules[{k}]` reads {module.kernel.shape[0]} features but its "
                f"stacked input has {features}: were the modules trained on this kind "
                f"of input?"
            )
        features += module.upper.shape[1]
        checked.append(module)
    return {"x": x, "modules": checked}
