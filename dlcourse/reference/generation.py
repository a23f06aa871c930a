"""Predicting and generating sequences, in NumPy (the sequence-models chapter).

A sequence model factorises ``p(x_1, ..., x_T) = prod_t p(x_t | x_<t)``: at every step
the network reads what came before and gives a distribution over the next element.
The cores here are the pieces of that idea the chapter shows:

* :func:`teacher_forcing_inputs` - the inputs of next-step training, the targets
  shifted one step to the right;
* :func:`teacher_forced_jordan` and :func:`free_running_jordan` - a Jordan network
  whose fed-back output is the true previous value (teacher forcing) or its own last
  prediction (free running);
* :func:`mixture_nll` - the negative log-likelihood of a pen movement under a mixture
  of 2-D Gaussians with an end-of-stroke probability (Bishop 1994, Graves 2013);
* :func:`sample_mixture` - one draw from that distribution, with Graves's bias;
* :func:`step_gaussian_outputs` - the baseline: one Gaussian per letter and step.

The network's mixture output at one step is a flat vector of ``5 K + 1`` numbers
(:func:`mixture_size`): ``K`` weight logits, ``2 K`` means (``dx, dy`` of each
component), ``2 K`` log standard deviations, then one end-of-stroke logit, in the
order of :data:`LAYOUT`. The components are axis-aligned: Graves's also have a
correlation each, left out here to keep the equations short.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from dlcourse._checks import checked
from dlcourse.reference import _generation_checks as checks
from dlcourse.reference import rnn

#: The order of the blocks in one step's mixture output, each ``K`` or ``2 K`` long,
#: then the single end-of-stroke logit.
LAYOUT = ("logits", "means", "log_scales", "stop_logit")


class Mixture(NamedTuple):
    """One step's mixture of 2-D Gaussians and end-of-stroke probability.

    Fields: ``log_weights (..., K)`` (log pi_k, normalised), ``means (..., K, 2)``,
    ``scales (..., K, 2)`` (standard deviations), ``stop_logit (...)`` (the logit of
    the probability that the stroke ends after this movement).
    """

    log_weights: np.ndarray
    means: np.ndarray
    scales: np.ndarray
    stop_logit: np.ndarray


class MixtureSample(NamedTuple):
    """One draw per row: ``movement (batch, 2)`` and ``stop (batch,)`` (0 or 1)."""

    movement: np.ndarray
    stop: np.ndarray


def mixture_size(components: int) -> int:
    """The length of one step's mixture output for ``components`` Gaussians: 5 K + 1.

    Args:
        components: the number of Gaussians ``K``.
    """
    return 5 * checks.components_count(components) + 1


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _log_sigmoid(z: np.ndarray) -> np.ndarray:
    """log(1 / (1 + e^-z)) = -softplus(-z), computed without overflow."""
    return -np.logaddexp(0.0, -z)


@checked(checks.split_mixture)
def split_mixture(outputs: np.ndarray, components: int) -> Mixture:
    """Cut a network's flat mixture output into its parts (see :data:`LAYOUT`).

    Args:
        outputs: ``(..., 5 K + 1)``.
        components: ``K``.

    Returns:
        a :class:`Mixture`.
    """
    K = components
    means = outputs[..., K : 3 * K].reshape(*outputs.shape[:-1], K, 2)
    log_scales = outputs[..., 3 * K : 5 * K].reshape(*outputs.shape[:-1], K, 2)
    return Mixture(
        _log_softmax(outputs[..., :K]), means, np.exp(log_scales), outputs[..., 5 * K]
    )


@checked(checks.mixture_nll)
def mixture_nll(
    outputs: np.ndarray, movements: np.ndarray, stops: np.ndarray, components: int
) -> np.ndarray:
    """-log p(movement, stop) at every step, in nats.

    p(x, e) = sum_k pi_k N(x; mu_k, diag sigma_k^2) * q^e (1 - q)^(1 - e), where q is
    the end-of-stroke probability sigmoid(stop_logit).

    Args:
        outputs: the network's mixture outputs, ``(..., 5 K + 1)``.
        movements: the pen movements that came next, ``(..., 2)``.
        stops: 1 where the stroke ended after that movement, else 0, ``(...)``.
        components: ``K``.

    Returns:
        the negative log-likelihood of each step, shape ``(...)``.
    """
    log_pi, mu, sigma, stop_logit = split_mixture(outputs, components)
    z = (movements[..., None, :] - mu) / sigma
    log_gaussian = -np.sum(np.log(sigma) + 0.5 * z**2, axis=-1) - np.log(2 * np.pi)
    log_mixture = np.logaddexp.reduce(log_pi + log_gaussian, axis=-1)
    log_stop = stops * _log_sigmoid(stop_logit) + (1 - stops) * _log_sigmoid(
        -stop_logit
    )
    return -(log_mixture + log_stop)


@checked(checks.sample_mixture)
def sample_mixture(
    outputs: np.ndarray,
    components: int,
    rng: np.random.Generator,
    *,
    bias: float = 0.0,
) -> MixtureSample:
    """Draw one movement and one end-of-stroke bit per row.

    Graves's sampling *bias* b sharpens the draw: the weights become
    softmax((1 + b) * logits) and every standard deviation is multiplied by e^-b, so
    b = 0 samples the model as trained and a large b follows its most likely path.

    Args:
        outputs: one step's mixture outputs, ``(batch, 5 K + 1)``.
        components: ``K``.
        rng: the random generator of the draw.
        bias: ``b >= 0``.

    Returns:
        a :class:`MixtureSample`.
    """
    K = components
    sharpened = outputs.copy()
    sharpened[:, :K] *= 1 + bias
    sharpened[:, 3 * K : 5 * K] -= bias
    log_pi, mu, sigma, stop_logit = split_mixture(sharpened, K)
    rows = np.arange(len(outputs))
    pi = np.exp(log_pi)
    chosen = (rng.random((len(outputs), 1)) > np.cumsum(pi, axis=1)).sum(axis=1)
    chosen = np.minimum(chosen, K - 1)  # rounding can leave the cumulative sum < 1
    movement = mu[rows, chosen] + sigma[rows, chosen] * rng.normal(size=(len(rows), 2))
    stop = (rng.random(len(rows)) < 1 / (1 + np.exp(-stop_logit))).astype(np.float64)
    return MixtureSample(movement, stop)


@checked(checks.teacher_forcing_inputs)
def teacher_forcing_inputs(targets: np.ndarray) -> np.ndarray:
    """The inputs of next-step training: x_t = target_{t-1}, and x_1 = 0.

    Args:
        targets: the sequences to predict, ``(batch, time, features)``.

    Returns:
        the same shape: every sequence shifted one step right, zeros first.
    """
    inputs = np.zeros_like(targets)
    inputs[:, 1:] = targets[:, :-1]
    return inputs


@checked(checks.teacher_forced_jordan)
def teacher_forced_jordan(
    previous: np.ndarray, weights: rnn.JordanWeights
) -> np.ndarray:
    """A Jordan network whose fed-back output is the *true* previous value.

    With no external input (x_t = 0), every step is y_t = V^T f(d_{t-1} F + b) + c
    for the observed d_{t-1}: the steps do not depend on each other, so one error
    never reaches the next step.

    Args:
        previous: the true previous values ``d_0 ... d_{T-1}``, ``(batch, time, out)``.
        weights: a :class:`~dlcourse.reference.rnn.JordanWeights`.

    Returns:
        the predictions ``y_1 ... y_T``, ``(batch, time, outputs)``.
    """
    x_t = np.zeros((previous.shape[0] * previous.shape[1], weights.kernel.shape[0]))
    d_prev = previous.reshape(-1, previous.shape[2])
    return rnn.jordan_step(x_t, d_prev, weights).output.reshape(previous.shape)


@checked(checks.free_running_jordan)
def free_running_jordan(
    first: np.ndarray, weights: rnn.JordanWeights, steps: int
) -> np.ndarray:
    """The same network fed its *own* last prediction: y_t = V^T f(y_{t-1} F + b) + c.

    Args:
        first: the true starting value ``d_0``, ``(batch, outputs)``.
        weights: a :class:`~dlcourse.reference.rnn.JordanWeights`.
        steps: how many steps to generate.

    Returns:
        the rollout ``y_1 ... y_steps``, ``(batch, steps, outputs)``.
    """
    x = np.zeros((first.shape[0], steps, weights.kernel.shape[0]))
    return rnn.jordan_sequence(x, weights, initial_state=first).outputs


@checked(checks.step_gaussian_outputs)
def step_gaussian_outputs(
    movements: np.ndarray,
    lengths: np.ndarray,
    labels: np.ndarray,
    classes: int,
    *,
    min_scale: float = 1e-2,
) -> np.ndarray:
    """The baseline: for each class and step, one Gaussian fitted to the movements.

    For class c and step t, the mean and standard deviation of the training movements
    of class c at step t (over the sequences still running), and the share of them that
    end there, written as a one-component mixture output so :func:`mixture_nll` scores
    it. A class's steps beyond its longest sequence repeat its last fitted step.

    Args:
        movements: the training movements, zero-padded, ``(n, time, 2)``.
        lengths: the true length of each sequence, ``(n,)``.
        labels: the class of each sequence, ``(n,)``, in ``0 ... classes - 1``.
        classes: the number of classes.
        min_scale: the smallest standard deviation allowed (no zero width).

    Returns:
        ``(classes, time, 6)``: one-component mixture outputs for each class and step.
    """
    steps = movements.shape[1]
    outputs = np.zeros((classes, steps, mixture_size(1)))
    for c in range(classes):
        mine, mine_lengths = movements[labels == c], lengths[labels == c]
        for t in range(steps):
            running = mine_lengths > t
            if not running.any():
                outputs[c, t] = outputs[c, t - 1]
                continue
            values = mine[running, t]
            scale = np.maximum(values.std(axis=0), min_scale)
            # The share of the running sequences that end at t, kept inside (0, 1).
            q = (np.sum(mine_lengths[running] == t + 1) + 0.5) / (running.sum() + 1)
            outputs[c, t] = [
                0.0,
                *values.mean(axis=0),
                *np.log(scale),
                np.log(q / (1 - q)),
            ]
    return outputs
