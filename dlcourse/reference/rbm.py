"""A restricted Boltzmann machine with binary units in NumPy (introduced in the deep-belief-network chapter).

Conventions, the same as :class:`dlcourse.keras_parts.rbm.RBM` and scikit-learn's ``BernoulliRBM`` up to a
transpose: visible units ``v`` of shape ``(batch, visible)``, hidden units ``h`` of shape
``(batch, hidden)``, a weight matrix ``weights`` of shape ``(visible, hidden)``, a ``visible_bias`` ``b``
and a ``hidden_bias`` ``c``.

* energy ``E(v, h) = -v.b - h.c - v W h``;
* ``p(h_j = 1 | v) = sigmoid(c_j + v W[:, j])`` and ``p(v_i = 1 | h) = sigmoid(b_i + W[i, :] h)``;
* free energy ``F(v) = -v.b - sum_j softplus(c_j + v W[:, j])``, so that ``p(v)`` is proportional to
  ``exp(-F(v))``.

Every sampling step takes its uniform random numbers as an argument (a unit is on when its uniform number is
below its probability), so that the Keras model, given the same numbers, can be compared with this one
exactly.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from dlcourse._checks import check_array, check_float, check_int
from dlcourse.reference.dense import sigmoid


class RBMParameters(NamedTuple):
    """The three parameter arrays of an RBM. Unpacks as ``weights, visible_bias, hidden_bias``."""

    weights: np.ndarray
    visible_bias: np.ndarray
    hidden_bias: np.ndarray


class CDUpdate(NamedTuple):
    """What :func:`cd_k_update` returns: the updated parameters, the gradient estimates and the chain's end.

    ``gradients`` are the CD-k estimates of the log-likelihood gradient (data statistics minus chain
    statistics, averaged over the batch), in the order weights, visible bias, hidden bias; the update added
    ``learning_rate`` times them. ``negative_visible`` is the visible sample after ``k`` Gibbs steps and
    ``reconstruction_error`` the mean squared difference between the data and ``p(v | h_0)``.
    """

    parameters: RBMParameters
    gradients: RBMParameters
    negative_visible: np.ndarray
    reconstruction_error: float


def _check_parameters(
    weights: Any, visible_bias: Any = None, hidden_bias: Any = None
) -> list[np.ndarray]:
    w = check_array("weights", weights, ndim=2)
    checked = [w]
    if visible_bias is not None:
        checked.append(check_array("visible_bias", visible_bias, shape=(w.shape[0],)))
    if hidden_bias is not None:
        checked.append(check_array("hidden_bias", hidden_bias, shape=(w.shape[1],)))
    return checked


def _check_visible(v: Any, weights: np.ndarray, name: str = "v") -> np.ndarray:
    return check_array(name, v, ndim=2, shape=(None, weights.shape[0]))


def _check_hidden(h: Any, weights: np.ndarray, name: str = "h") -> np.ndarray:
    return check_array(name, h, ndim=2, shape=(None, weights.shape[1]))


def init_parameters(
    visible: int, hidden: int, *, seed: int = 0, scale: float = 0.01
) -> RBMParameters:
    """Small random weights (normal, standard deviation ``scale``) and zero biases, as Hinton's guide advises.

    Introduced in the deep-belief-network chapter.
    """
    visible = check_int("visible", visible, minimum=1)
    hidden = check_int("hidden", hidden, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    scale = check_float("scale", scale, minimum=0.0)
    rng = np.random.default_rng(seed)
    return RBMParameters(
        rng.normal(0.0, scale, size=(visible, hidden)),
        np.zeros(visible),
        np.zeros(hidden),
    )


def energy(
    v: Any, h: Any, weights: Any, visible_bias: Any, hidden_bias: Any
) -> np.ndarray:
    """``E(v, h) = -v.b - h.c - v W h`` for each row of ``v`` and ``h``; shape ``(batch,)``.

    Introduced in the deep-belief-network chapter.
    """
    w, b, c = _check_parameters(weights, visible_bias, hidden_bias)
    v = _check_visible(v, w)
    h = _check_hidden(h, w)
    if len(v) != len(h):
        raise ValueError(
            f"`v` and `h` must have the same number of rows, got {len(v)} and {len(h)}"
        )
    return -(v @ b) - (h @ c) - np.einsum("bi,ij,bj->b", v, w, h)


def hidden_probabilities(v: Any, weights: Any, hidden_bias: Any) -> np.ndarray:
    """``p(h_j = 1 | v) = sigmoid(c_j + sum_i v_i W_ij)`` for every hidden unit; shape ``(batch, hidden)``.

    Introduced in the deep-belief-network chapter.
    """
    w, c = _check_parameters(weights, hidden_bias=hidden_bias)
    v = _check_visible(v, w)
    return sigmoid(v @ w + c)


def visible_probabilities(h: Any, weights: Any, visible_bias: Any) -> np.ndarray:
    """``p(v_i = 1 | h) = sigmoid(b_i + sum_j W_ij h_j)``: the same weights, transposed; ``(batch, visible)``.

    Introduced in the deep-belief-network chapter.
    """
    w, b = _check_parameters(weights, visible_bias)
    h = _check_hidden(h, w)
    return sigmoid(h @ w.T + b)


def free_energy(
    v: Any, weights: Any, visible_bias: Any, hidden_bias: Any
) -> np.ndarray:
    """``F(v) = -v.b - sum_j softplus(c_j + v W[:, j])``, the energy with ``h`` summed out; ``(batch,)``.

    ``p(v) = exp(-F(v)) / Z``: lower free energy means more probable. Introduced in the deep-belief-network
    chapter.
    """
    w, b, c = _check_parameters(weights, visible_bias, hidden_bias)
    v = _check_visible(v, w)
    return -(v @ b) - np.logaddexp(0.0, v @ w + c).sum(axis=1)


def sample_bernoulli(probabilities: Any, uniforms: Any) -> np.ndarray:
    """Binary samples: 1.0 where ``uniforms < probabilities``, else 0.0 (the same shape).

    With ``uniforms`` drawn from U(0, 1), each entry is 1 with its probability. Taking the random numbers as
    an argument makes the sample reproducible across NumPy and Keras. Introduced in the deep-belief-network
    chapter.
    """
    p = check_array("probabilities", probabilities)
    u = check_array("uniforms", uniforms, shape=p.shape)
    return (u < p).astype(p.dtype)


def _check_uniforms(
    name: str, uniforms: Any, k: int, rows: int, units: int
) -> np.ndarray:
    return check_array(name, uniforms, shape=(k, rows, units))


def cd_k_update(
    v0: Any,
    weights: Any,
    visible_bias: Any,
    hidden_bias: Any,
    *,
    hidden_uniforms: Any,
    visible_uniforms: Any,
    learning_rate: float,
) -> CDUpdate:
    """One contrastive-divergence (CD-k) step on a batch, with the random numbers given (Hinton 2002).

    ``k`` is read from the uniforms: ``hidden_uniforms`` has shape ``(k, batch, hidden)`` and
    ``visible_uniforms`` ``(k, batch, visible)``. The chain: ``h_0 ~ p(h | v0)``; then for each step
    ``v_t ~ p(v | h_{t-1})`` and, except after the last, ``h_t ~ p(h | v_t)``. The statistics use hidden
    *probabilities* (less noise, as in Hinton's practical guide) and the sampled ``v_k``::

        dW = (v0^T p(h | v0) - v_k^T p(h | v_k)) / batch
        db = mean(v0 - v_k),  dc = mean(p(h | v0) - p(h | v_k))

    and every parameter moves by ``+learning_rate`` times its estimate (gradient *ascent* on the
    log-likelihood). Introduced in the deep-belief-network chapter.
    """
    w, b, c = _check_parameters(weights, visible_bias, hidden_bias)
    v0 = _check_visible(v0, w, "v0")
    u_h = check_array("hidden_uniforms", hidden_uniforms, ndim=3)
    k, rows = u_h.shape[0], len(v0)
    u_h = _check_uniforms("hidden_uniforms", u_h, k, rows, w.shape[1])
    u_v = _check_uniforms("visible_uniforms", visible_uniforms, k, rows, w.shape[0])
    learning_rate = check_float("learning_rate", learning_rate, minimum=0.0)

    positive_hidden = sigmoid(v0 @ w + c)
    h = (u_h[0] < positive_hidden).astype(w.dtype)
    reconstruction = None
    for step in range(k):
        visible_p = sigmoid(h @ w.T + b)
        if reconstruction is None:
            reconstruction = visible_p
        v = (u_v[step] < visible_p).astype(w.dtype)
        negative_hidden = sigmoid(v @ w + c)
        if step + 1 < k:
            h = (u_h[step + 1] < negative_hidden).astype(w.dtype)
    grad_w = (v0.T @ positive_hidden - v.T @ negative_hidden) / rows
    grad_b = (v0 - v).mean(axis=0)
    grad_c = (positive_hidden - negative_hidden).mean(axis=0)
    new = RBMParameters(
        w + learning_rate * grad_w,
        b + learning_rate * grad_b,
        c + learning_rate * grad_c,
    )
    error = float(np.mean((v0 - reconstruction) ** 2))
    return CDUpdate(new, RBMParameters(grad_w, grad_b, grad_c), v, error)


def gibbs_chain(
    v0: Any,
    weights: Any,
    visible_bias: Any,
    hidden_bias: Any,
    *,
    hidden_uniforms: Any,
    visible_uniforms: Any,
) -> np.ndarray:
    """Run block Gibbs sampling from ``v0``; return ``p(v | h_t)`` after each step.

    The result has shape ``(steps, batch, visible)``.

    Each step samples ``h_t ~ p(h | v_{t-1})`` then ``v_t ~ p(v | h_t)``; the returned probabilities are the
    mean images, smoother to look at than the binary samples. ``hidden_uniforms`` has shape
    ``(steps, batch, hidden)``, ``visible_uniforms`` ``(steps, batch, visible)``. Introduced in the
    deep-belief-network chapter.
    """
    w, b, c = _check_parameters(weights, visible_bias, hidden_bias)
    v = _check_visible(v0, w, "v0")
    u_h = check_array("hidden_uniforms", hidden_uniforms, ndim=3)
    steps, rows = u_h.shape[0], len(v)
    u_h = _check_uniforms("hidden_uniforms", u_h, steps, rows, w.shape[1])
    u_v = _check_uniforms("visible_uniforms", visible_uniforms, steps, rows, w.shape[0])
    means = np.empty((steps, rows, w.shape[0]))
    for step in range(steps):
        h = (u_h[step] < sigmoid(v @ w + c)).astype(w.dtype)
        means[step] = sigmoid(h @ w.T + b)
        v = (u_v[step] < means[step]).astype(w.dtype)
    return means


def pseudo_log_likelihood(
    v: Any, weights: Any, visible_bias: Any, hidden_bias: Any, *, flip_indices: Any
) -> np.ndarray:
    """The stochastic pseudo-log-likelihood of each row, as scikit-learn's ``score_samples`` computes it.

    For each row, flip the one visible unit named in ``flip_indices``; then ``log p(v_i | v_rest) =
    log sigmoid(F(v flipped) - F(v))``, times the number of visible units (an unbiased estimate of the sum
    over all units). Tractable where the likelihood itself is not (it needs no partition function).
    Introduced in the deep-belief-network chapter.
    """
    w, b, c = _check_parameters(weights, visible_bias, hidden_bias)
    v = _check_visible(v, w)
    index = check_array("flip_indices", flip_indices, shape=(len(v),), dtype="int")
    if index.min() < 0 or index.max() >= w.shape[0]:
        raise ValueError(
            f"`flip_indices` must lie in [0, {w.shape[0] - 1}], got values from "
            f"{index.min()} to {index.max()}"
        )
    flipped = v.copy()
    rows = np.arange(len(v))
    flipped[rows, index] = 1.0 - flipped[rows, index]
    difference = free_energy(flipped, w, b, c) - free_energy(v, w, b, c)
    return -w.shape[0] * np.logaddexp(0.0, -difference)
