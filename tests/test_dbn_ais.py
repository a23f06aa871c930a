"""Annealed importance sampling for an RBM's log Z against the exact sum; its checks.

AIS must agree with :func:`log_partition` on RBMs small enough to sum exactly, be exact
when the RBM *is* the base-rate RBM, and refuse bad arguments naming the parameter.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from dlcourse.reference import rbm as ref
from dlcourse.source import source_of

pytestmark = pytest.mark.dbn

BETAS = np.linspace(0.0, 1.0, 301)


def _random_rbm(seed: int, visible: int, hidden: int, scale: float) -> ref.RBMWeights:
    rng = np.random.default_rng(seed)
    return ref.RBMWeights(
        rng.normal(0, scale, (visible, hidden)),
        rng.normal(0, scale, visible),
        rng.normal(0, scale, hidden),
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ais_agrees_with_the_exact_log_partition(seed: int) -> None:
    weights = _random_rbm(seed, 12, 6, 0.5)
    estimate = ref.ais_log_partition(
        weights, base_visible_bias=weights.visible_bias, betas=BETAS, chains=200
    )
    assert abs(estimate.log_partition - ref.log_partition(weights)) < 0.05
    assert estimate.log_weights.shape == (200,)


def test_ais_is_exact_for_the_base_rate_rbm() -> None:
    visible, hidden = 5, 3
    bias = np.linspace(-1.0, 1.0, visible)
    base = ref.RBMWeights(np.zeros((visible, hidden)), bias, np.zeros(hidden))
    estimate = ref.ais_log_partition(
        base, base_visible_bias=bias, betas=BETAS, chains=4, seed=3
    )
    np.testing.assert_allclose(estimate.log_weights, 0.0, atol=1e-12)
    np.testing.assert_allclose(estimate.log_partition, ref.log_partition(base))
    assert estimate.base_log_partition == estimate.log_partition


def test_ais_is_reproducible_from_its_seed() -> None:
    weights = _random_rbm(4, 8, 4, 1.0)
    kwargs = {"base_visible_bias": np.zeros(8), "betas": BETAS, "chains": 10}
    first = ref.ais_log_partition(weights, seed=5, **kwargs)
    again = ref.ais_log_partition(weights, seed=5, **kwargs)
    other = ref.ais_log_partition(weights, seed=6, **kwargs)
    np.testing.assert_array_equal(first.log_weights, again.log_weights)
    assert not np.array_equal(first.log_weights, other.log_weights)


def test_ais_core_carries_no_checks() -> None:
    code = source_of(ref.ais_log_partition, docstring=False)
    assert "raise" not in code and "check_" not in code
    assert inspect.unwrap(ref.ais_log_partition) is not ref.ais_log_partition


GOOD = ref.RBMWeights(np.ones((4, 2)), np.ones(4), np.ones(2))
ARGS = {"base_visible_bias": np.zeros(4), "betas": BETAS, "chains": 3}


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"weights": np.ones((4, 2))}, "weights"),
        ({"base_visible_bias": np.zeros(3)}, "base_visible_bias"),
        ({"base_visible_bias": np.full(4, np.nan)}, "base_visible_bias"),
        ({"betas": np.linspace(0.1, 1.0, 5)}, "betas"),
        ({"betas": np.linspace(0.0, 0.9, 5)}, "betas"),
        ({"betas": np.array([0.0, 0.6, 0.4, 1.0])}, "not increasing"),
        ({"betas": np.array([0.0])}, "betas"),
        ({"betas": "linear"}, "betas"),
        ({"chains": 0}, "chains"),
        ({"chains": 2.5}, "chains"),
        ({"chains": 10**7}, "chains"),
        ({"chains": 90_000, "betas": np.linspace(0, 1, 10**6)}, "at most"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_inputs_name_the_parameter(changes: dict, match: str) -> None:
    arguments = {"weights": GOOD, **ARGS, **changes}
    weights = arguments.pop("weights")
    with pytest.raises((TypeError, ValueError), match=match):
        ref.ais_log_partition(weights, **arguments)


def test_base_rate_bias_is_the_smoothed_log_odds() -> None:
    v = np.array([[1.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    bias = ref.base_rate_visible_bias(v)
    p = np.array([3 / 4, 1 / 4, 2 / 4])
    np.testing.assert_allclose(bias, np.log(p / (1 - p)))
    assert np.isfinite(ref.base_rate_visible_bias(v, pseudocount=1e-3)).all()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ref.base_rate_visible_bias(np.ones(3)), "`v`"),
        (lambda: ref.base_rate_visible_bias(np.full((2, 2), 2.0)), r"\[0, 1\]"),
        (lambda: ref.base_rate_visible_bias(np.ones((2, 2)), pseudocount=0), "pseudo"),
    ],
)
def test_base_rate_bias_refuses_bad_inputs(call, match: str) -> None:
    with pytest.raises((TypeError, ValueError), match=match):
        call()
