"""A deep stacking network (deep convex network) in NumPy, introduced in Chapter 5.

Rows are samples, as in Keras. One *module* maps an input ``x`` of shape ``(N, D)`` to

* a sigmoid hidden layer ``H = sigmoid(X W + b)`` of shape ``(N, L)`` (lower weights,
  called ``kernel`` and ``bias`` as in Keras);
* a linear output ``Y = H U`` of shape ``(N, C)`` (upper weights ``upper``, no bias, as
  in the paper).

Given ``H`` and the targets ``T``, the upper weights minimise the ridge objective
``E(U) = 0.5 ||H U - T||^2 + 0.5 lam ||U||^2``, whose unique minimiser is
``U = (H^T H + lam I)^-1 H^T T`` (Deng & Yu 2011 write it with samples as columns).
Module ``k`` reads the raw input followed by the outputs of modules ``1 .. k-1``. The
lower weights start random and may be refined by full-batch gradient steps on
``min_U E(W, U)`` (Deng, Yu & Platt 2012). Everything is float64: the Gram matrix
``H^T H`` sums ``N`` products.

The functions here are *cores*: their lines are the chapter's equations. Their argument
checks live in :mod:`dlcourse.reference._dsn_checks`, in front of them through
``@checked``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from dlcourse._checks import checked
from dlcourse.reference import _dsn_checks as checks
from dlcourse.reference.activations import sigmoid

__all__ = [
    "WEIGHT_SCALE",
    "DSNModuleWeights",
    "LowerGradient",
    "UpperStatistics",
    "fit_dsn",
    "fit_module",
    "hidden_layer",
    "init_module",
    "lower_gradient",
    "module_output",
    "objective",
    "one_hot",
    "predict_dsn",
    "pseudo_inverse_gradient",
    "stacked_input",
    "upper_from_statistics",
    "upper_statistics",
    "upper_weights",
]

#: The spread of random lower weights: W ~ N(0, WEIGHT_SCALE**2 / inputs). Set on the
#: validation split of Chapter 5's MNIST digits; the Keras part imports it from here.
WEIGHT_SCALE = 4.0


class DSNModuleWeights(NamedTuple):
    """The weights of one DSN module, in the order of ``DSNModule.get_weights()``.

    Args:
        kernel: the lower weights ``W``, shape ``(inputs, units)``.
        bias: the hidden biases ``b``, shape ``(units,)``.
        upper: the upper weights ``U``, shape ``(units, outputs)``.
    """

    kernel: np.ndarray
    bias: np.ndarray
    upper: np.ndarray


class UpperStatistics(NamedTuple):
    """The two sums over samples that the closed form needs.

    Args:
        gram: ``H^T H``, shape ``(units, units)``.
        cross: ``H^T T``, shape ``(units, outputs)``.
    """

    gram: np.ndarray
    cross: np.ndarray


class LowerGradient(NamedTuple):
    """The gradient of ``f(W, b) = min_U E(W, b, U)`` for the lower weights.

    Args:
        kernel: ``df/dW``, shape ``(inputs, units)``.
        bias: ``df/db``, shape ``(units,)``.
        optimal_upper: the closed-form ``U(W)`` at which the gradient was taken.
    """

    kernel: np.ndarray
    bias: np.ndarray
    optimal_upper: np.ndarray


@checked(checks.one_hot)
def one_hot(labels: np.ndarray, classes: int) -> np.ndarray:
    """Integer labels ``(N,)`` as 0/1 rows ``(N, classes)``: the DSN's targets T."""
    return np.eye(classes)[labels]


@checked(checks.hidden_layer)
def hidden_layer(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """The module's hidden layer H = sigmoid(X W + b), shape ``(N, units)``."""
    return sigmoid(x @ kernel + bias)


@checked(checks.upper_statistics)
def upper_statistics(h: np.ndarray, t: np.ndarray) -> UpperStatistics:
    """H^T H and H^T T: sums over samples, so shards can compute and add them."""
    return UpperStatistics(gram=h.T @ h, cross=h.T @ t)


@checked(checks.upper_from_statistics)
def upper_from_statistics(
    gram: np.ndarray, cross: np.ndarray, lam: float
) -> np.ndarray:
    """U = (H^T H + lam I)^-1 H^T T, by solving the system rather than inverting."""
    identity = np.eye(len(gram))
    return np.linalg.solve(gram + lam * identity, cross)


@checked(checks.upper_weights)
def upper_weights(h: np.ndarray, t: np.ndarray, lam: float) -> np.ndarray:
    """The closed-form (ridge regression) upper weights U = (H^T H + lam I)^-1 H^T T."""
    gram, cross = upper_statistics(h, t)
    return upper_from_statistics(gram, cross, lam)


@checked(checks.objective)
def objective(h: np.ndarray, t: np.ndarray, upper: np.ndarray, lam: float) -> float:
    """E(U) = 0.5 ||H U - T||^2 + 0.5 lam ||U||^2 (sums over all entries)."""
    residual = h @ upper - t
    return float(0.5 * np.sum(residual**2) + 0.5 * lam * np.sum(upper**2))


@checked(checks.stacked_input)
def stacked_input(x: np.ndarray, previous_outputs: list[np.ndarray]) -> np.ndarray:
    """Module k's input X^(k) = [X, Y^(1), ..., Y^(k-1)], side by side."""
    return np.concatenate([x, *previous_outputs], axis=1)


@checked(checks.module_output)
def module_output(x: np.ndarray, weights: DSNModuleWeights) -> np.ndarray:
    """One module's output Y = sigmoid(X W + b) U, shape ``(N, outputs)``."""
    h = hidden_layer(x, weights.kernel, weights.bias)
    return h @ weights.upper


@checked(checks.lower_gradient)
def lower_gradient(
    x: np.ndarray, t: np.ndarray, kernel: np.ndarray, bias: np.ndarray, lam: float
) -> LowerGradient:
    """The gradient of f(W, b) = min_U E(W, b, U) for the lower weights.

    Because the closed-form U(W) makes dE/dU zero, the terms through U(W) vanish (the
    envelope theorem): df/dW = X^T [((H U - T) U^T) * H * (1 - H)] at U = U(W).
    """
    h = hidden_layer(x, kernel, bias)
    upper = upper_weights(h, t, lam)
    delta = ((h @ upper - t) @ upper.T) * h * (1.0 - h)
    return LowerGradient(
        kernel=x.T @ delta, bias=delta.sum(axis=0), optimal_upper=upper
    )


@checked(checks.pseudo_inverse_gradient)
def pseudo_inverse_gradient(
    x: np.ndarray, t: np.ndarray, kernel: np.ndarray, bias: np.ndarray
) -> np.ndarray:
    """dE/dW as Deng and Yu write it: lam = 0, samples as columns, E without the 0.5.

    2 X [H^T o (1 - H)^T o [H+ (H T^T)(T H+) - T^T (T H+)]], with H+ the pseudo-inverse
    of H. The result is ``(inputs, units)``, like ``lower_gradient(...).kernel``.
    """
    X, T = x.T, t.T  # the paper's layout: one column per sample
    H = hidden_layer(x, kernel, bias).T  # (units, N)
    H_plus = np.linalg.pinv(H)  # (N, units)
    bracket = H_plus @ (H @ T.T) @ (T @ H_plus) - T.T @ (T @ H_plus)
    return 2.0 * X @ (H.T * (1.0 - H).T * bracket)


@checked(checks.init_module)
def init_module(
    inputs: int,
    units: int,
    outputs: int,
    *,
    seed: int = 0,
    weight_scale: float = WEIGHT_SCALE,
) -> DSNModuleWeights:
    """Random W ~ N(0, weight_scale^2 / inputs), zero b, zero U."""
    rng = np.random.default_rng(seed)
    kernel = rng.normal(0.0, weight_scale / np.sqrt(inputs), size=(inputs, units))
    return DSNModuleWeights(kernel, np.zeros(units), np.zeros((units, outputs)))


@checked(checks.fit_module)
def fit_module(
    x: np.ndarray,
    t: np.ndarray,
    units: int,
    lam: float,
    *,
    refine_steps: int = 0,
    learning_rate: float = 1.0,
    seed: int = 0,
    weight_scale: float = WEIGHT_SCALE,
) -> DSNModuleWeights:
    """Train one module: random W, ``refine_steps`` gradient steps on W and b, then U.

    Each refinement step moves W and b by ``learning_rate`` times the per-sample mean of
    :func:`lower_gradient`; the upper weights are then set in closed form.
    """
    kernel, bias, _ = init_module(
        x.shape[1], units, t.shape[1], seed=seed, weight_scale=weight_scale
    )
    for _ in range(refine_steps):
        gradient = lower_gradient(x, t, kernel, bias, lam)
        kernel = kernel - learning_rate * gradient.kernel / len(x)
        bias = bias - learning_rate * gradient.bias / len(x)
    upper = upper_weights(hidden_layer(x, kernel, bias), t, lam)
    return DSNModuleWeights(kernel, bias, upper)


@checked(checks.fit_dsn)
def fit_dsn(
    x: np.ndarray,
    t: np.ndarray,
    num_modules: int,
    units: int,
    lam: float,
    *,
    refine_steps: int = 0,
    learning_rate: float = 1.0,
    seed: int = 0,
    weight_scale: float = WEIGHT_SCALE,
) -> list[DSNModuleWeights]:
    """Train a stack of modules one after another, the modules below each one frozen.

    Module k (seed ``seed + k``) reads X and the outputs of modules 1 .. k-1.
    """
    modules: list[DSNModuleWeights] = []
    outputs: list[np.ndarray] = []
    for k in range(num_modules):
        x_k = stacked_input(x, outputs)
        module = fit_module(
            x_k,
            t,
            units,
            lam,
            refine_steps=refine_steps,
            learning_rate=learning_rate,
            seed=seed + k,
            weight_scale=weight_scale,
        )
        modules.append(module)
        outputs.append(module_output(x_k, module))
    return modules


@checked(checks.predict_dsn)
def predict_dsn(x: np.ndarray, modules: list[DSNModuleWeights]) -> list[np.ndarray]:
    """Every module's output, bottom to top; the last one is the prediction."""
    outputs: list[np.ndarray] = []
    for module in modules:
        outputs.append(module_output(stacked_input(x, outputs), module))
    return outputs
