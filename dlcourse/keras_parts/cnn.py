"""The models of Chapter 3, "Convolutional networks", and the custom layer they need.

The chapter and ``results/make_cnn.py`` (its several-seed runs) build their models here,
so that both train the same networks: :func:`lenet` (a LeNet-style CNN for 28x28
digits, with switches for the ablations), :func:`pixel_mlp` (a one-hidden-layer
baseline), :func:`speaker_cnn` and :func:`speaker_gru` (for the Japanese-vowels
speakers), and :func:`compile_adam`. :class:`MaxOverRealFrames` takes the maximum of a
feature sequence over its real frames only, leaving out the zero padding at the end.
"""

from __future__ import annotations

from typing import Any

import keras

from dlcourse._checks import check_bool, check_float, check_int, check_str, describe

#: Largest random shift of the digits, as a fraction of the image size.
SHIFT = 0.08
#: Adam's starting step size, decayed to 0 along a cosine.
LEARNING_RATE = 3e-3
#: The most filters, units or classes a builder accepts.
MAX_WIDTH = 4096


@keras.saving.register_keras_serializable(package="dlcourse")
class MaxOverRealFrames(keras.layers.Layer):
    """The maximum over time of ``features``, taken over the real frames of ``frames``.

    A frame is real when any of its values is non-zero; the zero frames that pad a
    sequence at the end are left out. ``features`` must be at least 0 (the output of a
    ReLU), so that multiplying the padded frames by 0 removes them from the maximum.

    Call arguments:
        inputs: a pair ``[features, frames]``: ``features`` of shape
            ``(batch, time, channels)``, ``frames`` the padded input sequences
            ``(batch, time, ...)``.
    """

    def call(self, inputs: list[Any]) -> Any:
        """Mask the padded frames, then take the maximum over time.

        Args:
            inputs: the pair ``[features, frames]``.
        """
        features, frames = inputs
        axes = tuple(range(2, len(frames.shape)))
        real = keras.ops.any(keras.ops.not_equal(frames, 0), axis=axes)
        mask = keras.ops.cast(real, features.dtype)[:, :, None]
        return keras.ops.max(features * mask, axis=1)

    def compute_output_shape(self, input_shape: list[tuple]) -> tuple:
        """``(batch, channels)``.

        Args:
            input_shape: the shapes of ``features`` and ``frames``.
        """
        features_shape = input_shape[0]
        return (features_shape[0], features_shape[2])


def _random_shift(tensor: Any, shift: float, seed: int) -> Any:
    return keras.layers.RandomTranslation(
        shift, shift, fill_mode="constant", seed=seed, name="shift"
    )(tensor)


def conv_block(tensor: Any, filters: int, name: str, batch_norm: bool = True) -> Any:
    """A 5x5 convolution without padding, batch normalisation, ReLU, 2x2 max pooling.

    Args:
        tensor: the block's input, a symbolic ``(batch, height, width, channels)``.
        filters: the convolution's filters.
        name: the prefix of the block's layer names.
        batch_norm: batch normalisation after the convolution.
    """
    if not isinstance(tensor, keras.KerasTensor):
        raise TypeError(
            "`tensor` must be a symbolic Keras tensor (from keras.Input or a layer), "
            f"got {describe(tensor)}"
        )
    filters = check_int("filters", filters, minimum=1, maximum=MAX_WIDTH)
    if not check_str("name", name):
        raise ValueError("`name` must not be empty")
    batch_norm = check_bool("batch_norm", batch_norm)
    # Batch normalisation adds its own shift; without it the convolution needs a bias.
    tensor = keras.layers.Conv2D(
        filters, 5, use_bias=not batch_norm, name=f"{name}_conv"
    )(tensor)
    if batch_norm:
        tensor = keras.layers.BatchNormalization(name=f"{name}_norm")(tensor)
    tensor = keras.layers.Activation("relu", name=f"{name}_relu")(tensor)
    return keras.layers.MaxPooling2D(2, name=f"{name}_pool")(tensor)


def lenet(*, shift: float = SHIFT, batch_norm: bool = True, seed: int = 0) -> Any:
    """A LeNet-style CNN for 28x28 grey digits: two convolution-pooling stages (6 and
    16 filters of 5x5, no padding), then dense layers of 120, 84 and 10 units.

    Args:
        shift: the largest random shift (a fraction of the image size) applied to
            each training digit in every epoch; 0 turns augmentation off.
        batch_norm: batch normalisation after each convolution.
        seed: the seed of the random shifts.
    """
    shift = check_float("shift", shift, minimum=0.0, maximum=0.5)
    batch_norm = check_bool("batch_norm", batch_norm)
    seed = check_int("seed", seed, minimum=0)
    images = keras.Input(shape=(28, 28, 1), name="digit")
    tensor = _random_shift(images, shift, seed) if shift > 0 else images
    tensor = conv_block(tensor, 6, "c1", batch_norm)
    tensor = conv_block(tensor, 16, "c2", batch_norm)
    tensor = keras.layers.Flatten(name="flatten")(tensor)
    tensor = keras.layers.Dense(120, activation="relu", name="f3")(tensor)
    tensor = keras.layers.Dense(84, activation="relu", name="f4")(tensor)
    classes = keras.layers.Dense(10, activation="softmax", name="classes")(tensor)
    return keras.Model(images, classes, name="lenet")


def pixel_mlp(hidden: int, *, shift: float = SHIFT, seed: int = 0) -> Any:
    """A multilayer perceptron on the 784 pixels: one hidden ReLU layer, 10 classes.

    Args:
        hidden: the hidden units.
        shift: the largest random shift of the digits, as for :func:`lenet`.
        seed: the seed of the random shifts.
    """
    hidden = check_int("hidden", hidden, minimum=1, maximum=MAX_WIDTH)
    shift = check_float("shift", shift, minimum=0.0, maximum=0.5)
    seed = check_int("seed", seed, minimum=0)
    images = keras.Input(shape=(28, 28, 1), name="digit")
    tensor = _random_shift(images, shift, seed) if shift > 0 else images
    tensor = keras.layers.Flatten(name="pixels")(tensor)
    tensor = keras.layers.Dense(hidden, activation="relu", name="hidden")(tensor)
    classes = keras.layers.Dense(10, activation="softmax", name="classes")(tensor)
    return keras.Model(images, classes, name="mlp")


def compile_adam(model: Any, steps: int, learning_rate: float = LEARNING_RATE) -> None:
    """Compile with Adam, its step size decaying to 0 along a cosine over ``steps``.

    Args:
        model: a ``keras.Model`` with a softmax output.
        steps: the gradient steps of the whole training run.
        learning_rate: the starting step size.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"`model` must be a keras.Model, got {type(model).__name__}")
    steps = check_int("steps", steps, minimum=1, maximum=10**8)
    learning_rate = check_float(
        "learning_rate", learning_rate, minimum=0.0, exclusive_minimum=True
    )
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, steps)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )


def _frames_shape(frames: Any) -> tuple[int, int]:
    if not isinstance(frames, tuple | list) or len(frames) != 2:
        raise TypeError(f"`frames` must be a pair (time, features), got {frames!r}")
    return (
        check_int("frames[0]", frames[0], minimum=1, maximum=10**5),
        check_int("frames[1]", frames[1], minimum=1, maximum=MAX_WIDTH),
    )


def speaker_cnn(frames: tuple[int, int], filters: int, speakers: int) -> Any:
    """A 1-D CNN over zero-padded sequences: two ``Conv1D`` of width 3 with ReLU, the
    maximum over the real frames (:class:`MaxOverRealFrames`), a softmax.

    Args:
        frames: ``(time, features)`` of the padded sequences.
        filters: filters of each convolution.
        speakers: the classes.
    """
    frames = _frames_shape(frames)
    filters = check_int("filters", filters, minimum=1, maximum=MAX_WIDTH)
    speakers = check_int("speakers", speakers, minimum=2, maximum=MAX_WIDTH)
    sequence = keras.Input(shape=frames, name="frames")
    features = sequence
    for name in ("conv1", "conv2"):
        features = keras.layers.Conv1D(
            filters, 3, padding="same", activation="relu", name=name
        )(features)
    features = MaxOverRealFrames(name="max_over_real_frames")([features, sequence])
    classes = keras.layers.Dense(speakers, activation="softmax", name="speaker")
    return keras.Model(sequence, classes(features), name="cnn_1d")


def speaker_gru(frames: tuple[int, int], units: int, speakers: int) -> Any:
    """A GRU that reads the frames in order, skipping the zero padding, then a softmax.

    Args:
        frames: ``(time, features)`` of the padded sequences.
        units: the GRU's units.
        speakers: the classes.
    """
    frames = _frames_shape(frames)
    units = check_int("units", units, minimum=1, maximum=MAX_WIDTH)
    speakers = check_int("speakers", speakers, minimum=2, maximum=MAX_WIDTH)
    sequence = keras.Input(shape=frames, name="frames")
    hidden = keras.layers.Masking(name="skip_padding")(sequence)
    hidden = keras.layers.GRU(units, name="gru")(hidden)
    classes = keras.layers.Dense(speakers, activation="softmax", name="speaker")
    return keras.Model(sequence, classes(hidden), name="gru")
