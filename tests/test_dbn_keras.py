"""The Keras RBM of the deep-belief-network chapter against NumPy and its contract.

CD-k update for update against :mod:`dlcourse.reference.rbm` (to 1e-5), Keras's layer
test harness, a ``.keras`` round trip (configuration, trainability, dtype and the random
stream), float64, mixed precision, ``compute_output_shape`` and bad arguments.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse.reference import rbm as ref

pytestmark = pytest.mark.dbn

keras = pytest.importorskip("keras")
from keras.src import testing  # noqa: E402

from dlcourse.keras_parts.rbm import (  # noqa: E402
    RBM,
    FreeEnergyGap,
    classifier_from_rbms,
)


def _random_rbm(rng: np.random.Generator, visible: int, hidden: int) -> ref.RBMWeights:
    # float32-representable, so that NumPy and Keras start from the very same numbers
    return ref.RBMWeights(
        *(
            array.astype(np.float32).astype(np.float64)
            for array in (
                rng.normal(0, 0.5, (visible, hidden)),
                rng.normal(0, 0.5, visible),
                rng.normal(0, 0.5, hidden),
            )
        )
    )


def _binary(rng: np.random.Generator, rows: int, units: int) -> np.ndarray:
    return (rng.random((rows, units)) < 0.5).astype(np.float64)


def _keras_rbm(
    weights: ref.RBMWeights, k: int = 1, learning_rate: float = 0.1, **options
) -> RBM:
    model = RBM(weights.kernel.shape[1], k=k, seed=0, **options)
    model.build((None, weights.kernel.shape[0]))
    model.set_weights(list(weights))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate))
    return model


def _numpy(tensor) -> np.ndarray:
    return keras.ops.convert_to_numpy(tensor)


class TestRBMHarness(testing.TestCase):
    """Keras's run_layer_test: build, call, serialization, dtype policies."""

    def test_layer_contract(self) -> None:
        self.run_layer_test(
            RBM,
            init_kwargs={"units": 3, "k": 2, "seed": 1},
            input_shape=(4, 6),
            expected_output_shape=(4, 3),
            expected_num_trainable_weights=3,
            expected_num_non_trainable_weights=0,
            supports_masking=False,
            run_training_check=False,
            custom_objects={"RBM": RBM},
        )


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
    weights = _random_rbm(rng, visible, hidden)
    v = _binary(rng, rows, visible)
    u_h = rng.random((rows, k, hidden)).astype(np.float32).astype(np.float64)
    u_v = rng.random((rows, k, visible)).astype(np.float32).astype(np.float64)
    expected = ref.cd_update(
        v, weights, hidden_uniforms=u_h, visible_uniforms=u_v, learning_rate=0.1
    )
    error = ref.cd_gradients(
        v, weights, hidden_uniforms=u_h, visible_uniforms=u_v
    ).reconstruction_error
    model = _keras_rbm(weights, k)
    got_error = model.cd_step(v, u_h, u_v).reconstruction_error
    got = ref.RBMWeights(*model.get_weights())
    for name in ref.RBMWeights._fields:
        assert np.max(np.abs(getattr(got, name) - getattr(expected, name))) < 1e-5
    assert abs(float(got_error) - error) < 1e-5


def test_persistent_cd_step_equals_numpy_and_fit_keeps_the_chains(tmp_path) -> None:
    rng = np.random.default_rng(12)
    weights = _random_rbm(rng, 7, 4)
    v, chain = _binary(rng, 5, 7), _binary(rng, 5, 7)
    u_h = rng.random((5, 1, 4)).astype(np.float32).astype(np.float64)
    u_v = rng.random((5, 1, 7)).astype(np.float32).astype(np.float64)
    expected = ref.cd_gradients(
        v, weights, hidden_uniforms=u_h, visible_uniforms=u_v, chain_start=chain
    )
    model = _keras_rbm(weights)
    got = model.cd_step(v, u_h, u_v, chain_start=chain)
    assert np.array_equal(_numpy(got.negative_visible), expected.negative_visible)
    for new, old, gradient in zip(model.get_weights(), weights, expected, strict=False):
        assert np.max(np.abs(new - (old + 0.1 * gradient))) < 1e-5
    # fit: the chains move, are not weights, and survive a save and load
    x = _binary(rng, 40, 7).astype(np.float32)
    persistent = RBM(4, seed=2, persistent_chains=16)
    persistent.compile(optimizer=keras.optimizers.SGD(0.1))
    persistent.fit(x, epochs=2, batch_size=16, verbose=0)
    assert len(persistent.get_weights()) == 3
    chains = _numpy(persistent.chains)
    assert chains.shape == (16, 7) and chains.any()
    assert set(np.unique(chains)) <= {0.0, 1.0}
    path = tmp_path / "persistent.keras"
    persistent.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.persistent_chains == 16
    assert np.array_equal(_numpy(loaded.chains), chains)
    assert RBM(3).chains is None


def test_keras_probabilities_and_free_energy_equal_numpy() -> None:
    rng = np.random.default_rng(5)
    weights = _random_rbm(rng, 8, 5)
    model = _keras_rbm(weights)
    v, h = _binary(rng, 7, 8).astype(np.float32), _binary(rng, 7, 5).astype(np.float32)
    assert np.allclose(model(v), ref.hidden_probabilities(v, weights), atol=1e-5)
    assert np.allclose(
        model.visible_probabilities(h), ref.visible_probabilities(h, weights), atol=1e-5
    )
    assert np.allclose(model.free_energy(v), ref.free_energy(v, weights), atol=1e-5)


def test_fit_builds_trains_and_logs_the_free_energy_gap() -> None:
    rng = np.random.default_rng(6)
    prototypes = _binary(rng, 3, 20)
    x = prototypes[rng.integers(0, 3, 300)]
    x = np.abs(x - (rng.random(x.shape) < 0.05)).astype(np.float32)
    model = RBM(8, seed=1)
    model.compile(optimizer=keras.optimizers.SGD(0.2))
    history = model.fit(
        x,
        epochs=8,
        batch_size=10,
        verbose=0,
        callbacks=[FreeEnergyGap(x[:50], x[50:100])],
    )
    assert model.built and model.visible_units == 20
    errors = history.history["reconstruction_error"]
    assert errors[-1] < errors[0]
    assert len(history.history["free_energy_gap"]) == 8
    assert model.evaluate(x, verbose=0) < errors[0]


def test_round_trip_keeps_config_trainability_dtype_and_random_stream(tmp_path) -> None:
    rng = np.random.default_rng(7)
    x = _binary(rng, 40, 6).astype(np.float32)
    model = RBM(4, k=2, seed=3, name="rbm_under_test")
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    model.fit(x, epochs=1, batch_size=8, verbose=0, shuffle=False)
    model.trainable = False
    path = tmp_path / "rbm.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded, RBM)
    assert loaded.get_config() == model.get_config()
    assert not loaded.trainable and loaded.name == "rbm_under_test"
    assert loaded.dtype_policy.name == "float32"
    for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True):
        assert np.array_equal(a, b)
    assert np.array_equal(
        _numpy(loaded.seed_generator.state), _numpy(model.seed_generator.state)
    )
    # The loaded model continues the stream: its next epoch equals the original's.
    for rbm in (model, loaded):
        rbm.trainable = True
        rbm.compile(optimizer=keras.optimizers.SGD(0.1))
        rbm.fit(x, epochs=1, batch_size=8, verbose=0, shuffle=False)
    for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True):
        assert np.allclose(a, b, atol=1e-6)
    fresh = RBM(4, k=2, seed=3)
    fresh.compile(optimizer=keras.optimizers.SGD(0.1))
    fresh.fit(x, epochs=1, batch_size=8, verbose=0, shuffle=False)
    assert not np.array_equal(
        _numpy(fresh.seed_generator.state), _numpy(loaded.seed_generator.state)
    )


def test_float64_rbm_trains_and_matches_numpy_closely() -> None:
    rng = np.random.default_rng(8)
    weights = _random_rbm(rng, 6, 4)
    model = _keras_rbm(weights, dtype="float64")
    assert model.kernel.dtype == "float64"
    v = _binary(rng, 5, 6)
    assert np.allclose(model(v), ref.hidden_probabilities(v, weights), atol=1e-12)
    u_h, u_v = rng.random((5, 1, 4)), rng.random((5, 1, 6))
    model.cd_step(v, u_h, u_v)
    expected = ref.cd_update(
        v, weights, hidden_uniforms=u_h, visible_uniforms=u_v, learning_rate=0.1
    )
    for got, want in zip(model.get_weights(), expected, strict=True):
        assert np.allclose(got, want, atol=1e-12)
    model.fit(v, epochs=2, batch_size=5, verbose=0)


def test_mixed_precision_calls_in_float16_and_trains_float32_weights() -> None:
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = RBM(4, seed=0)
        x = _binary(np.random.default_rng(9), 32, 6).astype(np.float32)
        model.compile(optimizer=keras.optimizers.SGD(0.1))
        history = model.fit(x, epochs=2, batch_size=8, verbose=0)
        assert model.kernel.dtype == "float32"
        assert keras.backend.standardize_dtype(model(x).dtype) == "float16"
        assert np.all(np.isfinite(history.history["reconstruction_error"]))
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_compute_output_shape() -> None:
    assert RBM(7).compute_output_shape((None, 12)) == (None, 7)
    assert RBM(3).compute_output_spec(keras.KerasTensor((5, 4))).shape == (5, 3)


def test_classifier_from_rbms_copies_weights_and_computes_hidden_probabilities() -> (
    None
):
    rng = np.random.default_rng(10)
    lower = _keras_rbm(_random_rbm(rng, 10, 6))
    upper = _keras_rbm(_random_rbm(rng, 6, 4))
    model = classifier_from_rbms([lower, upper], 3)
    v = _binary(rng, 5, 10).astype(np.float32)
    features = keras.Model(model.input, model.get_layer("hidden_2").output)(v)
    assert np.allclose(features, upper(lower(v)), atol=1e-6)
    random_model = classifier_from_rbms([lower, upper], 3, pretrained=False)
    assert not np.allclose(
        random_model.get_layer("hidden_1").get_weights()[0], _numpy(lower.kernel)
    )
    assert model.count_params() == 10 * 6 + 6 + 6 * 4 + 4 + 4 * 3 + 3


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: RBM(0), "units"),
        (lambda: RBM(10**9), "units"),
        (lambda: RBM(3, k=0), "`k`"),
        (lambda: RBM(3, k=1.5), "`k`"),
        (lambda: RBM(3, seed=-1), "seed"),
        (lambda: RBM(3, persistent_chains=0), "persistent_chains"),
        (lambda: RBM(3, persistent_chains=10**9), "persistent_chains"),
        (lambda: RBM(3).build((None, 4, 5)), "input_shape"),
        (lambda: FreeEnergyGap(np.ones((3, 4)), np.ones((3, 5))), "heldout_sample"),
        (
            lambda: FreeEnergyGap(np.full((3, 4), np.nan), np.ones((3, 4))),
            "train_sample",
        ),
        (lambda: classifier_from_rbms([], 10), "rbms"),
        (lambda: classifier_from_rbms([RBM(3)], 10), r"rbms\[0\].*built"),
    ],
)
def test_bad_inputs_name_the_parameter(call, match: str) -> None:
    with pytest.raises((TypeError, ValueError), match=match):
        call()


def test_classifier_rejects_mismatched_stack_and_uncompiled_cd_step() -> None:
    rng = np.random.default_rng(11)
    lower = _keras_rbm(_random_rbm(rng, 10, 6))
    upper = _keras_rbm(_random_rbm(rng, 5, 4))
    with pytest.raises(ValueError, match=r"rbms\[1\]"):
        classifier_from_rbms([lower, upper], 3)
    with pytest.raises(ValueError, match="classes"):
        classifier_from_rbms([lower], 1)
    bare = RBM(3)
    bare.build((None, 4))
    with pytest.raises(ValueError, match="compile"):
        bare.cd_step(np.ones((1, 4)), np.ones((1, 1, 3)), np.ones((1, 1, 4)))
