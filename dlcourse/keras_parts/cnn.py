"""The models of Chapter 3, "Convolutional networks", and the custom layer they need.

The chapter and ``results/make_cnn.py`` (its several-seed runs) build their models here,
so that both train the same networks: :func:`lenet` (a LeNet-style CNN for 28x28
digits, with switches for the ablations), :func:`pixel_mlp` (a one-hidden-layer
baseline), :func:`speaker_cnn` and :func:`speaker_gru` (for the Japanese-vowels
speakers), and :func:`compile_adam`. :class:`MaxOverRealFrames` takes the maximum of a
feature sequence over its real frames only, leaving out the zero padding at the end.

Chapter 3b, "After LeNet", adds :func:`lenet_3x3` (each 5x5 convolution replaced by two
3x3 ones), :func:`residual_block` and :func:`small_resnet` (with switches for the skip
connections and for pooling in place of strided convolution), :func:`text_cnn` (a 1-D
convolution over words), :func:`clip_cnn_3d` and :func:`clip_cnn_per_frame` (for short
video clips), and :func:`multiply_adds`, the multiply-adds of one forward pass.
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


# ----------------------------------------------------------------- Chapter 3b models

#: Batch normalisation's moving-average momentum in the Chapter 3b networks: with a
#: few hundred gradient steps, Keras's default of 0.99 leaves the moving statistics
#: far from the data's, and validation accuracy lags far behind training accuracy.
NORM_MOMENTUM = 0.9
#: The kernel size of the 3x3 stacks and residual blocks.
SMALL_KERNEL = 3


def _check_tensor(tensor: Any) -> None:
    if not isinstance(tensor, keras.KerasTensor):
        raise TypeError(
            "`tensor` must be a symbolic Keras tensor (from keras.Input or a layer), "
            f"got {describe(tensor)}"
        )


def _check_name(name: Any) -> str:
    if not check_str("name", name):
        raise ValueError("`name` must not be empty")
    return name


def _conv_norm_relu(
    tensor: Any, filters: int, name: str, *, strides: int = 1, relu: bool = True
) -> Any:
    tensor = keras.layers.Conv2D(
        filters,
        SMALL_KERNEL,
        strides=strides,
        padding="same",
        use_bias=False,
        name=f"{name}_conv",
    )(tensor)
    tensor = keras.layers.BatchNormalization(
        momentum=NORM_MOMENTUM, name=f"{name}_norm"
    )(tensor)
    if relu:
        tensor = keras.layers.Activation("relu", name=f"{name}_relu")(tensor)
    return tensor


def stack_3x3_block(tensor: Any, filters: int, name: str) -> Any:
    """Two 3x3 convolutions without padding (the receptive field of one 5x5), each
    with batch normalisation and ReLU, then 2x2 max pooling.

    Args:
        tensor: the block's input, a symbolic ``(batch, height, width, channels)``.
        filters: the filters of both convolutions.
        name: the prefix of the block's layer names.
    """
    _check_tensor(tensor)
    filters = check_int("filters", filters, minimum=1, maximum=MAX_WIDTH)
    name = _check_name(name)
    for step in ("a", "b"):
        tensor = keras.layers.Conv2D(
            filters, SMALL_KERNEL, use_bias=False, name=f"{name}{step}_conv"
        )(tensor)
        tensor = keras.layers.BatchNormalization(name=f"{name}{step}_norm")(tensor)
        tensor = keras.layers.Activation("relu", name=f"{name}{step}_relu")(tensor)
    return keras.layers.MaxPooling2D(2, name=f"{name}_pool")(tensor)


def lenet_3x3(*, shift: float = SHIFT, seed: int = 0) -> Any:
    """:func:`lenet` with each 5x5 convolution replaced by two 3x3 ones (same
    receptive field and output sizes, fewer weights, one more ReLU per stage).

    Args:
        shift: the largest random shift, as for :func:`lenet`; 0 turns it off.
        seed: the seed of the random shifts.
    """
    shift = check_float("shift", shift, minimum=0.0, maximum=0.5)
    seed = check_int("seed", seed, minimum=0)
    images = keras.Input(shape=(28, 28, 1), name="digit")
    tensor = _random_shift(images, shift, seed) if shift > 0 else images
    tensor = stack_3x3_block(tensor, 6, "c1")
    tensor = stack_3x3_block(tensor, 16, "c2")
    tensor = keras.layers.Flatten(name="flatten")(tensor)
    tensor = keras.layers.Dense(120, activation="relu", name="f3")(tensor)
    tensor = keras.layers.Dense(84, activation="relu", name="f4")(tensor)
    classes = keras.layers.Dense(10, activation="softmax", name="classes")(tensor)
    return keras.Model(images, classes, name="lenet_3x3")


def residual_block(tensor: Any, name: str, *, skip: bool = True) -> Any:
    """A residual block: ``relu(x + N(conv(relu(N(conv(x))))))``, two 3x3
    convolutions with padding ``"same"`` and no bias, each batch-normalised.

    Its layers are named ``{name}_1_conv``, ``{name}_1_norm``, ``{name}_1_relu``,
    ``{name}_2_conv``, ``{name}_2_norm``, ``{name}_add`` and ``{name}_out``.

    Args:
        tensor: the block's input ``(batch, height, width, channels)``; the block keeps
            its shape.
        name: the prefix of the block's layer names.
        skip: add the input back (``False``: the same two convolutions, plain).
    """
    _check_tensor(tensor)
    name = _check_name(name)
    skip = check_bool("skip", skip)
    filters = tensor.shape[-1]
    branch = _conv_norm_relu(tensor, filters, f"{name}_1")
    branch = _conv_norm_relu(branch, filters, f"{name}_2", relu=False)
    if skip:
        branch = keras.layers.Add(name=f"{name}_add")([tensor, branch])
    return keras.layers.Activation("relu", name=f"{name}_out")(branch)


def small_resnet(
    width: int = 16,
    *,
    skip: bool = True,
    pooling: bool = False,
    shift: float = SHIFT,
    seed: int = 0,
) -> Any:
    """A small residual network for 28x28 grey digits.

    A 3x3 convolution to ``width`` channels at 28x28; a stride-2 3x3 convolution to
    14x14 and a residual block; a stride-2 convolution to ``2 * width`` channels at 7x7
    and a residual block; global average pooling and a softmax over 10 classes.

    Args:
        width: the channels of the first stage (the second has twice as many).
        skip: the blocks' skip connections (``False``: a plain network of the same
            layers).
        pooling: halve the size with a stride-1 convolution and 2x2 max pooling
            instead of a stride-2 convolution.
        shift: the largest random shift, as for :func:`lenet`; 0 turns it off.
        seed: the seed of the random shifts.
    """
    width = check_int("width", width, minimum=1, maximum=MAX_WIDTH // 2)
    skip = check_bool("skip", skip)
    pooling = check_bool("pooling", pooling)
    shift = check_float("shift", shift, minimum=0.0, maximum=0.5)
    seed = check_int("seed", seed, minimum=0)
    images = keras.Input(shape=(28, 28, 1), name="digit")
    tensor = _random_shift(images, shift, seed) if shift > 0 else images
    tensor = _conv_norm_relu(tensor, width, "stem")
    for stage, filters in ((1, width), (2, 2 * width)):
        name = f"down{stage}"
        if pooling:
            tensor = _conv_norm_relu(tensor, filters, name)
            tensor = keras.layers.MaxPooling2D(2, name=f"{name}_pool")(tensor)
        else:
            tensor = _conv_norm_relu(tensor, filters, name, strides=2)
        tensor = residual_block(tensor, f"block{stage}", skip=skip)
    tensor = keras.layers.GlobalAveragePooling2D(name="average")(tensor)
    classes = keras.layers.Dense(10, activation="softmax", name="classes")(tensor)
    return keras.Model(images, classes, name="small_resnet")


def text_cnn(
    vocabulary: int,
    length: int,
    classes: int,
    *,
    embedding: int = 32,
    filters: int = 64,
) -> Any:
    """A 1-D convolution over words (after Kim 2014): embeddings, one ``Conv1D`` of
    width 5 with ReLU, the maximum over positions, a softmax.

    Word index 0 is padding; its embedding is learned like any other, but the
    maximum over positions mostly ignores it.

    Args:
        vocabulary: the number of word indices (0 for padding included).
        length: words per (padded or cut) paragraph.
        classes: the classes.
        embedding: the size of each word's vector.
        filters: the convolution's filters.
    """
    vocabulary = check_int("vocabulary", vocabulary, minimum=2, maximum=10**6)
    length = check_int("length", length, minimum=5, maximum=10**4)
    classes = check_int("classes", classes, minimum=2, maximum=MAX_WIDTH)
    embedding = check_int("embedding", embedding, minimum=1, maximum=MAX_WIDTH)
    filters = check_int("filters", filters, minimum=1, maximum=MAX_WIDTH)
    words = keras.Input(shape=(length,), dtype="int32", name="words")
    vectors = keras.layers.Embedding(vocabulary, embedding, name="embedding")(words)
    features = keras.layers.Conv1D(filters, 5, activation="relu", name="conv")(vectors)
    features = keras.layers.GlobalMaxPooling1D(name="max_over_words")(features)
    features = keras.layers.Dropout(0.5, name="dropout")(features)
    output = keras.layers.Dense(classes, activation="softmax", name="family")(features)
    return keras.Model(words, output, name="text_cnn")


def _clip_shape(clip: Any) -> tuple[int, int, int]:
    if not isinstance(clip, tuple | list) or len(clip) != 3:
        raise TypeError(
            f"`clip` must be a triple (frames, height, width), got {clip!r}"
        )
    return tuple(
        check_int(f"clip[{i}]", v, minimum=3, maximum=512) for i, v in enumerate(clip)
    )


def clip_cnn_3d(clip: tuple[int, int, int], classes: int, filters: int = 8) -> Any:
    """A 3-D CNN over grey clips ``(frames, height, width, 1)``: two ``Conv3D`` of
    3x3x3 (time, rows, columns) with ReLU, the first followed by 1x2x2 max pooling,
    global average pooling, a softmax.

    Args:
        clip: ``(frames, height, width)``.
        classes: the classes.
        filters: the filters of the first convolution (the second has twice as many).
    """
    clip = _clip_shape(clip)
    classes = check_int("classes", classes, minimum=2, maximum=MAX_WIDTH)
    filters = check_int("filters", filters, minimum=1, maximum=MAX_WIDTH // 2)
    frames = keras.Input(shape=(*clip, 1), name="clip")
    tensor = keras.layers.Conv3D(filters, 3, activation="relu", name="conv1")(frames)
    tensor = keras.layers.MaxPooling3D((1, 2, 2), name="pool1")(tensor)
    tensor = keras.layers.Conv3D(2 * filters, 3, activation="relu", name="conv2")(
        tensor
    )
    tensor = keras.layers.GlobalAveragePooling3D(name="average")(tensor)
    output = keras.layers.Dense(classes, activation="softmax", name="motion")(tensor)
    return keras.Model(frames, output, name="cnn_3d")


def clip_cnn_per_frame(
    clip: tuple[int, int, int], classes: int, filters: int = 8
) -> Any:
    """A 2-D CNN applied to every frame on its own, its features averaged over the
    frames, then a hidden ReLU layer and a softmax.

    The same two 3x3 convolutions as :func:`clip_cnn_3d` without the time axis. The
    average over frames does not depend on their order.

    Args:
        clip: ``(frames, height, width)``.
        classes: the classes.
        filters: the filters of the first convolution (the second has twice as many).
    """
    clip = _clip_shape(clip)
    classes = check_int("classes", classes, minimum=2, maximum=MAX_WIDTH)
    filters = check_int("filters", filters, minimum=1, maximum=MAX_WIDTH // 2)
    frames = keras.Input(shape=(*clip, 1), name="clip")
    per_frame = keras.Sequential(
        [
            keras.Input(shape=(*clip[1:], 1)),
            keras.layers.Conv2D(filters, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(2 * filters, 3, activation="relu"),
            keras.layers.GlobalAveragePooling2D(),
        ],
        name="frame_cnn",
    )
    tensor = keras.layers.TimeDistributed(per_frame, name="every_frame")(frames)
    tensor = keras.layers.GlobalAveragePooling1D(name="average_over_frames")(tensor)
    tensor = keras.layers.Dense(4 * filters, activation="relu", name="hidden")(tensor)
    output = keras.layers.Dense(classes, activation="softmax", name="motion")(tensor)
    return keras.Model(frames, output, name="cnn_per_frame")


def multiply_adds(model: Any) -> int:
    """The multiply-adds of one forward pass of ``model`` for one example, counted
    over its ``Conv1D``, ``Conv2D``, ``Conv3D`` and ``Dense`` layers (the rest is
    cheap by comparison): for a convolution, output positions times kernel size
    times input channels times filters.

    Args:
        model: a built ``keras.Model``; a ``TimeDistributed`` layer counts its inner
            model once per step.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"`model` must be a keras.Model, got {describe(model)}")
    total = 0
    for layer in model.layers:
        repeat = 1
        inner = layer
        if isinstance(layer, keras.layers.TimeDistributed):
            repeat = int(layer.output.shape[1])
            inner = layer.layer
        if isinstance(inner, keras.Model):
            total += repeat * multiply_adds(inner)
        elif isinstance(inner, keras.layers.Dense):
            total += repeat * int(inner.kernel.shape[0]) * int(inner.kernel.shape[1])
        elif isinstance(
            inner, keras.layers.Conv1D | keras.layers.Conv2D | keras.layers.Conv3D
        ):
            positions = 1
            for size in inner.output.shape[1:-1]:
                positions *= int(size)
            kernel = 1
            for size in inner.kernel.shape:
                kernel *= int(size)
            total += repeat * positions * kernel
    return total
