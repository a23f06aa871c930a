"""A restricted Boltzmann machine with binary units in NumPy (introduced in Chapter 4).

The names are the chapter's: visible units ``v`` of shape ``(batch, visible)``, hidden
units ``h`` of shape ``(batch, hidden)``, and the weights in an :class:`RBMWeights`
whose fields carry the Keras RBM's weight names, in the order of its ``get_weights()``:
``kernel`` ``W`` (visible, hidden), ``visible_bias`` ``b`` and ``hidden_bias`` ``c``. So
``RBMWeights(*rbm.get_weights())`` works.

* energy ``E(v, h) = -v.b - h.c - v W h``;
* ``p(h_j = 1 | v) = sigmoid(c_j + v W[:, j])``;
* ``p(v_i = 1 | h) = sigmoid(b_i + W[i, :] h)``;
* free energy ``F(v) = -v.b - sum_j softplus(c_j + v W[:, j])``, and
  ``p(v) = exp(-F(v)) / Z``.

Every sampling step takes its uniform random numbers as an argument (a unit is on when
its number is below its probability), so that the Keras model, given the same numbers,
makes exactly the same update. The argument checks live in
:mod:`dlcourse.reference._rbm_checks`.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import numpy as np

from dlcourse._checks import checked
from dlcourse.reference import _rbm_checks as checks
from dlcourse.reference.activations import sigmoid


class RBMWeights(NamedTuple):
    """The parameters of an RBM, in the order of the Keras RBM's ``get_weights()``."""

    kernel: np.ndarray
    visible_bias: np.ndarray
    hidden_bias: np.ndarray


class CDGradients(NamedTuple):
    """The CD-k estimate of the log-likelihood gradient, and the end of the chain.

    ``kernel``, ``visible_bias`` and ``hidden_bias`` are data statistics minus chain
    statistics, averaged over the batch (the direction to *climb*); ``negative_visible``
    is the sample ``v_k`` at the end of the chain and ``reconstruction_error`` the mean
    squared difference between the data and ``p(v | h_0)``.
    """

    kernel: np.ndarray
    visible_bias: np.ndarray
    hidden_bias: np.ndarray
    negative_visible: np.ndarray
    reconstruction_error: float


class GibbsTrace(NamedTuple):
    """What :func:`gibbs_chain` returns: arrays of shape ``(batch, steps, units)``.

    ``hidden`` holds the samples ``h_t``, ``visible_means`` the probabilities
    ``p(v | h_t)`` (the smooth images to look at) and ``visible`` the samples ``v_t``.
    """

    hidden: np.ndarray
    visible_means: np.ndarray
    visible: np.ndarray


@checked(checks.init_weights)
def init_weights(
    visible: int, hidden: int, *, seed: int = 0, scale: float = 0.01
) -> RBMWeights:
    """Small normal random weights and zero biases, as Hinton's guide advises.

    Args:
        visible: number of visible units.
        hidden: number of hidden units.
        seed: seed of the random weights.
        scale: standard deviation of the weights.
    """
    rng = np.random.default_rng(seed)
    W = rng.normal(0.0, scale, size=(visible, hidden))
    return RBMWeights(W, np.zeros(visible), np.zeros(hidden))


@checked(checks.energy)
def energy(v: np.ndarray, h: np.ndarray, weights: RBMWeights) -> np.ndarray:
    """``E(v, h) = -v.b - h.c - v W h`` for each pair of rows; shape ``(batch,)``.

    Args:
        v: visible states, ``(batch, visible)``.
        h: hidden states, ``(batch, hidden)``.
        weights: the RBM's :class:`RBMWeights`.
    """
    W, b, c = weights
    return -(v @ b) - (h @ c) - np.sum((v @ W) * h, axis=1)


@checked(checks.hidden_probabilities)
def hidden_probabilities(v: np.ndarray, weights: RBMWeights) -> np.ndarray:
    """``p(h = 1 | v) = sigmoid(v W + c)``, every hidden unit at once.

    Args:
        v: visible states, ``(batch, visible)``.
        weights: the RBM's :class:`RBMWeights`.
    """
    return sigmoid(v @ weights.kernel + weights.hidden_bias)


@checked(checks.visible_probabilities)
def visible_probabilities(h: np.ndarray, weights: RBMWeights) -> np.ndarray:
    """``p(v = 1 | h) = sigmoid(h W^T + b)``: the same weights, transposed.

    Args:
        h: hidden states, ``(batch, hidden)``.
        weights: the RBM's :class:`RBMWeights`.
    """
    return sigmoid(h @ weights.kernel.T + weights.visible_bias)


@checked(checks.free_energy)
def free_energy(v: np.ndarray, weights: RBMWeights) -> np.ndarray:
    """``F(v) = -v.b - sum_j softplus(c_j + v W[:, j])``: ``h`` summed out of ``E``.

    ``p(v) = exp(-F(v)) / Z``: lower free energy means more probable. One value per row.

    Args:
        v: visible states, ``(batch, visible)``.
        weights: the RBM's :class:`RBMWeights`.
    """
    W, b, c = weights
    return -(v @ b) - np.logaddexp(0.0, v @ W + c).sum(axis=1)


@checked(checks.sample_bernoulli)
def sample_bernoulli(probabilities: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Binary samples: 1 where ``uniforms < probabilities``, else 0 (the same shape).

    With ``uniforms`` drawn from U(0, 1), each entry is 1 with its probability.

    Args:
        probabilities: the probabilities of being on.
        uniforms: one uniform random number per entry.
    """
    return (uniforms < probabilities).astype(probabilities.dtype)


@checked(checks.cd_gradients)
def cd_gradients(
    v0: np.ndarray,
    weights: RBMWeights,
    *,
    hidden_uniforms: np.ndarray,
    visible_uniforms: np.ndarray,
    chain_start: np.ndarray | None = None,
) -> CDGradients:
    """The CD-k estimate of the log-likelihood gradient on a batch (Hinton 2002).

    ``k`` is read from the uniforms, of shapes ``(n, k, hidden)`` and ``(n, k,
    visible)``. The chain is ``h_0 ~ p(h | v_start)``, then ``v_t ~ p(v | h_{t-1})`` and
    ``h_t ~ p(h | v_t)``, where ``v_start`` is the data ``v0`` (CD) or, for persistent
    CD (Tieleman 2008), the end of the previous update's chain. The statistics use
    hidden *probabilities* (less noise, as Hinton's guide advises) and the sampled
    ``v_k``::

        dW = (v0^T p(h | v0) - v_k^T p(h | v_k)) / n
        db = mean(v0 - v_k),  dc = mean(p(h | v0) - p(h | v_k))

    Args:
        v0: a batch of training vectors, ``(n, visible)``.
        weights: the RBM's :class:`RBMWeights`.
        hidden_uniforms: random numbers for the hidden samples, ``(n, k, hidden)``.
        visible_uniforms: random numbers for the visible samples, ``(n, k, visible)``.
        chain_start: where the negative chain starts, ``(n, visible)``: ``None`` for
            CD (the data), the last ``negative_visible`` for persistent CD.
    """
    n, k = hidden_uniforms.shape[:2]
    positive_hidden = hidden_probabilities(v0, weights)
    if chain_start is None:  # CD: the chain starts at the data
        start_hidden = positive_hidden
    else:  # persistent CD: it goes on from where the last update left it
        start_hidden = hidden_probabilities(chain_start, weights)
    h = sample_bernoulli(start_hidden, hidden_uniforms[:, 0])
    for t in range(k):
        visible_means = visible_probabilities(h, weights)
        if t == 0:
            reconstruction = visible_means
        v = sample_bernoulli(visible_means, visible_uniforms[:, t])
        negative_hidden = hidden_probabilities(v, weights)
        if t + 1 < k:
            h = sample_bernoulli(negative_hidden, hidden_uniforms[:, t + 1])
    return CDGradients(
        kernel=(v0.T @ positive_hidden - v.T @ negative_hidden) / n,
        visible_bias=(v0 - v).mean(axis=0),
        hidden_bias=(positive_hidden - negative_hidden).mean(axis=0),
        negative_visible=v,
        reconstruction_error=float(np.mean((v0 - reconstruction) ** 2)),
    )


@checked(checks.cd_update)
def cd_update(
    v0: np.ndarray,
    weights: RBMWeights,
    *,
    hidden_uniforms: np.ndarray,
    visible_uniforms: np.ndarray,
    learning_rate: float,
) -> RBMWeights:
    """One CD-k step: each weight climbs by ``learning_rate`` times its CD estimate.

    Args:
        v0: a batch of training vectors, ``(n, visible)``.
        weights: the RBM's :class:`RBMWeights` before the step.
        hidden_uniforms: random numbers for the hidden samples, ``(n, k, hidden)``.
        visible_uniforms: random numbers for the visible samples, ``(n, k, visible)``.
        learning_rate: the step size.
    """
    gradients = cd_gradients(
        v0, weights, hidden_uniforms=hidden_uniforms, visible_uniforms=visible_uniforms
    )
    return RBMWeights(
        *(w + learning_rate * g for w, g in zip(weights, gradients[:3], strict=True))
    )


@checked(checks.gibbs_chain)
def gibbs_chain(
    v0: np.ndarray,
    weights: RBMWeights,
    *,
    hidden_uniforms: np.ndarray,
    visible_uniforms: np.ndarray,
) -> GibbsTrace:
    """Block Gibbs sampling: ``h_t ~ p(h | v_{t-1})``, then ``v_t ~ p(v | h_t)``.

    The number of steps is read from the uniforms, of shapes ``(batch, steps, hidden)``
    and ``(batch, steps, visible)``.

    Args:
        v0: the starting visible states, ``(batch, visible)``.
        weights: the RBM's :class:`RBMWeights`.
        hidden_uniforms: random numbers for the hidden samples.
        visible_uniforms: random numbers for the visible samples.
    """
    v = v0
    hidden, visible_means, visible = [], [], []
    for t in range(hidden_uniforms.shape[1]):
        h = sample_bernoulli(hidden_probabilities(v, weights), hidden_uniforms[:, t])
        means = visible_probabilities(h, weights)
        v = sample_bernoulli(means, visible_uniforms[:, t])
        hidden.append(h)
        visible_means.append(means)
        visible.append(v)
    return GibbsTrace(
        *(np.stack(trace, axis=1) for trace in (hidden, visible_means, visible))
    )


@checked(checks.pseudo_log_likelihood)
def pseudo_log_likelihood(
    v: np.ndarray, weights: RBMWeights, *, flip_indices: np.ndarray
) -> np.ndarray:
    """The pseudo-log-likelihood of each row, as scikit-learn's ``score_samples``.

    Flip one visible unit per row (the one named in ``flip_indices``); then
    ``log p(v_i | v_rest) = log sigmoid(F(v flipped) - F(v))``, times the number of
    visible units ``V`` (an unbiased estimate of the sum over all units). It needs no
    partition function.

    Args:
        v: visible states, ``(batch, visible)``.
        weights: the RBM's :class:`RBMWeights`.
        flip_indices: the unit to flip in each row, ``(batch,)``.
    """
    V = v.shape[1]
    flipped = v.copy()
    rows = np.arange(len(v))
    flipped[rows, flip_indices] = 1.0 - flipped[rows, flip_indices]
    difference = free_energy(flipped, weights) - free_energy(v, weights)
    return -V * np.logaddexp(0.0, -difference)


@checked(checks.log_partition)
def log_partition(weights: RBMWeights) -> float:
    """The exact ``log Z``, summed over all ``2^H`` hidden states (small ``H`` only).

    With ``h`` fixed the visible units factorise:
    ``sum_v exp(-E(v, h)) = exp(h.c) prod_i (1 + exp(b_i + W[i, :] h))``.

    Args:
        weights: the RBM's :class:`RBMWeights`, with at most
            :data:`~dlcourse.reference._rbm_checks.MAX_EXACT_HIDDEN` hidden units.
    """
    W, b, c = weights
    all_h = np.array(list(itertools.product([0.0, 1.0], repeat=len(c))))
    terms = all_h @ c + np.logaddexp(0.0, all_h @ W.T + b).sum(axis=1)
    return float(np.logaddexp.reduce(terms))


@checked(checks.log_likelihood)
def log_likelihood(v: np.ndarray, weights: RBMWeights) -> np.ndarray:
    """The exact ``log p(v) = -F(v) - log Z`` of each row (small ``H`` only).

    Args:
        v: visible states, ``(batch, visible)``.
        weights: the RBM's :class:`RBMWeights`, with few enough hidden units for
            :func:`log_partition`.
    """
    return -free_energy(v, weights) - log_partition(weights)


class AISEstimate(NamedTuple):
    """What :func:`ais_log_partition` returns.

    ``log_partition`` is the estimate ``log Z_A + log mean(w)``; ``log_weights`` holds
    the ``log w`` of each chain, ``(chains,)``, whose spread says how far to trust it;
    ``base_log_partition`` is the exact ``log Z_A`` of the base-rate RBM.
    """

    log_partition: float
    log_weights: np.ndarray
    base_log_partition: float


@checked(checks.ais_log_partition)
def ais_log_partition(
    weights: RBMWeights,
    *,
    base_visible_bias: np.ndarray,
    betas: np.ndarray,
    chains: int,
    seed: int = 0,
) -> AISEstimate:
    """Annealed importance sampling for ``log Z`` (Salakhutdinov & Murray 2008).

    The chains start at the *base-rate* RBM A (no weights, no hidden biases, visible
    biases ``b_A``), whose ``Z_A = 2^H prod_i (1 + exp(b_A,i))`` is exact, and walk to
    the RBM through the distributions, for ``beta`` from 0 to 1,

        p_beta*(v) = exp((1 - beta) v.b_A + beta v.b)
                     prod_j (1 + exp(beta (c_j + v W_j)))

    Each chain collects ``log w += log p_beta_k*(v) - log p_beta_{k-1}*(v)`` at each
    step, then moves by one Gibbs step that leaves ``p_beta_k`` invariant. Then
    ``Z / Z_A`` is estimated by the mean of ``w``, without bias; its logarithm tends to
    be a little *low* (Jensen), so a log-likelihood from it tends to be a little high.
    The random numbers come from ``seed`` (a whole stream would not fit in memory).

    Args:
        weights: the RBM's :class:`RBMWeights`.
        base_visible_bias: ``b_A``, usually the log-odds of the training pixels.
        betas: the inverse temperatures, increasing from 0 to 1, ``(steps + 1,)``.
        chains: how many independent annealing runs to average.
        seed: seed of the random numbers.
    """
    W, b, c = weights
    b_A = base_visible_bias
    rng = np.random.default_rng(seed)

    def log_p_star(v, v_W, beta):  # log p_beta*(v), given v W + c
        visible_term = v @ ((1.0 - beta) * b_A + beta * b)
        return visible_term + np.logaddexp(0.0, beta * v_W).sum(axis=1)

    base_means = np.broadcast_to(sigmoid(b_A), (chains, len(b_A)))
    v = (rng.random(base_means.shape) < base_means).astype(float)
    log_w = np.zeros(chains)
    for beta_before, beta in zip(betas[:-1], betas[1:], strict=True):
        v_W = v @ W + c
        log_w += log_p_star(v, v_W, beta) - log_p_star(v, v_W, beta_before)
        h = (rng.random((chains, len(c))) < sigmoid(beta * v_W)).astype(float)
        visible_input = (1.0 - beta) * b_A + beta * (h @ W.T + b)
        v = (rng.random(v.shape) < sigmoid(visible_input)).astype(float)
    log_Z_A = len(c) * np.log(2.0) + float(np.logaddexp(0.0, b_A).sum())
    log_mean_w = float(np.logaddexp.reduce(log_w) - np.log(chains))
    return AISEstimate(log_Z_A + log_mean_w, log_w, log_Z_A)


@checked(checks.base_rate_visible_bias)
def base_rate_visible_bias(v: np.ndarray, *, pseudocount: float = 1.0) -> np.ndarray:
    """The log-odds of each visible unit being on in ``v``: AIS's base-rate RBM.

    ``p_i = (sum_n v_ni + pseudocount) / (rows + 2 pseudocount)``, then
    ``b_A,i = log(p_i / (1 - p_i))``; the pseudocount keeps a pixel that is never on
    from getting an infinite bias.

    Args:
        v: training vectors, ``(rows, visible)``.
        pseudocount: added to the on and off counts of every unit.
    """
    p = (v.sum(axis=0) + pseudocount) / (len(v) + 2.0 * pseudocount)
    return np.log(p) - np.log1p(-p)
