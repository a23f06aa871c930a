"""Chapter 3b (after LeNet): the NumPy residual block against Keras, its argument
checks, the clip generator, the help-paragraph task and the new model builders."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from dlcourse.keras_parts import cnn as parts  # noqa: E402
from dlcourse.reference import residual  # noqa: E402
from dlcourse.reference.conv import ConvWeights  # noqa: E402
from dlcourse.synthetic import clips, help_families  # noqa: E402

pytestmark = pytest.mark.modern_cnns


def keras_block(channels: int, rng: np.random.Generator):
    inputs = keras.Input(shape=(6, 7, channels))
    model = keras.Model(inputs, parts.residual_block(inputs, "block"))
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.set_weights(
                [
                    rng.uniform(0.5, 1.5, channels).astype("float32"),
                    rng.normal(size=channels).astype("float32"),
                    rng.normal(size=channels).astype("float32"),
                    rng.uniform(0.5, 2.0, channels).astype("float32"),
                ]
            )
    return model


def block_weights(model) -> residual.ResidualWeights:
    def get(name):
        return model.get_layer(name).get_weights()

    return residual.ResidualWeights(
        ConvWeights(*get("block_1_conv")),
        residual.BatchNormWeights(*get("block_1_norm")),
        ConvWeights(*get("block_2_conv")),
        residual.BatchNormWeights(*get("block_2_norm")),
    )


@pytest.mark.parametrize("channels", [1, 3])
def test_residual_block_matches_keras(channels) -> None:
    rng = np.random.default_rng(channels)
    model = keras_block(channels, rng)
    x = rng.normal(size=(2, 6, 7, channels)).astype("float32")
    expected = keras.ops.convert_to_numpy(model(x, training=False))
    got = residual.residual_block(x, block_weights(model))
    assert got.shape == expected.shape
    assert np.max(np.abs(got - expected)) <= 1e-5


def test_batch_norm_matches_keras() -> None:
    rng = np.random.default_rng(0)
    layer = keras.layers.BatchNormalization()
    z = rng.normal(size=(4, 3)).astype("float32")
    layer.build(z.shape)
    weights = [rng.uniform(0.5, 2, 3).astype("float32") for _ in range(4)]
    layer.set_weights(weights)
    expected = keras.ops.convert_to_numpy(layer(z, training=False))
    got = residual.batch_norm(z, residual.BatchNormWeights(*weights))
    assert np.max(np.abs(got - expected)) <= 1e-5


def test_batch_norm_rejects_bad_inputs() -> None:
    ones = np.ones(3)
    weights = residual.BatchNormWeights(ones, ones, ones, ones)
    with pytest.raises(ValueError, match="weights.gamma"):
        residual.batch_norm(np.ones((2, 4)), weights)
    with pytest.raises(ValueError, match="moving_variance"):
        residual.batch_norm(
            np.ones((2, 3)), residual.BatchNormWeights(ones, ones, ones, -ones)
        )
    with pytest.raises(TypeError, match="BatchNormWeights"):
        residual.batch_norm(np.ones((2, 3)), ones)
    with pytest.raises(ValueError, match="epsilon"):
        residual.batch_norm(np.ones((2, 3)), weights, epsilon=-1.0)


def test_residual_block_rejects_bad_inputs() -> None:
    model = keras_block(2, np.random.default_rng(0))
    weights = block_weights(model)
    with pytest.raises(ValueError, match="`x` must have 4 dimensions"):
        residual.residual_block(np.ones((6, 7, 2)), weights)
    with pytest.raises(ValueError, match="weights.conv_1.kernel"):
        residual.residual_block(np.ones((1, 6, 7, 3)), weights)
    with pytest.raises(TypeError, match="ResidualWeights"):
        residual.residual_block(np.ones((1, 6, 7, 2)), weights[:2])


# ------------------------------------------------------------------------------ clips


def test_clips_are_seeded_shaped_and_balanced() -> None:
    first = clips.moving_shapes(400, seed=3)
    again = clips.moving_shapes(400, seed=3)
    assert first.x.shape == (400, 8, 16, 16, 1) and first.x.dtype == np.float32
    assert np.array_equal(first.x, again.x) and np.array_equal(first.y, again.y)
    assert set(np.unique(first.y)) == set(range(len(clips.DIRECTIONS)))
    assert np.bincount(first.y).min() > 60


def test_clips_move_one_pixel_per_frame_in_their_direction() -> None:
    data = clips.moving_shapes(40, noise=0.0, seed=1)
    steps = list(clips.DIRECTIONS.values())
    for clip, label in zip(data.x[..., 0], data.y, strict=True):
        rows, columns = np.indices(clip.shape[1:])
        centres = [
            (np.sum(rows * f) / np.sum(f), np.sum(columns * f) / np.sum(f))
            for f in clip
        ]
        moves = np.diff(np.array(centres), axis=0)
        assert np.allclose(moves, steps[label], atol=1e-4)


def test_a_reversed_clip_looks_like_the_opposite_direction() -> None:
    data = clips.moving_shapes(200, noise=0.0, seed=2)
    reverse = {0: 1, 1: 0, 2: 3, 3: 2}
    for clip, label in zip(data.x[:20], data.y[:20], strict=True):
        centres = [np.argwhere(f[..., 0] > 0).mean(axis=0) for f in clip[::-1]]
        step = np.round(np.diff(centres, axis=0)[0]).astype(int)
        assert tuple(step) == list(clips.DIRECTIONS.values())[reverse[int(label)]]


def test_clips_reject_bad_arguments() -> None:
    with pytest.raises(ValueError, match="count"):
        clips.moving_shapes(0)
    with pytest.raises(ValueError, match="room for a path"):
        clips.moving_shapes(10, frames=20, size=12)
    with pytest.raises(ValueError, match="noise"):
        clips.moving_shapes(10, noise=-0.1)
    with pytest.raises(TypeError, match="frames"):
        clips.moving_shapes(10, frames=2.5)


# ------------------------------------------------------------------- help paragraphs


def test_help_paragraphs_have_four_families_and_no_shared_text() -> None:
    paragraphs = help_families.help_paragraphs()
    assert len(paragraphs.text) == len(paragraphs.y) == len(paragraphs.topic) > 500
    assert set(np.unique(paragraphs.y)) == set(range(len(help_families.FAMILIES)))
    assert len(set(paragraphs.text)) == len(paragraphs.text)
    assert all(len(p.split()) >= help_families.MIN_WORDS for p in paragraphs.text)


def test_every_family_topic_exists() -> None:
    from dlcourse.data import load_pydoc_topics

    topics = load_pydoc_topics()
    named = [t for names in help_families.FAMILIES.values() for t in names]
    assert len(named) == len(set(named))
    assert all(name in topics for name in named)


def test_vocabulary_and_encoding() -> None:
    assert help_families.tokenize("The x.append(3)") == [
        "the", "x", ".", "append", "(", "3", ")"
    ]  # fmt: skip
    vocabulary = help_families.build_vocabulary(["a b a", "b c a"], min_count=2)
    assert vocabulary == {"a": 2, "b": 3}
    rows = help_families.encode(["a c b", "b"], vocabulary, 4)
    assert rows.tolist() == [[2, 1, 3, 0], [3, 0, 0, 0]]
    with pytest.raises(TypeError, match="texts"):
        help_families.encode("a b", vocabulary, 4)
    with pytest.raises(ValueError, match="length"):
        help_families.encode(["a"], vocabulary, 0)
    with pytest.raises(TypeError, match="text"):
        help_families.tokenize(3)


# ------------------------------------------------------------------------- builders


def test_builders_count_parameters_and_multiply_adds() -> None:
    lenet = parts.lenet()
    assert parts.multiply_adds(lenet) == (
        24 * 24 * 25 * 6 + 8 * 8 * 25 * 6 * 16 + 256 * 120 + 120 * 84 + 84 * 10
    )
    resnet = parts.small_resnet(8)
    assert resnet.output.shape[1:] == (10,)
    assert parts.small_resnet(8, skip=False).count_params() == resnet.count_params()
    assert parts.multiply_adds(parts.small_resnet(8, pooling=True)) > (
        parts.multiply_adds(resnet)
    )
    per_frame = parts.clip_cnn_per_frame((8, 16, 16), 4)
    assert parts.multiply_adds(per_frame) > 8 * (14 * 14 * 9 * 8)
    assert parts.lenet_3x3().output.shape[1:] == (10,)
    assert parts.text_cnn(100, 20, 4).output.shape[1:] == (4,)


def test_the_per_frame_model_ignores_frame_order() -> None:
    model = parts.clip_cnn_per_frame((6, 12, 12), 4)
    x = np.random.default_rng(0).normal(size=(2, 6, 12, 12, 1)).astype("float32")
    forward = keras.ops.convert_to_numpy(model(x))
    backward = keras.ops.convert_to_numpy(model(x[:, ::-1]))
    assert np.max(np.abs(forward - backward)) <= 1e-5


def test_builders_reject_bad_arguments() -> None:
    with pytest.raises(ValueError, match="width"):
        parts.small_resnet(0)
    with pytest.raises(TypeError, match="skip"):
        parts.small_resnet(8, skip="yes")
    with pytest.raises(TypeError, match="tensor"):
        parts.residual_block(np.ones((1, 4, 4, 2)), "block")
    with pytest.raises(TypeError, match="clip"):
        parts.clip_cnn_3d((8, 16), 4)
    with pytest.raises(ValueError, match="vocabulary"):
        parts.text_cnn(1, 20, 4)
    with pytest.raises(TypeError, match="model"):
        parts.multiply_adds("lenet")
