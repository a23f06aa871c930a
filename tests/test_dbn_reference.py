"""The NumPy RBM of the deep-belief-network chapter against brute force, and its checks.

The cores are compared with sums over every joint state; the validators must name the
parameter for wrong types, shapes, NaN, empty inputs and sizes beyond the limits.
"""

from __future__ import annotations

import inspect
import itertools

import numpy as np
import pytest

from dlcourse.reference import _rbm_checks as checks
from dlcourse.reference import rbm as ref
from dlcourse.source import source_of

pytestmark = pytest.mark.dbn


def _random_rbm(rng: np.random.Generator, visible: int, hidden: int) -> ref.RBMWeights:
    return ref.RBMWeights(
        rng.normal(0, 0.5, (visible, hidden)),
        rng.normal(0, 0.5, visible),
        rng.normal(0, 0.5, hidden),
    )


def _binary(rng: np.random.Generator, rows: int, units: int) -> np.ndarray:
    return (rng.random((rows, units)) < 0.5).astype(np.float64)


def _all_states(units: int) -> np.ndarray:
    return np.array(list(itertools.product([0.0, 1.0], repeat=units)))


def test_free_energy_is_minus_log_of_summed_exp_energy() -> None:
    rng = np.random.default_rng(0)
    weights = _random_rbm(rng, 4, 3)
    all_h = _all_states(3)
    for row in _binary(rng, 5, 4):
        energies = ref.energy(np.repeat(row[None], len(all_h), 0), all_h, weights)
        brute = -np.log(np.sum(np.exp(-energies)))
        assert np.isclose(ref.free_energy(row[None], weights)[0], brute)


def test_conditionals_match_brute_force_from_the_joint() -> None:
    rng = np.random.default_rng(1)
    weights = _random_rbm(rng, 3, 2)
    all_v, all_h = _all_states(3), _all_states(2)
    for v in all_v:
        joint = np.exp(-ref.energy(np.repeat(v[None], len(all_h), 0), all_h, weights))
        p_h = (joint[:, None] * all_h).sum(0) / joint.sum()
        assert np.allclose(ref.hidden_probabilities(v[None], weights)[0], p_h)
    for h in all_h:
        joint = np.exp(-ref.energy(all_v, np.repeat(h[None], len(all_v), 0), weights))
        p_v = (joint[:, None] * all_v).sum(0) / joint.sum()
        assert np.allclose(ref.visible_probabilities(h[None], weights)[0], p_v)


def test_exact_log_partition_and_likelihood_sum_to_one() -> None:
    rng = np.random.default_rng(2)
    weights = _random_rbm(rng, 5, 3)
    all_v, all_h = _all_states(5), _all_states(3)
    brute = np.log(
        sum(
            np.exp(-ref.energy(np.repeat(v[None], len(all_h), 0), all_h, weights)).sum()
            for v in all_v
        )
    )
    assert np.isclose(ref.log_partition(weights), brute)
    assert np.isclose(np.exp(ref.log_likelihood(all_v, weights)).sum(), 1.0)


def test_cd_gradients_vanish_when_the_chain_returns_to_the_data() -> None:
    rng = np.random.default_rng(3)
    weights = _random_rbm(rng, 5, 4)
    v = _binary(rng, 6, 5)
    # hidden all off (u = 1 >= p); the visible sample back to v0 (u = 0 turns a unit
    # on, u = 1 keeps it off)
    hidden_uniforms = np.ones((6, 1, 4))
    visible_uniforms = np.where(v[:, None] > 0, 0.0, 1.0)
    gradients = ref.cd_gradients(
        v, weights, hidden_uniforms=hidden_uniforms, visible_uniforms=visible_uniforms
    )
    assert np.array_equal(gradients.negative_visible, v)
    for gradient in gradients[:3]:
        assert np.allclose(gradient, 0.0)


def test_cd_update_adds_the_learning_rate_times_the_gradients() -> None:
    rng = np.random.default_rng(4)
    weights = _random_rbm(rng, 5, 4)
    v = _binary(rng, 6, 5)
    uniforms = {
        "hidden_uniforms": rng.random((6, 2, 4)),
        "visible_uniforms": rng.random((6, 2, 5)),
    }
    gradients = ref.cd_gradients(v, weights, **uniforms)
    updated = ref.cd_update(v, weights, **uniforms, learning_rate=0.1)
    assert isinstance(updated, ref.RBMWeights)
    for new, old, gradient in zip(updated, weights, gradients[:3], strict=True):
        assert np.allclose(new, old + 0.1 * gradient)


def test_persistent_chain_starts_where_it_is_told() -> None:
    rng = np.random.default_rng(12)
    weights = _random_rbm(rng, 5, 3)
    v0, chain = _binary(rng, 4, 5), _binary(rng, 4, 5)
    u_h, u_v = rng.random((4, 1, 3)), rng.random((4, 1, 5))
    persistent = ref.cd_gradients(
        v0, weights, hidden_uniforms=u_h, visible_uniforms=u_v, chain_start=chain
    )
    h0 = (u_h[:, 0] < ref.hidden_probabilities(chain, weights)).astype(float)
    v1 = (u_v[:, 0] < ref.visible_probabilities(h0, weights)).astype(float)
    assert np.array_equal(persistent.negative_visible, v1)
    positive = v0.T @ ref.hidden_probabilities(v0, weights)
    negative = v1.T @ ref.hidden_probabilities(v1, weights)
    assert np.allclose(persistent.kernel, (positive - negative) / 4)
    with pytest.raises(ValueError, match="chain_start"):
        ref.cd_gradients(
            v0,
            weights,
            hidden_uniforms=u_h,
            visible_uniforms=u_v,
            chain_start=chain[:2],
        )


def test_gibbs_chain_samples_with_the_given_numbers() -> None:
    rng = np.random.default_rng(5)
    weights = _random_rbm(rng, 6, 3)
    v0 = _binary(rng, 2, 6)
    hidden_uniforms, visible_uniforms = rng.random((2, 4, 3)), rng.random((2, 4, 6))
    trace = ref.gibbs_chain(
        v0, weights, hidden_uniforms=hidden_uniforms, visible_uniforms=visible_uniforms
    )
    assert isinstance(trace, ref.GibbsTrace)
    assert trace.visible_means.shape == (2, 4, 6) and trace.hidden.shape == (2, 4, 3)
    first_h = (hidden_uniforms[:, 0] < ref.hidden_probabilities(v0, weights)) * 1.0
    assert np.array_equal(trace.hidden[:, 0], first_h)
    assert np.allclose(
        trace.visible_means[:, 0], ref.visible_probabilities(first_h, weights)
    )
    assert np.array_equal(
        trace.visible, (visible_uniforms < trace.visible_means).astype(float)
    )


def test_pseudo_log_likelihood_matches_sklearn_formula() -> None:
    rng = np.random.default_rng(6)
    weights = _random_rbm(rng, 6, 3)
    v = _binary(rng, 4, 6)
    flips = np.array([0, 5, 2, 3])
    flipped = v.copy()
    flipped[np.arange(4), flips] = 1 - flipped[np.arange(4), flips]
    difference = ref.free_energy(flipped, weights) - ref.free_energy(v, weights)
    expected = 6 * np.log(1 / (1 + np.exp(-difference)))
    assert np.allclose(
        ref.pseudo_log_likelihood(v, weights, flip_indices=flips), expected
    )


def test_init_weights_are_small_and_biases_zero() -> None:
    weights = ref.init_weights(30, 20, seed=1)
    assert isinstance(weights, ref.RBMWeights)
    assert weights.kernel.shape == (30, 20) and 0.005 < weights.kernel.std() < 0.02
    assert not weights.visible_bias.any() and not weights.hidden_bias.any()


@pytest.mark.parametrize(
    "core",
    [
        ref.energy,
        ref.hidden_probabilities,
        ref.visible_probabilities,
        ref.free_energy,
        ref.cd_gradients,
        ref.gibbs_chain,
    ],
)
def test_cores_carry_no_checks(core) -> None:
    code = source_of(core, docstring=False)
    assert "raise" not in code and "check_" not in code
    assert inspect.unwrap(core) is not core  # checked at the boundary


W, B, C = np.ones((4, 2)), np.ones(4), np.ones(2)
GOOD = ref.RBMWeights(W, B, C)
V = np.ones((2, 4))
CHAIN = {
    "hidden_uniforms": np.full((2, 1, 2), 0.5),
    "visible_uniforms": np.full((2, 1, 4), 0.5),
}


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ref.free_energy(np.ones((2, 3)), GOOD), "`v`"),
        (lambda: ref.free_energy("pixels", GOOD), "`v`"),
        (lambda: ref.free_energy(np.full((2, 4), np.nan), GOOD), "`v`.*finite"),
        (lambda: ref.free_energy(np.ones((0, 4)), GOOD), "`v`.*empty"),
        (lambda: ref.free_energy(V, W), "`weights`.*RBMWeights"),
        (lambda: ref.free_energy(V, (W, B)), "`weights`.*three"),
        (lambda: ref.free_energy(V, (W, np.ones(3), C)), "weights.visible_bias"),
        (
            lambda: ref.hidden_probabilities(V, (W, B, np.ones(5))),
            "weights.hidden_bias",
        ),
        (lambda: ref.hidden_probabilities(V, (np.ones(4), B, C)), "weights.kernel"),
        (lambda: ref.visible_probabilities(np.ones((2, 3)), GOOD), "`h`"),
        (lambda: ref.energy(V, np.ones((3, 2)), GOOD), "`v` and `h`"),
        (
            lambda: ref.sample_bernoulli(np.full((2, 3), 0.5), np.ones((3, 2))),
            "uniforms",
        ),
        (lambda: ref.sample_bernoulli(np.full((2, 3), 2.0), np.ones((2, 3))), "[0, 1]"),
        (
            lambda: ref.cd_gradients(
                V,
                GOOD,
                hidden_uniforms=np.ones((2, 1, 2)),
                visible_uniforms=np.ones((2, 2, 4)),
            ),
            "visible_uniforms",
        ),
        (
            lambda: ref.cd_gradients(
                V,
                GOOD,
                hidden_uniforms=np.ones((2, 0, 2)),
                visible_uniforms=np.ones((2, 0, 4)),
            ),
            "hidden_uniforms",
        ),
        (
            lambda: ref.cd_gradients(
                V,
                GOOD,
                hidden_uniforms=np.full((2, 1, 2), 3.0),
                visible_uniforms=CHAIN["visible_uniforms"],
            ),
            "hidden_uniforms.*\\[0, 1\\]",
        ),
        (lambda: ref.cd_update(V, GOOD, **CHAIN, learning_rate=-1.0), "learning_rate"),
        (
            lambda: ref.cd_update(V, GOOD, **CHAIN, learning_rate="fast"),
            "learning_rate",
        ),
        (
            lambda: ref.gibbs_chain(
                V,
                GOOD,
                hidden_uniforms=np.ones((3, 2)),
                visible_uniforms=np.ones((2, 3, 4)),
            ),
            "hidden_uniforms",
        ),
        (
            lambda: ref.pseudo_log_likelihood(V, GOOD, flip_indices=np.array([0, 4])),
            "flip_indices",
        ),
        (
            lambda: ref.pseudo_log_likelihood(V, GOOD, flip_indices=np.array([0.5, 1])),
            "flip_indices",
        ),
        (lambda: ref.init_weights(0, 3), "visible"),
        (lambda: ref.init_weights(3, 2.5), "hidden"),
        (lambda: ref.init_weights(10**9, 3), "visible"),
        (lambda: ref.init_weights(50_000, 50_000), "at most"),
        (lambda: ref.init_weights(3, 3, scale=float("inf")), "scale"),
        (
            lambda: ref.log_partition(
                ref.RBMWeights(np.ones((2, 21)), np.ones(2), np.ones(21))
            ),
            "at most 20",
        ),
        (
            lambda: ref.log_partition(
                ref.RBMWeights(np.ones((784, 16)), np.ones(784), np.ones(16))
            ),
            "2\\^hidden",
        ),
        (lambda: ref.log_likelihood(np.ones((2, 3)), GOOD), "`v`"),
    ],
)
def test_bad_inputs_name_the_parameter(call, match: str) -> None:
    with pytest.raises((TypeError, ValueError), match=match):
        call()


def test_size_limits_are_documented_constants() -> None:
    assert checks.MAX_EXACT_HIDDEN == 20
    assert checks.MAX_UNITS >= 784
