"""Chapter 3 (convolutional networks): the Keras parts, MaxOverRealFrames and the
model builders, against NumPy and under Keras's contracts."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from dlcourse.keras_parts import cnn as parts  # noqa: E402

pytestmark = pytest.mark.cnn


def padded_batch(rng: np.random.Generator, dtype: str = "float32"):
    """Three sequences of 6 frames, 2 features, with 6, 4 and 1 real frames."""
    lengths = np.array([6, 4, 1])
    frames = rng.normal(size=(3, 6, 2)).astype(dtype)
    frames[np.arange(6) >= lengths[:, None]] = 0.0
    features = np.abs(rng.normal(size=(3, 6, 5))).astype(dtype)
    return features, frames, lengths


def expected_max(features, lengths) -> np.ndarray:
    return np.stack([f[:n].max(axis=0) for f, n in zip(features, lengths, strict=True)])


def test_max_over_real_frames_leaves_the_padding_out() -> None:
    features, frames, lengths = padded_batch(np.random.default_rng(0))
    features[0, :, 0] = 0.1
    features[1, 5, :] = 100.0  # a large value on a padded frame
    got = keras.ops.convert_to_numpy(parts.MaxOverRealFrames()([features, frames]))
    assert np.max(np.abs(got - expected_max(features, lengths))) <= 1e-6


def test_max_over_real_frames_under_keras_layer_test_harness() -> None:
    testing = pytest.importorskip("keras.src.testing")
    features, frames, lengths = padded_batch(np.random.default_rng(1))

    class Harness(testing.TestCase):
        def runTest(self) -> None:  # noqa: N802 (unittest's name)
            self.run_layer_test(
                parts.MaxOverRealFrames,
                init_kwargs={},
                input_data=[features, frames],
                expected_output=keras.ops.convert_to_tensor(
                    expected_max(features, lengths)
                ),
                expected_num_trainable_weights=0,
                expected_num_non_trainable_weights=0,
                supports_masking=False,
                run_training_check=False,
            )

    result = Harness().run()
    assert result.wasSuccessful(), result.errors + result.failures


def test_compute_output_shape() -> None:
    layer = parts.MaxOverRealFrames()
    assert layer.compute_output_shape([(None, 29, 32), (None, 29, 12)]) == (None, 32)


def test_float64_and_mixed_precision() -> None:
    features, frames, lengths = padded_batch(np.random.default_rng(2), "float64")
    layer = parts.MaxOverRealFrames(dtype="float64")
    got = layer([features, frames])
    assert keras.backend.standardize_dtype(got.dtype) == "float64"
    assert (
        np.max(
            np.abs(keras.ops.convert_to_numpy(got) - expected_max(features, lengths))
        )
        < 1e-12
    )
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    try:
        model = parts.speaker_cnn((6, 2), 4, 3)
        output = model(frames.astype("float32"))
        assert model.get_layer("max_over_real_frames").compute_dtype == "float16"
        assert output.shape == (3, 3)
        assert np.all(np.isfinite(keras.ops.convert_to_numpy(output)))
    finally:
        keras.config.set_dtype_policy(previous)


def test_speaker_cnn_survives_a_keras_file_round_trip(tmp_path) -> None:
    model = parts.speaker_cnn((6, 2), 4, 3)
    model.get_layer("conv1").trainable = False
    _, frames, _ = padded_batch(np.random.default_rng(3))
    path = tmp_path / "speaker_cnn.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    layer = loaded.get_layer("max_over_real_frames")
    assert isinstance(layer, parts.MaxOverRealFrames)
    assert layer.get_config() == model.get_layer("max_over_real_frames").get_config()
    assert loaded.get_layer("conv1").trainable is False
    assert layer.dtype_policy.name == "float32"
    assert np.allclose(
        keras.ops.convert_to_numpy(loaded(frames)),
        keras.ops.convert_to_numpy(model(frames)),
        atol=1e-6,
    )


def test_lenet_and_its_ablations() -> None:
    assert parts.lenet().count_params() == 44_492
    without_shift = parts.lenet(shift=0.0)
    assert all(
        not isinstance(layer, keras.layers.RandomTranslation)
        for layer in without_shift.layers
    )
    without_norm = parts.lenet(batch_norm=False)
    assert all(
        not isinstance(layer, keras.layers.BatchNormalization)
        for layer in without_norm.layers
    )
    assert without_norm.get_layer("c1_conv").use_bias
    mlp = parts.pixel_mlp(56)
    assert abs(mlp.count_params() - 44_492) / 44_492 < 0.05


def test_builders_reject_bad_inputs() -> None:
    with pytest.raises(ValueError, match="`shift`"):
        parts.lenet(shift=0.9)
    with pytest.raises(TypeError, match="`batch_norm`"):
        parts.lenet(batch_norm="yes")
    with pytest.raises(ValueError, match="`hidden`"):
        parts.pixel_mlp(0)
    with pytest.raises(ValueError, match="`hidden`.*at most"):
        parts.pixel_mlp(10**9)
    with pytest.raises(TypeError, match="`frames`"):
        parts.speaker_cnn(29, 32, 9)
    with pytest.raises(ValueError, match="`speakers`"):
        parts.speaker_gru((29, 12), 32, 1)
    with pytest.raises(TypeError, match="`model`"):
        parts.compile_adam("lenet", 10)
    with pytest.raises(ValueError, match="`steps`"):
        parts.compile_adam(parts.pixel_mlp(4), 0)
