"""Chapter 5 (deep stacking networks): the Keras layers against the NumPy reference, saving, shards."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse.keras_parts import dsn as dsn_keras
from dlcourse.reference import dsn as reference


def _data(n, d, outputs, seed):
    rng = np.random.default_rng(seed)
    x = rng.random((n, d)).astype(np.float32)
    targets = reference.one_hot(rng.integers(0, outputs, size=n), outputs).astype(
        np.float32
    )
    return x, targets


def _as_reference(
    model: dsn_keras.DeepStackingNetwork,
) -> list[reference.ModuleWeights]:
    return [
        reference.ModuleWeights(*(w.astype(np.float64) for w in module.get_weights()))
        for module in model.stack
    ]


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
    keras_outputs = [keras.ops.convert_to_numpy(o) for o in model.all_outputs(x)]
    numpy_outputs = reference.predict_dsn(x, weights)
    for got, want in zip(keras_outputs, numpy_outputs, strict=True):
        assert np.max(np.abs(got - want)) < 1e-5
    # the closed form in Keras equals the NumPy closed form on the same stacked input
    module_x = reference.stacked_input(x, numpy_outputs[:-1])
    hidden = reference.hidden_layer(module_x, weights[-1].w, weights[-1].b)
    u = reference.upper_weights(hidden, targets, lam)
    assert np.max(np.abs(hidden @ u - numpy_outputs[-1])) < 1e-4


def test_gradient_through_the_solve_equals_the_envelope_gradient_and_numpy():
    x, targets = _data(50, 6, 3, 1)
    module = dsn_keras.DSNModule(
        8, 3, lam=0.5, weight_scale=2.0, seed=3, dtype="float64"
    )
    module.build((None, 6))
    through = module.lower_gradients(x, targets, through_solve=True)
    constant = module.lower_gradients(x, targets, through_solve=False)
    kernel, bias, _ = module.get_weights()
    grad_w, grad_b, _ = reference.lower_gradient(
        x.astype(np.float64), targets, kernel, bias, 0.5
    )
    assert np.max(np.abs(through[0] - constant[0])) < 1e-10
    assert (
        np.max(np.abs(through[0] - grad_w)) < 1e-10
        and np.max(np.abs(through[1] - grad_b)) < 1e-10
    )


def test_keras_refinement_matches_numpy_refinement():
    x, targets = _data(60, 5, 3, 2)
    model = dsn_keras.DeepStackingNetwork(5, 3, 6, 1, lam=0.2, weight_scale=2.0, seed=0)
    model.build()
    start = [w.astype(np.float64) for w in model.stack[0].get_weights()]
    values = model.stack[0].refine_lower(x, targets, 5, 3.0)
    assert values[-1] < values[0]
    w, b = start[0], start[1]
    for _ in range(5):
        grad_w, grad_b, _ = reference.lower_gradient(
            x.astype(np.float64), targets, w, b, 0.2
        )
        w, b = w - 3.0 * grad_w / 60, b - 3.0 * grad_b / 60
    kernel, bias, _ = model.stack[0].get_weights()
    assert np.max(np.abs(kernel - w)) < 1e-5 and np.max(np.abs(bias - b)) < 1e-5


def test_shard_statistics_equal_the_full_batch(tmp_path):
    import tensorflow as tf

    x, targets = _data(101, 6, 3, 4)
    module = dsn_keras.DSNModule(10, 3, lam=0.1, seed=1)
    module.solve_upper(x, targets)
    full_upper = module.get_weights()[2]
    gram = np.zeros((10, 10))
    cross = np.zeros((10, 3))
    dataset = tf.data.Dataset.from_tensor_slices((x, targets))
    for index in range(4):
        for xb, tb in dataset.shard(4, index).batch(1000):
            g, c = module.statistics(xb, tb)
            gram, cross = gram + g.numpy(), cross + c.numpy()
    module.set_upper_from_statistics(gram, cross)
    assert np.max(np.abs(module.get_weights()[2] - full_upper)) < 1e-6


def test_save_and_load_round_trip(tmp_path):
    x, targets = _data(40, 5, 3, 5)
    model = dsn_keras.DeepStackingNetwork(5, 3, 7, 2, lam=0.3, seed=2)
    model.fit_modules(x, targets, refine_steps=2, learning_rate=1.0)
    path = tmp_path / "dsn.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded, dsn_keras.DeepStackingNetwork)
    assert loaded.get_config()["num_modules"] == 2 and loaded.lam == pytest.approx(0.3)
    assert np.allclose(
        keras.ops.convert_to_numpy(loaded(x)),
        keras.ops.convert_to_numpy(model(x)),
        atol=1e-7,
    )
    module = dsn_keras.DSNModule.from_config(model.stack[0].get_config())
    assert module.units == 7 and module.outputs == 3


def test_keras_bad_inputs():
    with pytest.raises(ValueError, match="units"):
        dsn_keras.DSNModule(0, 3)
    with pytest.raises(ValueError, match="lam"):
        dsn_keras.DSNModule(4, 3, lam=-1.0)
    with pytest.raises(TypeError, match="outputs"):
        dsn_keras.DSNModule(4, "3")
    with pytest.raises(ValueError, match="num_modules"):
        dsn_keras.DeepStackingNetwork(5, 3, 4, 0)
    model = dsn_keras.DeepStackingNetwork(5, 3, 4, 1)
    x, targets = _data(10, 5, 3, 0)
    with pytest.raises(ValueError, match="input_dim"):
        model.fit_modules(x[:, :4], targets)
    with pytest.raises(ValueError, match="targets"):
        model.fit_modules(x, targets[:, :2])
    with pytest.raises(ValueError, match="x"):
        model.fit_modules(x, targets[:5])
    with pytest.raises(ValueError, match="refine_steps"):
        model.fit_modules(x, targets, refine_steps=-2)
    with pytest.raises(ValueError, match="learning_rate"):
        model.stack[0].refine_lower(x, targets, 1, 0.0)
