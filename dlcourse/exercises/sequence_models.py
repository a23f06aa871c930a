"""Exercises of the sequence-models chapter, easiest first.

* ``teacher_forcing_inputs`` - the inputs of next-step training (a shift);
* ``free_running`` - a rollout that feeds a predictor its own outputs;
* ``gaussian_mixture_nll`` - the negative log-likelihood of a 2-D Gaussian mixture.

Each reference answer is defined below under the learner's name, and then that name
is rebound to its :class:`~dlcourse.exercises.framework.Exercise`, so the solution a
learner sees is the very function the tests check. Every checker tries the learner's
function on a fixed case and on random cases drawn afresh at every check, and computes
the expected values with :mod:`dlcourse.reference.generation`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from dlcourse.exercises.framework import (
    Exercise,
    call_answer,
    expect_array,
    fresh_rng,
)
from dlcourse.reference import generation as reference

#: Random cases drawn at every check, besides the fixed one.
RANDOM_CASES = 2


# --- teacher_forcing_inputs ----------------------------------------------------------


def teacher_forcing_inputs(targets):
    """x_t = target_{t-1} for t > 1, and x_1 = 0; targets is (batch, time, features)."""
    inputs = np.zeros_like(targets)
    inputs[:, 1:] = targets[:, :-1]
    return inputs


def _sequences() -> Iterator[tuple[str, np.ndarray]]:
    yield (
        "on a fixed batch of 2 sequences",
        np.random.default_rng(3).normal(size=(2, 5, 3)),
    )
    rng = fresh_rng()
    for _ in range(RANDOM_CASES):
        shape = tuple(int(n) for n in rng.integers(2, 7, size=3))
        yield f"on a random batch of shape {shape}", rng.normal(size=shape)


def _check_teacher_forcing(answer: Any) -> str:
    for case, targets in _sequences():
        got = call_answer(
            answer, targets, what="your teacher_forcing_inputs", case=case
        )
        expected = reference.teacher_forcing_inputs(targets)
        expect_array(
            got,
            expected,
            what=f"the inputs {case}",
            diagnoses={
                "These are the targets themselves: a network that sees x_t = target_t "
                "only has to copy its input.": targets,
                "You shifted the wrong way: the input at step t must be what came "
                "*before* it.": np.concatenate(
                    [targets[:, 1:], np.zeros_like(targets[:, :1])], axis=1
                ),
                "The first input wraps around to the last target; at the first step "
                "nothing has come before.": np.roll(targets, 1, axis=1),
                "The shift runs along the batch axis; it must run along time "
                "(axis 1).": np.concatenate(
                    [np.zeros_like(targets[:1]), targets[:-1]], axis=0
                ),
            },
        )
    return "Your inputs are the targets delayed by one step."


teacher_forcing_inputs = Exercise(
    "teacher_forcing_inputs",
    _check_teacher_forcing,
    hint="At step t the network may only have seen the steps before t. Which target "
    "is the latest one it may read, and what can stand in for the one before the "
    "first?",
    answer=teacher_forcing_inputs,
    explanation="Shifting by one step along the time axis, with zeros first, is all "
    "teacher forcing needs: the true past is the input, the present is the target.",
)


# --- free_running --------------------------------------------------------------------


def free_running(predict_next, first, steps):
    """Feed predict_next its own outputs: y_1 = p(first), y_t = p(y_{t-1}).

    Returns the (batch, steps, features) array of y_1 ... y_steps."""
    outputs, y = [], first
    for _ in range(steps):
        y = predict_next(y)
        outputs.append(y)
    return np.stack(outputs, axis=1)


_reference_rollout = free_running  # the name is rebound to the Exercise below


def _predictor(rng: np.random.Generator, features: int) -> Callable:
    rotation = np.linalg.qr(rng.normal(size=(features, features)))[0]
    shift = rng.normal(size=features) * 0.1

    def predict_next(y: np.ndarray) -> np.ndarray:
        return np.tanh(np.asarray(y) @ rotation + shift)

    return predict_next


def _check_free_running(answer: Any) -> str:
    rng_fixed = np.random.default_rng(5)
    cases = [("on a fixed case", rng_fixed, 2, 3, 6)]
    rng = fresh_rng()
    for _ in range(RANDOM_CASES):
        batch, features = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        cases.append(
            (
                f"on a random case ({batch} rows, {features} features)",
                rng,
                batch,
                features,
                int(rng.integers(2, 9)),
            )
        )
    for case, generator, batch, features, steps in cases:
        predict_next = _predictor(generator, features)
        first = generator.normal(size=(batch, features))
        got = call_answer(
            answer,
            predict_next,
            first,
            steps,
            what="your free_running",
            case=case,
        )
        expected = _reference_rollout(predict_next, first, steps)
        repeated = np.repeat(predict_next(first)[:, None], steps, axis=1)
        with_first = np.concatenate([first[:, None], expected[:, :-1]], axis=1)
        expect_array(
            got,
            expected,
            what=f"the rollout {case}",
            diagnoses={
                "Every step got the same input: each new prediction must be fed the "
                "previous *prediction*.": repeated,
                "The rollout starts with `first`; it should start with the first "
                "prediction made from it.": with_first,
                "The axes are swapped: stack the steps along axis 1, giving "
                "(batch, steps, features).": np.swapaxes(expected, 0, 1),
            },
        )
    return "Your rollout feeds every prediction back, as free running does."


free_running = Exercise(
    "free_running",
    _check_free_running,
    hint="Keep one variable for 'what the network said last'. What does it hold "
    "before the first step, and what replaces it after each step?",
    answer=free_running,
    explanation="Only the starting value comes from the data; after that the "
    "predictor's own output is its next input, so a mistake at one step is carried "
    "into all the later ones.",
)


# --- gaussian_mixture_nll ------------------------------------------------------------


def gaussian_mixture_nll(weights, means, scales, x):
    """-log sum_k weights_k N(x; means_k, diag scales_k^2) for each row, in nats.

    weights (batch, K) sum to 1; means and scales (batch, K, 2); x (batch, 2)."""
    z = (x[:, None, :] - means) / scales
    log_gaussian = -np.sum(np.log(scales) + 0.5 * z**2, axis=-1) - np.log(2 * np.pi)
    return -np.log(np.sum(weights * np.exp(log_gaussian), axis=1))


def _mixture_case(
    rng: np.random.Generator, batch: int, components: int
) -> tuple[np.ndarray, ...]:
    weights = rng.dirichlet(np.ones(components), size=batch)
    means = rng.normal(size=(batch, components, 2))
    scales = rng.uniform(0.3, 2.0, size=(batch, components, 2))
    x = rng.normal(size=(batch, 2))
    return weights, means, scales, x


def _as_outputs(weights, means, scales) -> np.ndarray:
    batch, K = weights.shape
    return np.concatenate(
        [
            np.log(weights),
            means.reshape(batch, 2 * K),
            np.log(scales).reshape(batch, 2 * K),
            np.zeros((batch, 1)),
        ],
        axis=1,
    )


def _variant_nll(weights, means, scales, x, *, constant=True, log_scale=True):
    z = (x[:, None, :] - means) / scales
    log_gaussian = -0.5 * np.sum(z**2, axis=-1)
    if log_scale:
        log_gaussian -= np.sum(np.log(scales), axis=-1)
    if constant:
        log_gaussian -= np.log(2 * np.pi)
    return -np.log(np.sum(weights * np.exp(log_gaussian), axis=1))


def _check_mixture_nll(answer: Any) -> str:
    cases = [("on a fixed batch of 3", _mixture_case(np.random.default_rng(11), 3, 2))]
    rng = fresh_rng()
    for _ in range(RANDOM_CASES):
        batch, K = int(rng.integers(1, 6)), int(rng.integers(1, 5))
        cases.append(
            (
                f"on a random batch of {batch} ({K} components)",
                _mixture_case(rng, batch, K),
            )
        )
    for case, (weights, means, scales, x) in cases:
        got = call_answer(
            answer,
            weights,
            means,
            scales,
            x,
            what="your gaussian_mixture_nll",
            case=case,
        )
        # The reference core, with the end-of-stroke term taken out (a logit of 0
        # and no stop costs exactly log 2).
        expected = reference.mixture_nll(
            _as_outputs(weights, means, scales), x, np.zeros(len(x)), len(weights[0])
        ) - np.log(2)
        z = (x[:, None, :] - means) / scales
        per_component = -np.sum(np.log(scales) + 0.5 * z**2, axis=-1) - np.log(
            2 * np.pi
        )
        expect_array(
            got,
            expected,
            what=f"the negative log-likelihood {case}",
            diagnoses={
                "The normalising constant of the 2-D Gaussian is missing (the 2 pi).": (
                    _variant_nll(weights, means, scales, x, constant=False)
                ),
                "The width of each Gaussian is missing from its normaliser: a "
                "density must integrate to one.": _variant_nll(
                    weights, means, scales, x, log_scale=False
                ),
                "You averaged the components' log-densities; the mixture's density "
                "is the weighted sum of the densities, and the log comes after.": (
                    -np.sum(weights * per_component, axis=1)
                ),
                "You scaled by the variance where the standard deviation belongs (or "
                "the other way round).": _variant_nll(weights, means, scales**2, x),
                "That is the log-likelihood; the loss is its negative.": -expected,
            },
        )
    return "Your loss equals the reference mixture-density loss."


gaussian_mixture_nll = Exercise(
    "gaussian_mixture_nll",
    _check_mixture_nll,
    hint="Write the density of one axis-aligned 2-D Gaussian first and check it "
    "integrates to one. Then: is a mixture's density a sum or a product of its "
    "components' densities, and where does the log go?",
    answer=gaussian_mixture_nll,
    explanation="The density is a weighted *sum* of Gaussian densities, so the log "
    "comes last. The package's core does the same sum in log space "
    "(np.logaddexp.reduce), which never underflows.",
)
