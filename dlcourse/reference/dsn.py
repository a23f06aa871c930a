"""A deep stacking network (deep convex network) in NumPy, introduced in Chapter 5 ("Deep stacking networks").

Rows are samples, as in Keras. One *module* maps an input ``x`` of shape ``(n, d)`` to

* a sigmoid hidden layer ``h = sigmoid(x @ w + b)`` of shape ``(n, units)`` (lower weights ``w``, ``b``);
* a linear output ``y = h @ u`` of shape ``(n, outputs)`` (upper weights ``u``, no bias, as in the paper).

Given ``h`` and the targets ``t``, the upper weights minimise the ridge objective
``E(u) = 0.5 * ||h @ u - t||^2 + 0.5 * lam * ||u||^2``, whose unique minimiser is
``u = (h.T @ h + lam * I)^-1 @ h.T @ t`` (Deng & Yu 2011 write the same with samples as columns). Module ``k``
sees the raw input concatenated with the outputs of modules ``1 .. k-1``. The lower weights start random and
may be refined by full-batch gradient steps on ``min_u E(w, u)``, that is with ``u`` treated as a function of
``w`` (Deng, Yu & Platt 2012). Everything is float64: the Gram matrix ``h.T @ h`` sums ``n`` products.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dlcourse._checks import check_array, check_float, check_int, check_same_length
from dlcourse.reference.dense import sigmoid

#: The spread of random lower weights; entries are N(0, (WEIGHT_SCALE**2) / inputs).
WEIGHT_SCALE = 4.0


@dataclass
class ModuleWeights:
    """The three weight arrays of one DSN module: ``w`` (inputs, units), ``b`` (units,), ``u`` (units, outputs)."""

    w: np.ndarray
    b: np.ndarray
    u: np.ndarray

    @property
    def inputs(self) -> int:
        """How many input features the module reads."""
        return int(self.w.shape[0])


def one_hot(labels: Any, classes: int) -> np.ndarray:
    """Integer labels ``(n,)`` as 0/1 target rows ``(n, classes)``, the DSN's regression targets."""
    classes = check_int("classes", classes, minimum=2)
    labels = check_array("labels", labels, ndim=1, dtype="int")
    if labels.min() < 0 or labels.max() >= classes:
        raise ValueError(
            f"`labels` must lie in 0..{classes - 1}, got values from {labels.min()} to {labels.max()}"
        )
    return np.eye(classes)[labels]


def _check_weights(x: np.ndarray, w: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
    w = check_array("w", w, ndim=2)
    b = check_array("b", b, ndim=1)
    if w.shape[0] != x.shape[1]:
        raise ValueError(
            f"`w` must have {x.shape[1]} rows, one per input feature of `x`; got shape {w.shape}"
        )
    if b.shape[0] != w.shape[1]:
        raise ValueError(
            f"`b` must have {w.shape[1]} entries, one per hidden unit; got shape {b.shape}"
        )
    return w, b


def hidden_layer(x: Any, w: Any, b: Any) -> np.ndarray:
    """The module's sigmoid hidden layer ``sigmoid(x @ w + b)``, shape ``(n, units)``."""
    x = check_array("x", x, ndim=2)
    w, b = _check_weights(x, w, b)
    return sigmoid(x @ w + b)


def upper_statistics(hidden: Any, targets: Any) -> tuple[np.ndarray, np.ndarray]:
    """The two sums the closed form needs: ``h.T @ h`` (units, units) and ``h.T @ t`` (units, outputs).

    Both are sums over samples, so they can be computed shard by shard and added: this is why a DSN scales
    out (Chapter 5).
    """
    hidden = check_array("hidden", hidden, ndim=2)
    targets = check_array("targets", targets, ndim=2)
    check_same_length(("hidden", "targets"), hidden, targets)
    return hidden.T @ hidden, hidden.T @ targets


def upper_weights_from_statistics(gram: Any, cross: Any, lam: float) -> np.ndarray:
    """Solve ``(gram + lam * I) u = cross`` for the upper weights ``u`` (units, outputs)."""
    gram = check_array("gram", gram, ndim=2)
    cross = check_array("cross", cross, ndim=2)
    lam = check_float("lam", lam, minimum=0.0)
    if gram.shape[0] != gram.shape[1]:
        raise ValueError(
            f"`gram` must be square (units, units), got shape {gram.shape}"
        )
    if cross.shape[0] != gram.shape[0]:
        raise ValueError(
            f"`cross` must have {gram.shape[0]} rows, one per hidden unit; got shape {cross.shape}"
        )
    # solve, not inv: cheaper and more accurate. lam = 0 works only when h has full column rank.
    return np.linalg.solve(gram + lam * np.eye(gram.shape[0]), cross)


def upper_weights(hidden: Any, targets: Any, lam: float) -> np.ndarray:
    """The closed-form (ridge regression) upper weights ``(h.T h + lam I)^-1 h.T t``. Chapter 5."""
    gram, cross = upper_statistics(hidden, targets)
    return upper_weights_from_statistics(gram, cross, lam)


def objective(hidden: Any, targets: Any, u: Any, lam: float) -> float:
    """The module's training objective ``0.5 ||h u - t||^2 + 0.5 lam ||u||^2`` (sums over all entries)."""
    hidden = check_array("hidden", hidden, ndim=2)
    targets = check_array("targets", targets, ndim=2)
    u = check_array("u", u, shape=(hidden.shape[1], targets.shape[1]))
    lam = check_float("lam", lam, minimum=0.0)
    check_same_length(("hidden", "targets"), hidden, targets)
    residual = hidden @ u - targets
    return float(0.5 * np.sum(residual**2) + 0.5 * lam * np.sum(u**2))


def stacked_input(x: Any, previous_outputs: Sequence[Any]) -> np.ndarray:
    """Module ``k``'s input: the raw ``x`` followed by the outputs of modules ``1 .. k-1``, side by side."""
    x = check_array("x", x, ndim=2)
    if not isinstance(previous_outputs, list | tuple):
        raise TypeError(
            f"`previous_outputs` must be a list of arrays, got {type(previous_outputs).__name__}"
        )
    parts = [x]
    for index, output in enumerate(previous_outputs):
        output = check_array(f"previous_outputs[{index}]", output, ndim=2)
        check_same_length(("x", f"previous_outputs[{index}]"), x, output)
        parts.append(output)
    return np.concatenate(parts, axis=1)


def module_output(x: Any, weights: ModuleWeights) -> np.ndarray:
    """One module's linear output ``sigmoid(x w + b) u``, shape ``(n, outputs)``."""
    if not isinstance(weights, ModuleWeights):
        raise TypeError(
            f"`weights` must be a ModuleWeights, got {type(weights).__name__}"
        )
    return hidden_layer(x, weights.w, weights.b) @ weights.u


def lower_gradient(
    x: Any, targets: Any, w: Any, b: Any, lam: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradient of ``f(w, b) = min_u E(w, b, u)`` with respect to ``w`` and ``b``; also returns the optimal ``u``.

    Deng, Yu & Platt (2012) differentiate through ``u = u(w)``. Because ``u(w)`` makes ``dE/du`` zero, the
    terms through ``u`` vanish (the envelope theorem) and the total gradient is the partial one at ``u(w)``:
    ``dE/dw = x.T @ [((h u - t) u.T) * h * (1 - h)]``. Chapter 5 checks this against automatic
    differentiation through the closed form.
    """
    x = check_array("x", x, ndim=2)
    targets = check_array("targets", targets, ndim=2)
    check_same_length(("x", "targets"), x, targets)
    w, b = _check_weights(x, w, b)
    lam = check_float("lam", lam, minimum=0.0)
    hidden = sigmoid(x @ w + b)
    u = upper_weights(hidden, targets, lam)
    delta = ((hidden @ u - targets) @ u.T) * hidden * (1.0 - hidden)
    return x.T @ delta, delta.sum(axis=0), u


def init_module(
    inputs: int,
    units: int,
    outputs: int,
    *,
    seed: int = 0,
    weight_scale: float = WEIGHT_SCALE,
) -> ModuleWeights:
    """Random lower weights N(0, weight_scale^2 / inputs), zero bias, zero upper weights."""
    inputs = check_int("inputs", inputs, minimum=1)
    units = check_int("units", units, minimum=1)
    outputs = check_int("outputs", outputs, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    weight_scale = check_float(
        "weight_scale", weight_scale, minimum=0.0, exclusive_minimum=True
    )
    rng = np.random.default_rng(seed)
    w = rng.normal(0.0, weight_scale / np.sqrt(inputs), size=(inputs, units))
    return ModuleWeights(w, np.zeros(units), np.zeros((units, outputs)))


def fit_module(
    x: Any,
    targets: Any,
    units: int,
    lam: float,
    *,
    refine_steps: int = 0,
    learning_rate: float = 1.0,
    seed: int = 0,
    weight_scale: float = WEIGHT_SCALE,
) -> ModuleWeights:
    """Train one module: random ``w``, optionally ``refine_steps`` full-batch gradient steps on ``w`` and ``b``
    through the closed-form ``u`` (step ``learning_rate`` on the per-sample mean gradient), then ``u`` in
    closed form. Chapter 5."""
    x = check_array("x", x, ndim=2)
    targets = check_array("targets", targets, ndim=2)
    check_same_length(("x", "targets"), x, targets)
    lam = check_float("lam", lam, minimum=0.0)
    refine_steps = check_int("refine_steps", refine_steps, minimum=0)
    learning_rate = check_float(
        "learning_rate", learning_rate, minimum=0.0, exclusive_minimum=True
    )
    weights = init_module(
        x.shape[1], units, targets.shape[1], seed=seed, weight_scale=weight_scale
    )
    for _ in range(refine_steps):
        grad_w, grad_b, _ = lower_gradient(x, targets, weights.w, weights.b, lam)
        weights.w = weights.w - learning_rate * grad_w / len(x)
        weights.b = weights.b - learning_rate * grad_b / len(x)
    weights.u = upper_weights(hidden_layer(x, weights.w, weights.b), targets, lam)
    return weights


def fit_dsn(
    x: Any,
    targets: Any,
    num_modules: int,
    units: int,
    lam: float,
    *,
    refine_steps: int = 0,
    learning_rate: float = 1.0,
    seed: int = 0,
    weight_scale: float = WEIGHT_SCALE,
) -> list[ModuleWeights]:
    """Train a stack of ``num_modules`` modules one after another; module ``k`` (seed ``seed + k``) reads
    ``x`` and the outputs of modules ``1 .. k-1``. Chapter 5."""
    x = check_array("x", x, ndim=2)
    targets = check_array("targets", targets, ndim=2)
    num_modules = check_int("num_modules", num_modules, minimum=1)
    units = check_int("units", units, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    modules: list[ModuleWeights] = []
    outputs: list[np.ndarray] = []
    for k in range(num_modules):
        module_x = stacked_input(x, outputs)
        module = fit_module(
            module_x,
            targets,
            units,
            lam,
            refine_steps=refine_steps,
            learning_rate=learning_rate,
            seed=seed + k,
            weight_scale=weight_scale,
        )
        modules.append(module)
        outputs.append(module_output(module_x, module))
    return modules


def predict_dsn(x: Any, modules: Sequence[ModuleWeights]) -> list[np.ndarray]:
    """The outputs of every module of the stack, in order; the last one is the network's prediction."""
    x = check_array("x", x, ndim=2)
    if not isinstance(modules, list | tuple) or not modules:
        raise TypeError(
            "`modules` must be a non-empty list of ModuleWeights (as fit_dsn returns)"
        )
    outputs: list[np.ndarray] = []
    for k, module in enumerate(modules):
        if not isinstance(module, ModuleWeights):
            raise TypeError(
                f"`modules[{k}]` must be a ModuleWeights, got {type(module).__name__}"
            )
        module_x = stacked_input(x, outputs)
        if module.inputs != module_x.shape[1]:
            raise ValueError(
                f"`modules[{k}]` reads {module.inputs} features but its stacked input has "
                f"{module_x.shape[1]}: were the modules trained on this kind of input?"
            )
        outputs.append(module_output(module_x, module))
    return outputs
