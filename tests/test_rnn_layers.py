"""The Jordan cell of the recurrent-network chapter: equal to the NumPy reference, masking, save and load."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse.reference import rnn as reference

keras = pytest.importorskip("keras")
from dlcourse.keras_parts.jordan import JordanCell  # noqa: E402


def _jordan_model(output_activation: str = "linear") -> keras.Model:
    keras.utils.set_random_seed(0)
    inputs = keras.Input((None, 3))
    masked = keras.layers.Masking(0.0)(inputs)
    outputs = keras.layers.RNN(
        JordanCell(5, 2, output_activation=output_activation), return_sequences=True
    )(masked)
    return keras.Model(inputs, outputs)


@pytest.mark.parametrize("output_activation", ["linear", "softmax"])
def test_jordan_cell_equals_reference(output_activation: str) -> None:
    model = _jordan_model(output_activation)
    weights = model.layers[-1].get_weights()
    assert [w.shape for w in weights] == [(3, 5), (2, 5), (5,), (5, 2), (2,)]
    x = np.random.default_rng(0).normal(size=(4, 6, 3)).astype(np.float32)
    params = reference.JordanParameters(*[w.astype(np.float64) for w in weights])
    _, expected = reference.jordan_forward(
        x, params, output_activation=output_activation
    )
    assert np.max(np.abs(keras.ops.convert_to_numpy(model(x)) - expected)) <= 1e-5


def test_masked_padding_does_not_change_the_last_output() -> None:
    inputs = keras.Input((None, 3))
    masked = keras.layers.Masking(0.0)(inputs)
    model = keras.Model(inputs, keras.layers.RNN(JordanCell(5, 2))(masked))
    x = np.random.default_rng(1).normal(size=(1, 4, 3)).astype(np.float32)
    padded = np.concatenate([x, np.zeros((1, 3, 3), np.float32)], axis=1)
    assert np.allclose(
        keras.ops.convert_to_numpy(model(x)),
        keras.ops.convert_to_numpy(model(padded)),
        atol=1e-6,
    )


def test_jordan_model_saves_and_loads(tmp_path) -> None:
    model = _jordan_model("softmax")
    x = np.random.default_rng(2).normal(size=(2, 4, 3)).astype(np.float32)
    path = tmp_path / "jordan.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert np.allclose(
        keras.ops.convert_to_numpy(loaded(x)),
        keras.ops.convert_to_numpy(model(x)),
        atol=1e-6,
    )
    cell = loaded.layers[-1].cell
    assert (
        isinstance(cell, JordanCell)
        and cell.get_config()["output_activation"] == "softmax"
    )


def test_jordan_cell_trains() -> None:
    model = _jordan_model()
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    rng = np.random.default_rng(3)
    x = rng.normal(size=(32, 5, 3)).astype(np.float32)
    y = np.cumsum(x[..., :2], axis=1).astype(np.float32) * 0.3
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=20, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before


def test_bad_arguments_name_the_parameter() -> None:
    with pytest.raises(ValueError, match="`units`"):
        JordanCell(0, 2)
    with pytest.raises(TypeError, match="`output_units`"):
        JordanCell(4, 2.5)
    with pytest.raises(ValueError, match="`output_activation`"):
        JordanCell(4, 2, output_activation="gelu")
    with pytest.raises(TypeError, match="`activation`"):
        JordanCell(4, 2, activation=3)
