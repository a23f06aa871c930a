"""A small image captioner: a CNN encoder and a GRU decoder (Chapter 2c).

The encoder's features become the decoder's initial state; the decoder is trained with
*teacher forcing* (its input at step t is the true word t - 1) and, at inference, writes
a caption greedily, feeding back its own most likely word. The notebook (one live seed)
and ``results/make_02c_captions.py`` (several seeds) train exactly these models. A
non-recurrent baseline, :func:`slot_classifier`, reads the same kind of CNN features
and names each slot of the grammar with its own softmax.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import keras
import numpy as np

from dlcourse._checks import (
    check_array,
    check_count,
    check_float,
    check_int,
    check_same_length,
)
from dlcourse.reference._rnn_checks import MAX_UNITS

#: The most greedy decoding steps :func:`greedy_captions` takes.
MAX_LENGTH = 1_000


class TeacherForcing(NamedTuple):
    """A caption batch cut for teacher forcing.

    Attributes:
        inputs: the captions without their last token (``<start>`` first).
        targets: the captions without their first token (the word to predict).
        weights: 1.0 where a target is a real token, 0.0 on padding.
    """

    inputs: np.ndarray
    targets: np.ndarray
    weights: np.ndarray


class CaptionScores(NamedTuple):
    """How well predicted captions state the true scenes.

    Attributes:
        exact: the share of captions right in every slot (the whole caption).
        per_slot: the share right of each of the seven slots, ``(7,)``.
    """

    exact: float
    per_slot: np.ndarray


def _check_model(model: Any) -> keras.Model:
    if not isinstance(model, keras.Model):
        raise TypeError(f"`model` must be a keras.Model, got {type(model).__name__}")
    return model


def _encoder(images: Any, filters: tuple[int, int], units: int) -> Any:
    """Two convolution blocks and a dense layer: the image's feature vector."""
    x = images
    for count in filters:
        x = keras.layers.Conv2D(count, 3, padding="same", activation="relu")(x)
        x = keras.layers.MaxPooling2D(2)(x)
    # Flatten keeps where things are, which the relation words need.
    x = keras.layers.Flatten()(x)
    return keras.layers.Dense(units, activation="tanh", name="image_features")(x)


def _check_sizes(
    vocabulary: int, image_size: int, units: int, filters: Any, learning_rate: float
) -> tuple[int, int, int, tuple[int, int], float]:
    vocabulary = check_int("vocabulary", vocabulary, minimum=2, maximum=MAX_UNITS)
    image_size = check_int("image_size", image_size, minimum=4, maximum=1024)
    units = check_int("units", units, minimum=1, maximum=MAX_UNITS)
    if not isinstance(filters, tuple | list) or len(filters) != 2:
        raise TypeError(f"`filters` must be a pair of counts, got {filters!r}")
    filters = tuple(check_count("filters", f, maximum=MAX_UNITS) for f in filters)
    learning_rate = check_float(
        "learning_rate", learning_rate, minimum=0.0, exclusive_minimum=True
    )
    return vocabulary, image_size, units, filters, learning_rate


def captioner(
    vocabulary: int,
    steps: int,
    *,
    image_size: int = 24,
    units: int = 64,
    embedding: int = 16,
    filters: tuple[int, int] = (16, 32),
    learning_rate: float = 3e-3,
) -> keras.Model:
    """A compiled captioner: CNN features start a GRU decoder and join every step.

    Inputs are ``[images, caption_inputs]`` (images ``(n, image_size, image_size,
    3)``, token indices ``(n, steps)``); the output is, at every step, the
    probability of each next token ``(n, steps, vocabulary)``. The image features are
    the decoder's initial state and are also given, beside the previous word's
    embedding, at every step. The decoder is causal, so the output at step t depends
    only on the tokens up to t.

    Args:
        vocabulary: the number of tokens (index 0 is padding).
        steps: the decoder's steps (the caption's length without its last token).
        image_size: the side of the square images.
        units: the GRU's state size, also the size of the image features.
        embedding: the size of each token's embedding.
        filters: the filters of the two convolution blocks.
        learning_rate: Adam's step size.
    """
    vocabulary, image_size, units, filters, learning_rate = _check_sizes(
        vocabulary, image_size, units, filters, learning_rate
    )
    steps = check_int("steps", steps, minimum=1, maximum=MAX_LENGTH)
    embedding = check_int("embedding", embedding, minimum=1, maximum=MAX_UNITS)
    images = keras.Input(shape=(image_size, image_size, 3), name="images")
    words = keras.Input(shape=(steps,), dtype="int32", name="caption_inputs")
    state = _encoder(images, filters, units)
    embedded = keras.layers.Embedding(vocabulary, embedding, name="embedding")(words)
    every_step = keras.layers.RepeatVector(steps)(state)
    step_inputs = keras.layers.Concatenate()([embedded, every_step])
    sequence = keras.layers.GRU(units, return_sequences=True, name="decoder")(
        step_inputs, initial_state=state
    )
    probabilities = keras.layers.Dense(vocabulary, activation="softmax", name="next")(
        sequence
    )
    model = keras.Model([images, words], probabilities, name="captioner")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0),
        loss="sparse_categorical_crossentropy",
    )
    return model


def teacher_forcing(captions: Any) -> TeacherForcing:
    """Cut captions into decoder inputs (shifted right) and targets.

    Args:
        captions: token indices ``(n, length)``, ``<start>`` first, 0 as padding.
    """
    captions = check_array("captions", captions, ndim=2, dtype="int")
    if captions.shape[1] < 2:
        raise ValueError(
            f"`captions` must have at least 2 tokens per row, got {captions.shape[1]}"
        )
    targets = captions[:, 1:]
    return TeacherForcing(captions[:, :-1], targets, (targets != 0).astype(np.float32))


def greedy_captions(
    model: keras.Model, images: Any, *, start: int, end: int, length: int
) -> np.ndarray:
    """Write captions word by word, feeding back the most likely word each time.

    Args:
        model: a :func:`captioner`.
        images: ``(n, size, size, 3)``.
        start: the index of ``<start>``, the first input.
        end: the index of ``<end>``; after it a caption holds only padding (0).
        length: the most tokens to write after ``<start>``.

    Returns:
        int64 ``(n, length + 1)``: ``<start>`` and the written tokens.
    """
    model = _check_model(model)
    images = check_array("images", images, ndim=4)
    vocabulary = int(model.output_shape[-1])
    start = check_int("start", start, minimum=0, maximum=vocabulary - 1)
    end = check_int("end", end, minimum=0, maximum=vocabulary - 1)
    length = check_int("length", length, minimum=1, maximum=MAX_LENGTH)
    tokens = np.zeros((len(images), length + 1), dtype=np.int64)
    tokens[:, 0] = start
    finished = np.zeros(len(images), dtype=bool)
    for t in range(length):
        # Teacher forcing fed the true words; here the model's own words go back in.
        # The tokens after t are still padding, and the causal decoder ignores them.
        probabilities = keras.ops.convert_to_numpy(
            model([images, tokens[:, :-1]], training=False)
        )
        word = np.argmax(probabilities[:, t], axis=-1)
        tokens[:, t + 1] = np.where(finished, 0, word)
        finished |= word == end
        if finished.all():
            break
    return tokens


def slot_classifier(
    slot_sizes: Any,
    *,
    image_size: int = 24,
    units: int = 64,
    filters: tuple[int, int] = (16, 32),
    learning_rate: float = 1e-2,
) -> keras.Model:
    """A non-recurrent baseline: the same CNN features, one softmax per slot.

    Its outputs are a list, one ``(n, slot_sizes[i])`` probability array per slot.

    Args:
        slot_sizes: the number of choices of each slot.
        image_size: the side of the square images.
        units: the size of the image features.
        filters: the filters of the two convolution blocks.
        learning_rate: Adam's step size.
    """
    sizes = check_array("slot_sizes", slot_sizes, ndim=1, dtype="int")
    if np.any(sizes < 2):
        raise ValueError(f"`slot_sizes` must all be at least 2, got {sizes.tolist()}")
    _, image_size, units, filters, learning_rate = _check_sizes(
        2, image_size, units, filters, learning_rate
    )
    images = keras.Input(shape=(image_size, image_size, 3), name="images")
    features = _encoder(images, filters, units)
    heads = [
        keras.layers.Dense(int(size), activation="softmax", name=f"slot_{i}")(features)
        for i, size in enumerate(sizes)
    ]
    model = keras.Model(images, heads, name="slot_classifier")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0),
        loss=["sparse_categorical_crossentropy"] * len(heads),
    )
    return model


def score_slots(predicted: Any, true: Any) -> CaptionScores:
    """The whole-caption and per-slot accuracy of predicted slots.

    Args:
        predicted: ``(n, slots)`` predicted slot indices (``-1`` for none stated).
        true: ``(n, slots)`` true slot indices.
    """
    predicted = check_array("predicted", predicted, ndim=2, dtype="int")
    true = check_array("true", true, ndim=2, dtype="int")
    check_same_length(("predicted", "true"), predicted, true)
    if predicted.shape != true.shape:
        raise ValueError(
            f"`predicted` and `true` must have the same shape, got {predicted.shape} "
            f"and {true.shape}"
        )
    right = predicted == true
    return CaptionScores(float(right.all(axis=1).mean()), right.mean(axis=0))


def train_captioner(
    model: keras.Model,
    images: Any,
    captions: Any,
    *,
    epochs: int,
    batch_size: int,
    seed: int,
) -> list[float]:
    """Train a :func:`captioner` with teacher forcing; each epoch's mean loss.

    The loss is the cross-entropy of each true next word. Padding targets have weight 0,
    and Keras averages over every target position, padding included, so the number is
    the mean over real words times their share of the positions.

    Args:
        model: a :func:`captioner`.
        images: ``(n, size, size, 3)``.
        captions: token indices ``(n, steps + 1)``, ``<start>`` first.
        epochs: passes over the scenes.
        batch_size: scenes per update.
        seed: the seed of the initial batch order (and of Keras's generators).
    """
    model = _check_model(model)
    images = check_array("images", images, ndim=4)
    forcing = teacher_forcing(captions)
    check_same_length(("images", "captions"), images, forcing.inputs)
    epochs = check_count("epochs", epochs, maximum=10_000)
    batch_size = check_count("batch_size", batch_size, maximum=100_000)
    seed = check_int("seed", seed, minimum=0)
    keras.utils.set_random_seed(seed)
    history = model.fit(
        [images, forcing.inputs],
        forcing.targets,
        sample_weight=forcing.weights,
        batch_size=batch_size,
        epochs=epochs,
        verbose=0,
    )
    return [float(loss) for loss in history.history["loss"]]
