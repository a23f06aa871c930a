"""The up-down algorithm of Hinton, Osindero & Teh (2006), in NumPy (Chapter 4).

A deep belief network with labels: the lower layers are *directed* sigmoid layers, the
top two layers an undirected RBM, the *associative memory*, whose visible units are
the penultimate layer joined to a one-hot (softmax) group of label units. Greedy
training gives every lower layer one matrix ``W``, used upwards to infer and, as
``W^T``, downwards to generate. The up-down algorithm (the paper's appendix B, a
contrastive form of wake-sleep) *unties* them: each lower layer gets recognition
weights ``R`` (up) and generative weights ``G`` (down), and one step on a batch is

* **up** (wake): sample the states of each layer from the one below with ``R``;
* **top**: a few Gibbs steps in the associative memory from the wake states (CD-k);
* **down** (sleep): from the end of the chain, sample each layer from the one above
  with ``G``;
* **learn**: ``G`` learns to generate each wake state from the one above it, ``R``
  learns to infer each sleep state from the one below it, and the top RBM learns by
  CD.

Layer ``l`` of the states is ``s_l`` (``s_0 = v``, the pixels); in
:class:`DirectedWeights` a layer's ``recognition_kernel`` ``R_l`` has shape (below,
above), its ``generative_kernel`` ``G_l`` (above, below). The top RBM is an
:class:`~dlcourse.reference.rbm.RBMWeights` whose visible units are
``[s_L ; y]``: its ``kernel`` stacks the penultimate rows on the label rows.

Random numbers come from a ``numpy.random.Generator``, drawn in the order of the
code, one uniform per sampled unit. The argument checks live in
:mod:`dlcourse.reference._updown_checks`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from dlcourse._checks import checked
from dlcourse.reference import _updown_checks as checks
from dlcourse.reference.activations import sigmoid, softmax
from dlcourse.reference.rbm import (
    RBMWeights,
    free_energy,
    hidden_probabilities,
    sample_bernoulli,
)


class DirectedWeights(NamedTuple):
    """One lower layer of a DBN with its weights untied.

    ``recognition_kernel`` ``R`` (below, above) and ``recognition_bias`` ``r`` (above,)
    infer the layer above, ``q(s_above | s_below) = sigmoid(s_below R + r)``;
    ``generative_kernel`` ``G`` (above, below) and ``generative_bias`` ``g`` (below,)
    generate the layer below, ``p(s_below | s_above) = sigmoid(s_above G + g)``.
    """

    recognition_kernel: np.ndarray
    recognition_bias: np.ndarray
    generative_kernel: np.ndarray
    generative_bias: np.ndarray


class UpDownWeights(NamedTuple):
    """A DBN with labels: directed ``layers`` (bottom first) and the ``top`` RBM.

    ``top`` is an :class:`~dlcourse.reference.rbm.RBMWeights` over the visible units
    ``[s_L ; y]``: the penultimate layer, then one unit per label.
    """

    layers: tuple[DirectedWeights, ...]
    top: RBMWeights


class TopGradients(NamedTuple):
    """The CD-k estimate for the associative memory, and the end of its chain.

    ``kernel``, ``visible_bias`` and ``hidden_bias`` are data statistics minus chain
    statistics, averaged over the batch (the direction to climb), over the visible
    units ``[s_L ; y]``; ``negative_penultimate`` is the sampled ``s_L`` at the end of
    the chain, where the down pass starts.
    """

    kernel: np.ndarray
    visible_bias: np.ndarray
    hidden_bias: np.ndarray
    negative_penultimate: np.ndarray


def _sample(probabilities: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Binary states: each unit on with its probability (one uniform per unit)."""
    return sample_bernoulli(probabilities, rng.random(probabilities.shape))


@checked(checks.untie)
def untie(rbms: Sequence[RBMWeights], top: RBMWeights) -> UpDownWeights:
    """The greedy stack as a DBN whose lower layers have separate up and down weights.

    Both start where greedy training left them: ``R = W`` and ``r = c`` (the RBM's
    hidden bias), ``G = W^T`` and ``g = b`` (its visible bias).

    Args:
        rbms: the lower RBMs' :class:`~dlcourse.reference.rbm.RBMWeights`, bottom first.
        top: the top RBM, whose visible units are the last hidden layer and the labels.
    """
    layers = tuple(
        DirectedWeights(W.copy(), c.copy(), W.T.copy(), b.copy()) for W, b, c in rbms
    )
    return UpDownWeights(layers, RBMWeights(*(w.copy() for w in top)))


@checked(checks.top_down)
def top_down(
    top_states: np.ndarray, top: RBMWeights, labels: int
) -> tuple[np.ndarray, np.ndarray]:
    """``p(s_L = 1 | top)`` (logistic units) and ``p(y | top)`` (one softmax group).

    Args:
        top_states: the top RBM's hidden states, ``(batch, hidden)``.
        top: the top RBM's :class:`~dlcourse.reference.rbm.RBMWeights`.
        labels: how many of its visible units are label units (the last ones).
    """
    W, b, c = top
    x = top_states @ W.T + b
    return sigmoid(x[:, :-labels]), softmax(x[:, -labels:])


@checked(checks.top_cd_gradients)
def top_cd_gradients(
    penultimate: np.ndarray,
    y: np.ndarray,
    top: RBMWeights,
    *,
    gibbs_steps: int,
    rng: np.random.Generator,
) -> TopGradients:
    """CD-k in the associative memory, as the paper's appendix B writes it.

    The chain starts at the data ``[s_L ; y]`` (``y`` one-hot): ``t ~ p(t | s_L, y)``;
    then ``k`` times: ``s_L ~ p(s_L | t)``, ``y = p(y | t)`` (the softmax
    probabilities, not a sample) and ``t ~ p(t | s_L, y)``. The statistics use the
    sampled top states::

        dW = ([s_L ; y]^T t - [s_L' ; y']^T t') / n, and the biases alike

    Args:
        penultimate: states (or probabilities) of the last lower layer, ``(n, units)``.
        y: one-hot labels, ``(n, labels)``.
        top: the top RBM's :class:`~dlcourse.reference.rbm.RBMWeights`.
        gibbs_steps: ``k``, the Gibbs steps of the negative chain.
        rng: the random generator of the samples.
    """
    n, labels = y.shape
    data = np.concatenate([penultimate, y], axis=1)
    positive_top = _sample(hidden_probabilities(data, top), rng)
    negative_top = positive_top
    for _ in range(gibbs_steps):
        penultimate_means, label_means = top_down(negative_top, top, labels)
        negative_penultimate = _sample(penultimate_means, rng)
        chain = np.concatenate([negative_penultimate, label_means], axis=1)
        negative_top = _sample(hidden_probabilities(chain, top), rng)
    return TopGradients(
        kernel=(data.T @ positive_top - chain.T @ negative_top) / n,
        visible_bias=(data - chain).mean(axis=0),
        hidden_bias=(positive_top - negative_top).mean(axis=0),
        negative_penultimate=negative_penultimate,
    )


@checked(checks.updown_step)
def updown_step(
    v: np.ndarray,
    y: np.ndarray,
    weights: UpDownWeights,
    *,
    gibbs_steps: int,
    learning_rate: float,
    rng: np.random.Generator,
) -> UpDownWeights:
    """One step of the up-down algorithm on a batch (contrastive wake-sleep).

    Up: ``s_l ~ sigmoid(s_{l-1} R_l + r_l)`` from ``s_0 = v``. Top: CD-k on
    ``[s_L ; y]`` (:func:`top_cd_gradients`). Down, from the chain's ``s_L'``:
    ``d_{l-1} ~ sigmoid(d_l G_l + g_l)``, the pixels kept as probabilities. Then,
    all from the weights before the step, each climbing its log-probability::

        G_l += eps s_l^T (s_{l-1} - sigmoid(s_l G_l + g_l)) / n     (wake)
        R_l += eps d_{l-1}^T (d_l - sigmoid(d_{l-1} R_l + r_l)) / n  (sleep)

    and the biases by the batch means of the same differences.

    Args:
        v: a batch of binary images, ``(n, visible)``.
        y: their labels, integers ``(n,)``.
        weights: the DBN's :class:`UpDownWeights` before the step.
        gibbs_steps: ``k`` of the CD-k in the top RBM.
        learning_rate: ``eps``, the step of every weight.
        rng: the random generator of the samples.
    """
    layers, top = weights
    n = len(v)
    labels = top.kernel.shape[0] - layers[-1].recognition_kernel.shape[1]
    wake = [v]  # up pass: s_0 = v, s_1, ..., s_L
    for R, r, _, _ in layers:
        wake.append(_sample(sigmoid(wake[-1] @ R + r), rng))
    top_gradients = top_cd_gradients(
        wake[-1], np.eye(labels)[y], top, gibbs_steps=gibbs_steps, rng=rng
    )
    sleep = [top_gradients.negative_penultimate]  # down pass: d_L, ..., d_0
    for depth, (_, _, G, g) in enumerate(reversed(layers)):
        means = sigmoid(sleep[-1] @ G + g)
        sleep.append(means if depth == len(layers) - 1 else _sample(means, rng))
    sleep.reverse()  # now sleep[l] is d_l, as wake[l] is s_l
    new_layers = []
    for below, (R, r, G, g) in enumerate(layers):
        above = below + 1
        # G learns to generate what was seen; R learns to infer what was dreamt
        wake_error = wake[below] - sigmoid(wake[above] @ G + g)
        sleep_error = sleep[above] - sigmoid(sleep[below] @ R + r)
        new_layers.append(
            DirectedWeights(
                R + learning_rate * sleep[below].T @ sleep_error / n,
                r + learning_rate * sleep_error.mean(axis=0),
                G + learning_rate * wake[above].T @ wake_error / n,
                g + learning_rate * wake_error.mean(axis=0),
            )
        )
    new_top = RBMWeights(
        *(w + learning_rate * d for w, d in zip(top, top_gradients[:3], strict=True))
    )
    return UpDownWeights(tuple(new_layers), new_top)


@checked(checks.label_free_energies)
def label_free_energies(v: np.ndarray, weights: UpDownWeights) -> np.ndarray:
    """``F([s_L ; e_y])`` of the top RBM for every label ``y``: ``(batch, labels)``.

    The up pass uses probabilities, not samples (``s_l = sigmoid(s_{l-1} R_l +
    r_l)``); with ``s_L`` clamped, ``p(y | s_L)`` is proportional to
    ``exp(-F([s_L ; e_y]))``, so the lowest free energy is the most probable label.

    Args:
        v: images, ``(batch, visible)``.
        weights: the DBN's :class:`UpDownWeights`.
    """
    layers, top = weights
    labels = top.kernel.shape[0] - layers[-1].recognition_kernel.shape[1]
    s = v
    for R, r, _, _ in layers:
        s = sigmoid(s @ R + r)
    return np.stack(
        [
            free_energy(np.concatenate([s, np.tile(e_y, (len(s), 1))], axis=1), top)
            for e_y in np.eye(labels)
        ],
        axis=1,
    )


@checked(checks.classify)
def classify(v: np.ndarray, weights: UpDownWeights) -> np.ndarray:
    """The label of lowest free energy in the top RBM, for each image: ``(batch,)``.

    Args:
        v: images, ``(batch, visible)``.
        weights: the DBN's :class:`UpDownWeights`.
    """
    return np.argmin(label_free_energies(v, weights), axis=1)


@checked(checks.generate)
def generate(
    y: np.ndarray,
    weights: UpDownWeights,
    *,
    gibbs_steps: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Images of chosen digits, generated top-down: ``p(v | s_1)``, ``(n, visible)``.

    As in the paper, an up pass from random binary images (each pixel on with
    probability one half) starts the chain; the labels stay clamped to ``y`` while
    ``t ~ p(t | s_L, y)`` and ``s_L ~ p(s_L | t)`` alternate ``gibbs_steps`` times;
    then one directed pass goes down with the generative weights.

    Args:
        y: the labels to generate, integers ``(n,)``.
        weights: the DBN's :class:`UpDownWeights`.
        gibbs_steps: Gibbs steps in the top RBM.
        rng: the random generator of the samples.
    """
    layers, top = weights
    labels = top.kernel.shape[0] - layers[-1].recognition_kernel.shape[1]
    clamped = np.eye(labels)[y]
    s = _sample(np.full((len(y), layers[0].recognition_kernel.shape[0]), 0.5), rng)
    for R, r, _, _ in layers:
        s = _sample(sigmoid(s @ R + r), rng)
    for _ in range(gibbs_steps):
        t = _sample(
            hidden_probabilities(np.concatenate([s, clamped], axis=1), top), rng
        )
        s = _sample(top_down(t, top, labels)[0], rng)
    for depth, (_, _, G, g) in enumerate(reversed(layers)):
        means = sigmoid(s @ G + g)
        s = means if depth == len(layers) - 1 else _sample(means, rng)
    return s


@checked(checks.top_cd_epoch)
def top_cd_epoch(
    penultimate: np.ndarray,
    y: np.ndarray,
    top: RBMWeights,
    *,
    batch: int,
    gibbs_steps: int,
    learning_rate: float,
    rng: np.random.Generator,
) -> RBMWeights:
    """One pass of greedy CD-k training of the top RBM, in shuffled batches.

    Args:
        penultimate: the last lower layer's probabilities for the training images.
        y: their labels, integers ``(rows,)``.
        top: the top RBM's :class:`~dlcourse.reference.rbm.RBMWeights` before the pass.
        batch: rows per update (a last, shorter batch is dropped).
        gibbs_steps: ``k`` of CD-k.
        learning_rate: the SGD step on the CD estimate.
        rng: the random generator of the order and the samples.
    """
    labels = top.kernel.shape[0] - penultimate.shape[1]
    order = rng.permutation(len(y))
    for start in range(0, len(order) - batch + 1, batch):
        rows = order[start : start + batch]
        gradients = top_cd_gradients(
            penultimate[rows],
            np.eye(labels)[y[rows]],
            top,
            gibbs_steps=gibbs_steps,
            rng=rng,
        )
        top = RBMWeights(
            *(w + learning_rate * d for w, d in zip(top, gradients[:3], strict=True))
        )
    return top


@checked(checks.updown_epoch)
def updown_epoch(
    v: np.ndarray,
    y: np.ndarray,
    weights: UpDownWeights,
    *,
    batch: int,
    gibbs_steps: int,
    learning_rate: float,
    rng: np.random.Generator,
) -> UpDownWeights:
    """One pass of :func:`updown_step` over the images, in shuffled batches.

    Args:
        v: binary training images, ``(rows, visible)``.
        y: their labels, integers ``(rows,)``.
        weights: the DBN's :class:`UpDownWeights` before the pass.
        batch: images per step (a last, shorter batch is dropped).
        gibbs_steps: ``k`` of the CD-k in the top RBM.
        learning_rate: the step of every weight.
        rng: the random generator of the order and the samples.
    """
    order = rng.permutation(len(y))
    for start in range(0, len(order) - batch + 1, batch):
        rows = order[start : start + batch]
        weights = updown_step(
            v[rows],
            y[rows],
            weights,
            gibbs_steps=gibbs_steps,
            learning_rate=learning_rate,
            rng=rng,
        )
    return weights
