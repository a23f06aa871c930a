"""The Jordan cell of the recurrent-network chapter against the Keras layer contract.

Keras's own layer test harness, equality with the NumPy reference, masking, a
``.keras`` round trip (configuration, trainability, dtype), float64, mixed precision,
``compute_output_shape`` and bad arguments.
"""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse.reference import rnn as reference

pytestmark = pytest.mark.rnn

keras = pytest.importorskip("keras")
from keras.src import testing  # noqa: E402

from dlcourse.keras_parts import sequence_classifiers as classifiers  # noqa: E402
from dlcourse.keras_parts.jordan import JordanCell  # noqa: E402

FEATURES, UNITS, OUTPUTS = 3, 5, 2


def _jordan_model(output_activation: str = "linear", **cell_options) -> keras.Model:
    keras.utils.set_random_seed(0)
    inputs = keras.Input((None, FEATURES))
    masked = keras.layers.Masking(0.0)(inputs)
    cell = JordanCell(
        UNITS, OUTPUTS, output_activation=output_activation, **cell_options
    )
    outputs = keras.layers.RNN(cell, return_sequences=True)(masked)
    return keras.Model(inputs, outputs)


class TestJordanCellHarness(testing.TestCase):
    """Keras's run_layer_test: build, call, serialization, training, mixed precision."""

    def test_layer_contract(self) -> None:
        self.run_layer_test(
            keras.layers.RNN,
            init_kwargs={"cell": JordanCell(UNITS, OUTPUTS), "return_sequences": True},
            input_shape=(4, 6, FEATURES),
            expected_output_shape=(4, 6, OUTPUTS),
            expected_num_trainable_weights=5,
            expected_num_non_trainable_weights=0,
            supports_masking=True,
            custom_objects={"JordanCell": JordanCell},
        )


@pytest.mark.parametrize("output_activation", ["linear", "softmax"])
def test_jordan_cell_equals_reference(output_activation: str) -> None:
    model = _jordan_model(output_activation)
    weights = model.layers[-1].get_weights()
    assert [w.shape for w in weights] == [(3, 5), (2, 5), (5,), (5, 2), (2,)]
    x = np.random.default_rng(0).normal(size=(4, 6, FEATURES)).astype(np.float32)
    jordan = reference.JordanWeights(*[w.astype(np.float64) for w in weights])
    expected = reference.jordan_sequence(
        x, jordan, output_activation=output_activation
    ).outputs
    assert np.max(np.abs(keras.ops.convert_to_numpy(model(x)) - expected)) <= 1e-5


def test_masked_padding_does_not_change_the_last_output() -> None:
    inputs = keras.Input((None, FEATURES))
    masked = keras.layers.Masking(0.0)(inputs)
    model = keras.Model(inputs, keras.layers.RNN(JordanCell(UNITS, OUTPUTS))(masked))
    x = np.random.default_rng(1).normal(size=(1, 4, FEATURES)).astype(np.float32)
    padded = np.concatenate([x, np.zeros((1, 3, FEATURES), np.float32)], axis=1)
    assert np.allclose(
        keras.ops.convert_to_numpy(model(x)),
        keras.ops.convert_to_numpy(model(padded)),
        atol=1e-6,
    )


def test_keras_file_round_trip_keeps_config_trainability_and_dtype(tmp_path) -> None:
    model = _jordan_model("softmax", activation="relu", name="jordan_cell_under_test")
    model.layers[-1].trainable = False
    x = np.random.default_rng(2).normal(size=(2, 4, FEATURES)).astype(np.float32)
    path = tmp_path / "jordan.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert np.allclose(
        keras.ops.convert_to_numpy(loaded(x)),
        keras.ops.convert_to_numpy(model(x)),
        atol=1e-6,
    )
    cell = loaded.layers[-1].cell
    original = model.layers[-1].cell
    assert isinstance(cell, JordanCell)
    assert cell.get_config() == original.get_config()
    assert cell.get_config()["output_activation"] == "softmax"
    assert cell.get_config()["activation"] == "relu"
    assert loaded.layers[-1].trainable is False
    assert cell.dtype == original.dtype == "float32"
    assert len(loaded.trainable_weights) == 0


def test_config_round_trip_rebuilds_the_same_cell() -> None:
    cell = JordanCell(4, 3, output_activation="sigmoid", dtype="float64")
    again = JordanCell.from_config(cell.get_config())
    assert again.get_config() == cell.get_config()
    assert again.dtype == "float64"


def test_float64() -> None:
    layer = keras.layers.RNN(
        JordanCell(UNITS, OUTPUTS, dtype="float64"), dtype="float64"
    )
    x = np.random.default_rng(5).normal(size=(2, 4, FEATURES))
    output = layer(x)
    assert keras.backend.standardize_dtype(output.dtype) == "float64"
    jordan = reference.JordanWeights(*layer.get_weights())
    expected = reference.jordan_sequence(x, jordan).outputs[:, -1]
    assert np.max(np.abs(keras.ops.convert_to_numpy(output) - expected)) <= 1e-12


def test_mixed_precision() -> None:
    keras.config.set_dtype_policy("mixed_float16")
    try:
        layer = keras.layers.RNN(JordanCell(UNITS, OUTPUTS), return_sequences=True)
        x = np.random.default_rng(6).normal(size=(2, 4, FEATURES)).astype(np.float32)
        output = layer(x)
        assert keras.backend.standardize_dtype(output.dtype) == "float16"
        assert all(w.dtype == "float32" for w in layer.weights)
        jordan = reference.JordanWeights(
            *[w.astype(np.float64) for w in layer.get_weights()]
        )
        expected = reference.jordan_sequence(x, jordan).outputs
        difference = keras.ops.convert_to_numpy(output).astype(np.float64) - expected
        assert np.max(np.abs(difference)) <= 1e-2  # float16 keeps about 3 digits
    finally:
        keras.config.set_dtype_policy("float32")


def test_compute_output_shape() -> None:
    cell = JordanCell(UNITS, OUTPUTS)
    assert cell.compute_output_shape((7, FEATURES)) == (7, OUTPUTS)
    layer = keras.layers.RNN(JordanCell(UNITS, OUTPUTS), return_sequences=True)
    assert layer.compute_output_shape((7, 9, FEATURES)) == (7, 9, OUTPUTS)
    symbolic = layer(keras.Input((9, FEATURES), batch_size=7))
    assert tuple(symbolic.shape) == (7, 9, OUTPUTS)


def test_jordan_cell_trains() -> None:
    model = _jordan_model()
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    rng = np.random.default_rng(3)
    x = rng.normal(size=(32, 5, FEATURES)).astype(np.float32)
    y = np.cumsum(x[..., :2], axis=1).astype(np.float32) * 0.3
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=20, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"units": 0, "output_units": 2}, ValueError, "`units` must be at least 1"),
        ({"units": 10**6, "output_units": 2}, ValueError, "`units` must be at most"),
        ({"units": 4, "output_units": 2.5}, TypeError, "`output_units` must be an"),
        (
            {"units": 4, "output_units": 2, "output_activation": "gelu"},
            ValueError,
            "`output_activation` must be one of",
        ),
        (
            {"units": 4, "output_units": 2, "activation": 3},
            TypeError,
            "`activation` must be a string",
        ),
        (
            {"units": 4, "output_units": 2, "activation": "softmax"},
            ValueError,
            "`activation` must be one of",
        ),
    ],
)
def test_bad_arguments_name_the_parameter(arguments, error, message) -> None:
    with pytest.raises(error, match=message):
        JordanCell(**arguments)


def test_build_without_features_fails_clearly() -> None:
    with pytest.raises(ValueError, match="`input_shape`"):
        JordanCell(4, 2).build((None, None))


# --- sequence classifiers and frame scaling ------------------------------------------


def _padded(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, 8, size=6)
    x = rng.normal(3.0, 5.0, size=(6, 8, FEATURES))
    x[np.arange(8)[None, :] >= lengths[:, None]] = 0.0
    return x, lengths


def test_standardised_frames_have_zero_mean_unit_spread_and_zero_padding() -> None:
    x, lengths = _padded()
    scaling = classifiers.frame_scaling(x, lengths)
    standardised = classifiers.standardise_frames(x, lengths, scaling)
    inside = np.arange(8)[None, :] < lengths[:, None]
    assert standardised.dtype == np.float32
    assert np.allclose(standardised[inside].mean(axis=0), 0.0, atol=1e-5)
    assert np.allclose(standardised[inside].std(axis=0), 1.0, atol=1e-5)
    assert np.all(standardised[~inside] == 0.0)


@pytest.mark.parametrize("kind", classifiers.KINDS)
def test_sequence_classifier_masks_padding(kind: str) -> None:
    keras.utils.set_random_seed(0)
    model = classifiers.sequence_classifier(kind, FEATURES, 4, units=6)
    x = np.random.default_rng(1).normal(size=(2, 5, FEATURES)).astype(np.float32)
    padded = np.concatenate([x, np.zeros((2, 3, FEATURES), np.float32)], axis=1)
    probabilities = keras.ops.convert_to_numpy(model(padded))
    assert probabilities.shape == (2, 4)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert np.allclose(probabilities, keras.ops.convert_to_numpy(model(x)), atol=1e-6)


def test_classifier_and_scaling_bad_input() -> None:
    x, lengths = _padded()
    scaling = classifiers.frame_scaling(x, lengths)
    with pytest.raises(ValueError, match="`kind` must be one of"):
        classifiers.sequence_classifier("lstm", FEATURES, 4)
    with pytest.raises(ValueError, match="`classes` must be at least 2"):
        classifiers.sequence_classifier("elman", FEATURES, 1)
    with pytest.raises(ValueError, match="`learning_rate` must be greater than 0"):
        classifiers.sequence_classifier("elman", FEATURES, 4, learning_rate=0.0)
    with pytest.raises(ValueError, match="`lengths` must lie between 1 and 8"):
        classifiers.frame_scaling(x, lengths + 10)
    with pytest.raises(ValueError, match="same number of rows"):
        classifiers.frame_scaling(x, lengths[:3])
    with pytest.raises(TypeError, match="`scaling` must be a FrameScaling"):
        classifiers.standardise_frames(x, lengths, (0.0, 1.0))
    with pytest.raises(ValueError, match="`scaling.mean` must have shape"):
        classifiers.standardise_frames(
            x, lengths, scaling._replace(mean=np.zeros(FEATURES + 1))
        )
    with pytest.raises(ValueError, match="`x` must contain only finite numbers"):
        classifiers.frame_scaling(x * np.nan, lengths)


@pytest.mark.parametrize("variant", classifiers.ROW_VARIANTS)
def test_row_classifiers_read_28_rows(variant: str) -> None:
    model = classifiers.row_classifier(variant, units=4, seed=1)
    images = np.random.default_rng(0).random((3, 28, 28)).astype("float32")
    probabilities = np.asarray(model(images))
    assert probabilities.shape == (3, 10)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)


def test_row_classifier_bad_input() -> None:
    with pytest.raises(ValueError, match="variant"):
        classifiers.row_classifier("lstm")
    with pytest.raises(ValueError, match="dropout"):
        classifiers.row_classifier("dropout", dropout=1.5)
    with pytest.raises(ValueError, match="units"):
        classifiers.row_classifier("elman", units=0)


def test_stream_windows_put_consecutive_windows_in_consecutive_batches() -> None:
    steps = np.arange(2 * 12).reshape(2, 12, 1)  # stream i, step t -> 12 i + t
    windows = classifiers.stream_windows(steps, 4)
    assert windows.shape == (6, 4, 1)
    # batch j holds window j of stream 0 and of stream 1
    assert np.array_equal(windows[2:4, :, 0], [[4, 5, 6, 7], [16, 17, 18, 19]])
    with pytest.raises(ValueError, match="window"):
        classifiers.stream_windows(steps, 5)
    with pytest.raises(ValueError, match="x"):
        classifiers.stream_windows(np.arange(5.0), 1)


def test_stateful_tagger_carries_the_state_and_reset_clears_it() -> None:
    x = np.random.default_rng(0).choice([-1.0, 1.0], size=(2, 8, 1)).astype("float32")
    whole = classifiers.stream_tagger(8, 2, stateful=False, units=3, seed=4)
    stateful = classifiers.stream_tagger(4, 2, stateful=True, units=3, seed=4)
    stateful.set_weights(whole.get_weights())
    windows = classifiers.stream_windows(x, 4)
    cut = np.concatenate(
        [np.asarray(stateful(windows[:2])), np.asarray(stateful(windows[2:]))], axis=1
    )
    assert np.allclose(cut, np.asarray(whole(x)), atol=1e-5)  # state carried over
    reset = classifiers.ResetState()
    reset.set_model(stateful)
    reset.on_epoch_begin(0)
    assert np.allclose(np.asarray(stateful(windows[:2])), cut[:, :4], atol=1e-5)


def test_stream_position_accuracy_is_a_share_per_position() -> None:
    from dlcourse.synthetic.delay import delay_stream

    x, y = delay_stream(2, 8, 1, seed=0)
    tagger = classifiers.stream_tagger(4, 2, stateful=True, units=2, seed=0)
    accuracy = classifiers.stream_position_accuracy(tagger, x, y, 4, skip=1)
    assert accuracy.shape == (4,) and np.all((0 <= accuracy) & (accuracy <= 1))
    with pytest.raises(ValueError, match="y"):
        classifiers.stream_position_accuracy(tagger, x, y[:, :4], 4)
    with pytest.raises(TypeError, match="stateful"):
        classifiers.stream_tagger(4, 2, stateful=1)
