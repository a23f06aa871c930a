"""Chapter 5's Keras parts (DSNModule, DeepStackingNetwork) against the layer contract.

Keras's layer test harness, equality with the NumPy reference to 1e-5, the analytic
lower-weight gradient against automatic differentiation, shards, a ``.keras`` round trip
(configuration, trainability, dtype, seed), float64, mixed precision,
``compute_output_shape`` and bad arguments.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse.reference import dsn as reference

pytestmark = pytest.mark.dsn

keras = pytest.importorskip("keras")
from keras.src import testing  # noqa: E402

from dlcourse.keras_parts import dsn as dsn_keras  # noqa: E402


def _data(n, d, outputs, seed):
    rng = np.random.default_rng(seed)
    x = rng.random((n, d)).astype(np.float32)
    targets = reference.one_hot(rng.integers(0, outputs, size=n), outputs)
    return x, targets.astype(np.float32)


def _as_reference(model) -> list[reference.DSNModuleWeights]:
    return [
        reference.DSNModuleWeights(
            *(w.astype(np.float64) for w in module.get_weights())
        )
        for module in model.stack
    ]


def _numpy(tensor) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(tensor), dtype=np.float64)


class TestDSNModuleHarness(testing.TestCase):
    """Keras's run_layer_test: build, call, serialization, mixed precision."""

    def test_layer_contract(self) -> None:
        self.run_layer_test(
            dsn_keras.DSNModule,
            init_kwargs={"units": 6, "outputs": 3, "lam": 0.5, "seed": 1},
            input_shape=(4, 5),
            expected_output_shape=(4, 3),
            expected_num_trainable_weights=2,
            expected_num_non_trainable_weights=1,
            expected_num_seed_generators=0,
            supports_masking=False,
            custom_objects={"DSNModule": dsn_keras.DSNModule},
        )


def test_weights_carry_the_reference_names_in_order():
    module = dsn_keras.DSNModule(6, 3, seed=0)
    module.build((None, 5))
    names = [weight.name for weight in module.weights]
    assert names == list(reference.DSNModuleWeights._fields)
    assert [w.shape for w in module.get_weights()] == [(5, 6), (6,), (6, 3)]
    assert [w.name for w in module.trainable_weights] == ["kernel", "bias"]


@settings(max_examples=6, deadline=None)
@given(
    n=st.integers(20, 80),
    d=st.integers(2, 12),
    units=st.integers(2, 16),
    outputs=st.integers(2, 4),
    modules=st.integers(1, 3),
    lam=st.floats(0.01, 5.0),
    seed=st.integers(0, 50),
)
def test_keras_stack_matches_numpy(n, d, units, outputs, modules, lam, seed):
    x, targets = _data(n, d, outputs, seed)
    model = dsn_keras.DeepStackingNetwork(
        d, outputs, units, modules, lam=lam, weight_scale=2.0, seed=seed
    )
    model.fit_modules(x, targets)
    weights = _as_reference(model)
    numpy_outputs = reference.predict_dsn(x, weights)
    for got, want in zip(model.all_outputs(x), numpy_outputs, strict=True):
        assert np.max(np.abs(_numpy(got) - want)) < 1e-5
    # the closed form in Keras equals the NumPy closed form on the same stacked input
    module_x = reference.stacked_input(x, numpy_outputs[:-1])
    h = reference.hidden_layer(module_x, weights[-1].kernel, weights[-1].bias)
    upper = reference.upper_weights(h, targets, lam)
    assert np.max(np.abs(h @ upper - numpy_outputs[-1])) < 1e-4


def test_analytic_gradient_equals_autodiff_through_the_solve_and_numpy():
    x, targets = _data(50, 6, 3, 1)
    module = dsn_keras.DSNModule(
        8, 3, lam=0.5, weight_scale=2.0, seed=3, dtype="float64"
    )
    module.build((None, 6))
    through = module.autodiff_lower_gradient(x, targets, through_solve=True)
    constant = module.autodiff_lower_gradient(x, targets, through_solve=False)
    analytic = module.lower_gradient(x, targets)
    kernel, bias, _ = module.get_weights()
    numpy_gradient = reference.lower_gradient(x, targets, kernel, bias, 0.5)
    assert isinstance(through, reference.LowerGradient)
    assert np.max(np.abs(through.kernel - constant.kernel)) < 1e-10
    assert np.max(np.abs(through.kernel - numpy_gradient.kernel)) < 1e-10
    assert np.max(np.abs(through.bias - numpy_gradient.bias)) < 1e-10
    assert np.max(np.abs(_numpy(analytic.kernel) - numpy_gradient.kernel)) < 1e-10
    assert np.max(np.abs(_numpy(analytic.bias) - numpy_gradient.bias)) < 1e-10


def test_keras_refinement_matches_numpy_refinement():
    x, targets = _data(60, 5, 3, 2)
    model = dsn_keras.DeepStackingNetwork(5, 3, 6, 1, lam=0.2, weight_scale=2.0, seed=0)
    model.build()
    module = model.stack[0]
    kernel, bias, _ = (w.astype(np.float64) for w in module.get_weights())
    before = float(module.objective(x, targets))
    module.refine_lower(x, targets, 5, 3.0)
    assert float(module.objective(x, targets)) < before
    for _ in range(5):
        gradient = reference.lower_gradient(x, targets, kernel, bias, 0.2)
        kernel = kernel - 3.0 * gradient.kernel / 60
        bias = bias - 3.0 * gradient.bias / 60
    got_kernel, got_bias, _ = module.get_weights()
    assert np.max(np.abs(got_kernel - kernel)) < 1e-5
    assert np.max(np.abs(got_bias - bias)) < 1e-5


def test_shard_statistics_equal_the_full_batch():
    import tensorflow as tf

    x, targets = _data(101, 6, 3, 4)
    module = dsn_keras.DSNModule(10, 3, lam=0.1, seed=1)
    module.solve_upper(x, targets)
    full_upper = module.get_weights()[2]
    gram, cross = np.zeros((10, 10)), np.zeros((10, 3))
    dataset = tf.data.Dataset.from_tensor_slices((x, targets))
    for index in range(4):
        for x_shard, t_shard in dataset.shard(4, index).batch(1000):
            statistics = module.statistics(x_shard, t_shard)
            gram = gram + _numpy(statistics.gram)
            cross = cross + _numpy(statistics.cross)
    module.set_upper_from_statistics(gram, cross)
    assert np.max(np.abs(module.get_weights()[2] - full_upper)) < 1e-6


def test_compute_output_shape_agrees_with_call():
    x, targets = _data(7, 5, 3, 0)
    module = dsn_keras.DSNModule(4, 3, seed=0)
    assert module.compute_output_shape((None, 5)) == (None, 3)
    assert tuple(module(x).shape) == module.compute_output_shape(x.shape)
    model = dsn_keras.DeepStackingNetwork(5, 3, 4, 2)
    assert model.compute_output_shape((7, 5)) == (7, 3)
    assert tuple(model(x).shape) == (7, 3)
    symbolic = module.compute_output_spec(keras.KerasTensor((None, 5)))
    assert tuple(symbolic.shape) == (None, 3)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_keras_round_trip_keeps_config_trainability_dtype_and_seed(tmp_path, dtype):
    x, targets = _data(40, 5, 3, 5)
    model = dsn_keras.DeepStackingNetwork(
        5, 3, 7, 2, lam=0.3, seed=2, dtype=dtype, name="stack_under_test"
    )
    model.fit_modules(x, targets, refine_steps=2, learning_rate=1.0)
    model.trainable = False
    path = tmp_path / "dsn.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded, dsn_keras.DeepStackingNetwork)
    assert loaded.get_config() == model.get_config()
    assert loaded.name == "stack_under_test" and loaded.seed == 2
    assert not loaded.trainable and loaded.trainable_weights == []
    assert loaded.dtype_policy.name == dtype
    assert all(module.dtype_policy.name == dtype for module in loaded.stack)
    assert all(w.dtype == dtype for w in loaded.weights)
    assert np.allclose(_numpy(loaded(x)), _numpy(model(x)), atol=1e-7)
    config = model.stack[0].get_config()
    module = dsn_keras.DSNModule.from_config(config)
    assert module.get_config() == config
    assert config["trainable"] is False and config["seed"] == 2


def test_a_seeded_module_draws_the_same_lower_weights_again():
    first = dsn_keras.DSNModule(6, 3, seed=4)
    first.build((None, 5))
    again = dsn_keras.DSNModule.from_config(first.get_config())
    again.build((None, 5))
    assert np.array_equal(first.get_weights()[0], again.get_weights()[0])


def test_float64_module_matches_numpy_to_rounding():
    x, targets = _data(30, 4, 3, 6)
    module = dsn_keras.DSNModule(5, 3, lam=0.2, seed=1, dtype="float64")
    module.solve_upper(x, targets)
    weights = reference.DSNModuleWeights(*module.get_weights())
    assert all(w.dtype == np.float64 for w in weights)
    expected = reference.module_output(x, weights)
    assert np.max(np.abs(_numpy(module(x)) - expected)) < 1e-12


def test_mixed_precision_computes_in_float16_and_keeps_float32_weights():
    x, targets = _data(30, 4, 3, 7)
    policy = keras.mixed_precision.dtype_policy()
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    try:
        model = dsn_keras.DeepStackingNetwork(4, 3, 5, 2, lam=0.5, seed=0)
        model.fit_modules(x, targets, refine_steps=1)
        output = model(x)
        reference_outputs = reference.predict_dsn(x, _as_reference(model))
    finally:
        keras.mixed_precision.set_dtype_policy(policy)
    assert output.dtype == "float16"
    assert all(w.dtype == "float32" for w in model.weights)
    assert np.max(np.abs(_numpy(output) - reference_outputs[-1])) < 5e-2


BAD_CALLS = [
    (ValueError, "units", lambda: dsn_keras.DSNModule(0, 3)),
    (ValueError, "units", lambda: dsn_keras.DSNModule(10**7, 3)),
    (ValueError, "lam", lambda: dsn_keras.DSNModule(4, 3, lam=-1.0)),
    (ValueError, "lam", lambda: dsn_keras.DSNModule(4, 3, lam=float("nan"))),
    (TypeError, "outputs", lambda: dsn_keras.DSNModule(4, "3")),
    (ValueError, "weight_scale", lambda: dsn_keras.DSNModule(4, 3, weight_scale=0.0)),
    (ValueError, "seed", lambda: dsn_keras.DSNModule(4, 3, seed=-1)),
    (ValueError, "num_modules", lambda: dsn_keras.DeepStackingNetwork(5, 3, 4, 0)),
    (ValueError, "num_modules", lambda: dsn_keras.DeepStackingNetwork(5, 3, 4, 10**4)),
    (ValueError, "input_dim", lambda: dsn_keras.DeepStackingNetwork(0, 3, 4, 1)),
]


@pytest.mark.parametrize(("error", "pattern", "call"), BAD_CALLS)
def test_constructors_refuse_bad_arguments(error, pattern, call):
    with pytest.raises(error, match=pattern):
        call()


def test_training_methods_refuse_bad_arguments():
    model = dsn_keras.DeepStackingNetwork(5, 3, 4, 1)
    x, targets = _data(10, 5, 3, 0)
    with pytest.raises(ValueError, match="input_dim"):
        model.fit_modules(x[:, :4], targets)
    with pytest.raises(ValueError, match="targets"):
        model.fit_modules(x, targets[:, :2])
    with pytest.raises(ValueError, match="`x` and `targets`"):
        model.fit_modules(x, targets[:5])
    with pytest.raises(ValueError, match="finite"):
        model.fit_modules(x * np.nan, targets)
    with pytest.raises(ValueError, match="empty"):
        model.fit_modules(x[:0], targets[:0])
    with pytest.raises(TypeError, match="`x`"):
        model.fit_modules("digits", targets)
    with pytest.raises(ValueError, match="refine_steps"):
        model.fit_modules(x, targets, refine_steps=-2)
    model.build()
    with pytest.raises(ValueError, match="learning_rate"):
        model.stack[0].refine_lower(x, targets, 1, 0.0)
    with pytest.raises(ValueError, match="steps"):
        model.stack[0].refine_lower(x, targets, 10**9, 1.0)
    with pytest.raises(ValueError, match="5 columns"):
        model.stack[0].solve_upper(x[:, :3], targets)


def _fit_closed_form(model, x, targets, batch_size, epochs=None):
    model.compile()
    model.fit(
        x,
        targets,
        batch_size=batch_size,
        epochs=model.epochs_needed if epochs is None else epochs,
        callbacks=[dsn_keras.SolveAtEpochEnd()],
        shuffle=False,
        verbose=0,
    )
    return reference.DSNModuleWeights(
        *(np.asarray(w, np.float64) for w in model.module.get_weights())
    )


@pytest.mark.parametrize(("dtype", "tolerance"), [("float64", 1e-9), ("float32", 1e-5)])
def test_fit_on_batches_gives_the_full_batch_closed_form(dtype, tolerance):
    x, targets = _data(230, 6, 3, 11)
    model = dsn_keras.ClosedFormModule(6, 8, 3, lam=0.4, seed=3, dtype=dtype)
    weights = _fit_closed_form(model, x, targets, batch_size=64)  # a short last batch
    h = reference.hidden_layer(x.astype(np.float64), weights.kernel, weights.bias)
    expected = reference.upper_weights(h, targets.astype(np.float64), 0.4)
    assert np.max(np.abs(weights.upper - expected)) < tolerance
    assert float(_numpy(model.samples)) == len(x)
    output = _numpy(model.predict(x, verbose=0))
    assert np.max(np.abs(output - h @ expected)) < tolerance


def test_more_epochs_repeat_the_same_solve():
    x, targets = _data(90, 4, 3, 12)
    once = _fit_closed_form(
        dsn_keras.ClosedFormModule(4, 5, 3, seed=1, dtype="float64"), x, targets, 32
    )
    thrice = _fit_closed_form(
        dsn_keras.ClosedFormModule(4, 5, 3, seed=1, dtype="float64"),
        x,
        targets,
        32,
        epochs=3,
    )
    assert np.max(np.abs(once.upper - thrice.upper)) < 1e-12


def test_fit_refinement_matches_the_numpy_refinement():
    x, targets = _data(150, 5, 3, 13)
    x, targets = x.astype(np.float64), targets.astype(np.float64)
    steps, rate, lam = 3, 4.0, 0.3
    model = dsn_keras.ClosedFormModule(
        5, 6, 3, lam=lam, seed=2, refine_steps=steps, learning_rate=rate,
        dtype="float64",
    )  # fmt: skip
    kernel, bias, _ = (np.asarray(w) for w in model.module.get_weights())
    weights = _fit_closed_form(model, x, targets, batch_size=40)
    assert model.epochs_needed == 2 * steps + 1
    for _ in range(steps):
        gradient = reference.lower_gradient(x, targets, kernel, bias, lam)
        kernel = kernel - rate * gradient.kernel / len(x)
        bias = bias - rate * gradient.bias / len(x)
    upper = reference.upper_weights(
        reference.hidden_layer(x, kernel, bias), targets, lam
    )
    assert np.max(np.abs(weights.kernel - kernel)) < 1e-9
    assert np.max(np.abs(weights.bias - bias)) < 1e-9
    assert np.max(np.abs(weights.upper - upper)) < 1e-7


def test_closed_form_module_round_trip(tmp_path):
    x, targets = _data(60, 4, 3, 14)
    model = dsn_keras.ClosedFormModule(
        4, 5, 3, lam=0.2, seed=7, refine_steps=1, learning_rate=2.0, name="fitted"
    )
    _fit_closed_form(model, x, targets, batch_size=16)
    path = tmp_path / "closed_form.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded, dsn_keras.ClosedFormModule)
    assert loaded.get_config() == model.get_config() and loaded.name == "fitted"
    assert np.allclose(_numpy(loaded(x)), _numpy(model(x)), atol=1e-7)


CLOSED_FORM_BAD_CALLS = [
    (ValueError, "input_dim", lambda: dsn_keras.ClosedFormModule(0, 4, 3)),
    (TypeError, "input_dim", lambda: dsn_keras.ClosedFormModule(2.5, 4, 3)),
    (ValueError, "units", lambda: dsn_keras.ClosedFormModule(5, 0, 3)),
    (ValueError, "lam", lambda: dsn_keras.ClosedFormModule(5, 4, 3, lam=-1.0)),
    (
        ValueError,
        "refine_steps",
        lambda: dsn_keras.ClosedFormModule(5, 4, 3, refine_steps=-1),
    ),
    (
        ValueError,
        "learning_rate",
        lambda: dsn_keras.ClosedFormModule(5, 4, 3, learning_rate=0.0),
    ),
]


@pytest.mark.parametrize(("error", "pattern", "call"), CLOSED_FORM_BAD_CALLS)
def test_closed_form_module_refuses_bad_arguments(error, pattern, call):
    with pytest.raises(error, match=pattern):
        call()


def test_solve_at_epoch_end_refuses_another_model():
    x, targets = _data(20, 4, 3, 15)
    inputs = keras.Input(shape=(4,))
    other = keras.Model(inputs, keras.layers.Dense(3)(inputs))
    other.compile(optimizer="sgd", loss="mse")
    with pytest.raises(TypeError, match="SolveAtEpochEnd drives a ClosedFormModule"):
        other.fit(x, targets, callbacks=[dsn_keras.SolveAtEpochEnd()], verbose=0)
