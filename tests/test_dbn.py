"""The RBM of the deep-belief-network chapter: NumPy reference against brute force, Keras against NumPy."""

from __future__ import annotations

import itertools

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse.keras_parts.rbm import RBM, FreeEnergyGap, classifier_from_rbms
from dlcourse.reference import rbm as ref


def _random_rbm(
    rng: np.random.Generator, visible: int, hidden: int
) -> ref.RBMParameters:
    return ref.RBMParameters(
        rng.normal(0, 0.5, (visible, hidden)),
        rng.normal(0, 0.5, visible),
        rng.normal(0, 0.5, hidden),
    )


def _binary(rng: np.random.Generator, rows: int, units: int) -> np.ndarray:
    return (rng.random((rows, units)) < 0.5).astype(np.float64)


def test_free_energy_is_minus_log_of_summed_exp_energy() -> None:
    rng = np.random.default_rng(0)
    w, b, c = _random_rbm(rng, 4, 3)
    v = _binary(rng, 5, 4)
    all_h = np.array(list(itertools.product([0.0, 1.0], repeat=3)))
    for row in v:
        energies = ref.energy(np.repeat(row[None], len(all_h), 0), all_h, w, b, c)
        brute = -np.log(np.sum(np.exp(-energies)))
        assert np.isclose(ref.free_energy(row[None], w, b, c)[0], brute)


def test_conditionals_match_brute_force_from_the_joint() -> None:
    rng = np.random.default_rng(1)
    w, b, c = _random_rbm(rng, 3, 2)
    all_v = np.array(list(itertools.product([0.0, 1.0], repeat=3)))
    all_h = np.array(list(itertools.product([0.0, 1.0], repeat=2)))
    for v in all_v:
        weights = np.exp(-ref.energy(np.repeat(v[None], len(all_h), 0), all_h, w, b, c))
        p_h = (weights[:, None] * all_h).sum(0) / weights.sum()
        assert np.allclose(ref.hidden_probabilities(v[None], w, c)[0], p_h)
    for h in all_h:
        weights = np.exp(-ref.energy(all_v, np.repeat(h[None], len(all_v), 0), w, b, c))
        p_v = (weights[:, None] * all_v).sum(0) / weights.sum()
        assert np.allclose(ref.visible_probabilities(h[None], w, b)[0], p_v)


def test_cd_gradient_with_exact_negative_phase_is_the_likelihood_gradient() -> None:
    # With many independent chains run long, CD's weight estimate approaches the true gradient; here we
    # check the data term alone: with v_k = v0 the estimate is zero.
    rng = np.random.default_rng(2)
    w, b, c = _random_rbm(rng, 5, 4)
    v = _binary(rng, 6, 5)
    zeros_h, ones_v = np.ones((1, 6, 4)), np.where(v[None] > 0, 0.0, 1.0)
    # hidden all off (u >= p), visible sampled back to exactly v0 (u = 0 turns a unit on, 1 turns it off)
    update = ref.cd_k_update(
        v, w, b, c, hidden_uniforms=zeros_h, visible_uniforms=ones_v, learning_rate=0.1
    )
    assert np.array_equal(update.negative_visible, v)
    for gradient in update.gradients:
        assert np.allclose(gradient, 0.0)


def test_pseudo_log_likelihood_matches_sklearn_formula() -> None:
    rng = np.random.default_rng(3)
    w, b, c = _random_rbm(rng, 6, 3)
    v = _binary(rng, 4, 6)
    flips = np.array([0, 5, 2, 3])
    flipped = v.copy()
    flipped[np.arange(4), flips] = 1 - flipped[np.arange(4), flips]
    difference = ref.free_energy(flipped, w, b, c) - ref.free_energy(v, w, b, c)
    expected = 6 * np.log(1 / (1 + np.exp(-difference)))
    assert np.allclose(
        ref.pseudo_log_likelihood(v, w, b, c, flip_indices=flips), expected
    )


def _keras_rbm(params: ref.RBMParameters, k: int, learning_rate: float) -> RBM:
    model = RBM(params.weights.shape[1], k=k, seed=0)
    model.build((None, params.weights.shape[0]))
    model.set_weights([p.astype(np.float32) for p in params])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate))
    return model


@settings(max_examples=8, deadline=None)
@given(
    visible=st.integers(1, 9),
    hidden=st.integers(1, 7),
    rows=st.integers(1, 6),
    k=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_keras_cd_step_equals_numpy_update(
    visible: int, hidden: int, rows: int, k: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    as_float32 = (
        p.astype(np.float32).astype(np.float64)
        for p in _random_rbm(rng, visible, hidden)
    )
    params = ref.RBMParameters(*as_float32)
    v = _binary(rng, rows, visible)
    u_h = rng.random((k, rows, hidden)).astype(np.float32)
    u_v = rng.random((k, rows, visible)).astype(np.float32)
    expected = ref.cd_k_update(
        v, *params, hidden_uniforms=u_h, visible_uniforms=u_v, learning_rate=0.1
    )
    model = _keras_rbm(params, k, 0.1)
    error = model.cd_step(v.astype(np.float32), u_h, u_v)
    for got, want in zip(model.get_weights(), expected.parameters, strict=True):
        assert np.max(np.abs(got - want)) < 1e-5
    assert abs(float(error) - expected.reconstruction_error) < 1e-5


def test_keras_probabilities_and_free_energy_equal_numpy() -> None:
    rng = np.random.default_rng(5)
    params = _random_rbm(rng, 8, 5)
    model = _keras_rbm(params, 1, 0.1)
    v = _binary(rng, 7, 8)
    h = _binary(rng, 7, 5)
    expected_h = ref.hidden_probabilities(v, params.weights, params.hidden_bias)
    assert np.allclose(model(v.astype(np.float32)), expected_h, atol=1e-5)
    assert np.allclose(
        model.visible_probabilities(h.astype(np.float32)),
        ref.visible_probabilities(h, params.weights, params.visible_bias),
        atol=1e-5,
    )
    assert np.allclose(
        model.free_energy(v.astype(np.float32)), ref.free_energy(v, *params), atol=1e-4
    )


def test_fit_trains_and_lowers_reconstruction_error_and_logs_free_energy_gap() -> None:
    rng = np.random.default_rng(6)
    prototypes = _binary(rng, 3, 20)
    x = prototypes[rng.integers(0, 3, 300)]
    x = np.abs(x - (rng.random(x.shape) < 0.05)).astype(np.float32)
    keras.utils.set_random_seed(0)
    model = RBM(8, seed=1)
    model.compile(optimizer=keras.optimizers.SGD(0.2))
    history = model.fit(
        x,
        epochs=8,
        batch_size=10,
        verbose=0,
        callbacks=[FreeEnergyGap(x[:50], x[50:100])],
    )
    errors = history.history["reconstruction_error"]
    assert errors[-1] < errors[0]
    assert len(history.history["free_energy_gap"]) == 8
    assert model.evaluate(x, verbose=0) < errors[0]
    chain = model.gibbs_chain(x[:2], 5, seed=3)
    assert chain.shape == (5, 2, 20) and np.all((chain >= 0) & (chain <= 1))


def test_save_and_load_round_trip(tmp_path) -> None:
    rng = np.random.default_rng(7)
    model = _keras_rbm(_random_rbm(rng, 6, 4), 2, 0.1)
    path = tmp_path / "rbm.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded, RBM) and loaded.k == 2 and loaded.units == 4
    v = _binary(rng, 3, 6).astype(np.float32)
    assert np.allclose(loaded(v), model(v))
    for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True):
        assert np.array_equal(a, b)


def test_classifier_from_rbms_copies_weights_and_computes_hidden_probabilities() -> (
    None
):
    rng = np.random.default_rng(8)
    lower = _keras_rbm(_random_rbm(rng, 10, 6), 1, 0.1)
    upper = _keras_rbm(_random_rbm(rng, 6, 4), 1, 0.1)
    model = classifier_from_rbms([lower, upper], 3)
    v = _binary(rng, 5, 10).astype(np.float32)
    features = keras.Model(model.input, model.get_layer("hidden_2").output)(v)
    assert np.allclose(features, upper(lower(v)), atol=1e-6)
    random_model = classifier_from_rbms([lower, upper], 3, pretrained=False)
    assert not np.allclose(
        random_model.get_layer("hidden_1").get_weights()[0], lower.kernel.numpy()
    )
    assert model.count_params() == 10 * 6 + 6 + 6 * 4 + 4 + 4 * 3 + 3


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: ref.free_energy(
                np.ones((2, 3)), np.ones((4, 2)), np.ones(4), np.ones(2)
            ),
            "v",
        ),
        (
            lambda: ref.free_energy(
                np.ones((2, 4)), np.ones((4, 2)), np.ones(3), np.ones(2)
            ),
            "visible_bias",
        ),
        (
            lambda: ref.hidden_probabilities(
                np.ones((2, 4)), np.ones((4, 2)), np.ones(5)
            ),
            "hidden_bias",
        ),
        (
            lambda: ref.visible_probabilities(
                np.ones((2, 3)), np.ones((4, 2)), np.ones(4)
            ),
            "h",
        ),
        (
            lambda: ref.energy(
                np.ones((2, 4)),
                np.ones((3, 2)),
                np.ones((4, 2)),
                np.ones(4),
                np.ones(2),
            ),
            "`v` and `h`",
        ),
        (lambda: ref.sample_bernoulli(np.ones((2, 3)), np.ones((3, 2))), "uniforms"),
        (
            lambda: ref.cd_k_update(
                np.ones((2, 4)),
                np.ones((4, 2)),
                np.ones(4),
                np.ones(2),
                hidden_uniforms=np.ones((1, 2, 2)),
                visible_uniforms=np.ones((2, 2, 4)),
                learning_rate=0.1,
            ),
            "visible_uniforms",
        ),
        (
            lambda: ref.cd_k_update(
                np.ones((2, 4)),
                np.ones((4, 2)),
                np.ones(4),
                np.ones(2),
                hidden_uniforms=np.ones((1, 2, 2)),
                visible_uniforms=np.ones((1, 2, 4)),
                learning_rate=-1.0,
            ),
            "learning_rate",
        ),
        (
            lambda: ref.gibbs_chain(
                np.ones((2, 4)),
                np.ones((4, 2)),
                np.ones(4),
                np.ones(2),
                hidden_uniforms=np.ones((3, 2)),
                visible_uniforms=np.ones((3, 2, 4)),
            ),
            "hidden_uniforms",
        ),
        (
            lambda: ref.pseudo_log_likelihood(
                np.ones((2, 4)),
                np.ones((4, 2)),
                np.ones(4),
                np.ones(2),
                flip_indices=np.array([0, 4]),
            ),
            "flip_indices",
        ),
        (lambda: ref.init_parameters(0, 3), "visible"),
        (lambda: RBM(0), "units"),
        (lambda: RBM(3, k=0), "k"),
        (lambda: FreeEnergyGap(np.ones((3, 4)), np.ones((3, 5))), "heldout_sample"),
        (lambda: classifier_from_rbms([], 10), "rbms"),
    ],
)
def test_bad_inputs_name_the_parameter(call, match: str) -> None:
    with pytest.raises((TypeError, ValueError), match=match):
        call()


def test_classifier_rejects_mismatched_stack_and_uncompiled_cd_step() -> None:
    rng = np.random.default_rng(9)
    lower = _keras_rbm(_random_rbm(rng, 10, 6), 1, 0.1)
    upper = _keras_rbm(_random_rbm(rng, 5, 4), 1, 0.1)
    with pytest.raises(ValueError, match=r"rbms\[1\]"):
        classifier_from_rbms([lower, upper], 3)
    with pytest.raises(ValueError, match="classes"):
        classifier_from_rbms([lower], 1)
    bare = RBM(3)
    bare.build((None, 4))
    with pytest.raises(ValueError, match="compile"):
        bare.cd_step(np.ones((1, 4)), np.ones((1, 1, 3)), np.ones((1, 1, 4)))
    with pytest.raises(ValueError, match="steps"):
        lower.gibbs_chain(np.ones((1, 10)), 0)
