"""Recurrent classifiers of padded sequences, and their input scaling (recurrent-network
chapter).

The chapter's speaker and pen-stroke networks are built here, so that the notebook
(one live seed) and ``results/make_01_rnn.py`` (several seeds) train exactly the same
models: a ``Masking`` layer skips the zero padding, then an Elman layer
(``SimpleRNN``) with a softmax readout, or a Jordan cell whose softmax output is fed
back.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import keras
import numpy as np

from dlcourse._checks import (
    check_array,
    check_choice,
    check_float,
    check_int,
    check_same_length,
)
from dlcourse.keras_parts.jordan import JordanCell
from dlcourse.reference._rnn_checks import MAX_UNITS

#: The two kinds of recurrent classifier.
KINDS = ("elman", "jordan")


class FrameScaling(NamedTuple):
    """The mean and spread of each feature over the real (unpadded) frames.

    Args:
        mean: ``(features,)``.
        spread: the standard deviation, ``(features,)``; never zero.
    """

    mean: np.ndarray
    spread: np.ndarray


def _inside(x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """True at the real frames of each padded sequence, ``(batch, time)``."""
    return np.arange(x.shape[1])[None, :] < lengths[:, None]


def _check_padded(x: Any, lengths: Any) -> tuple[np.ndarray, np.ndarray]:
    x = check_array("x", x, ndim=3)
    lengths = check_array("lengths", lengths, ndim=1, dtype="int")
    check_same_length(("x", "lengths"), x, lengths)
    if lengths.min() < 1 or lengths.max() > x.shape[1]:
        raise ValueError(
            f"`lengths` must lie between 1 and {x.shape[1]} (the padded length), "
            f"got {int(lengths.min())} to {int(lengths.max())}"
        )
    return x, lengths


def frame_scaling(x: Any, lengths: Any) -> FrameScaling:
    """The mean and spread of each feature over the real frames of ``x``.

    Args:
        x: end-padded sequences, ``(batch, time, features)``.
        lengths: the true length of each sequence, ``(batch,)``.
    """
    x, lengths = _check_padded(x, lengths)
    frames = x[_inside(x, lengths)]
    spread = frames.std(axis=0)
    return FrameScaling(frames.mean(axis=0), np.where(spread > 0, spread, 1.0))


def standardise_frames(x: Any, lengths: Any, scaling: FrameScaling) -> np.ndarray:
    """Standardise the real frames of ``x``; the padding stays exactly zero.

    Use the :func:`frame_scaling` of the training set for every split, so that the
    test set is scaled with numbers learnt from the training set only.

    Args:
        x: end-padded sequences, ``(batch, time, features)``.
        lengths: the true length of each sequence, ``(batch,)``.
        scaling: a :class:`FrameScaling` with one entry per feature.

    Returns:
        float32 ``(batch, time, features)``.
    """
    x, lengths = _check_padded(x, lengths)
    if not isinstance(scaling, FrameScaling):
        raise TypeError(
            "`scaling` must be a FrameScaling (from frame_scaling), "
            f"got {type(scaling).__name__}"
        )
    features = x.shape[2]
    mean = check_array("scaling.mean", scaling.mean, shape=(features,))
    spread = check_array("scaling.spread", scaling.spread, shape=(features,))
    if np.any(spread <= 0):
        raise ValueError("`scaling.spread` must be positive everywhere")
    inside = _inside(x, lengths)[..., None]
    return np.where(inside, (x - mean) / spread, 0.0).astype(np.float32)


def sequence_classifier(
    kind: str,
    features: int,
    classes: int,
    *,
    units: int = 32,
    learning_rate: float = 1e-2,
    clip_norm: float = 1.0,
) -> keras.Model:
    """A compiled recurrent classifier of zero-padded sequences.

    Args:
        kind: ``"elman"`` (``SimpleRNN`` then a softmax ``Dense``) or ``"jordan"``
            (a :class:`~dlcourse.keras_parts.jordan.JordanCell` whose softmax output
            is fed back).
        features: numbers per step.
        classes: how many classes.
        units: hidden units.
        learning_rate: Adam's step size.
        clip_norm: the global gradient-norm cap of the optimiser.

    Returns:
        a ``keras.Model`` compiled with sparse categorical cross-entropy and accuracy.
    """
    check_choice("kind", kind, KINDS)
    features = check_int("features", features, minimum=1, maximum=MAX_UNITS)
    classes = check_int("classes", classes, minimum=2, maximum=MAX_UNITS)
    units = check_int("units", units, minimum=1, maximum=MAX_UNITS)
    learning_rate = check_float(
        "learning_rate", learning_rate, minimum=0.0, exclusive_minimum=True
    )
    clip_norm = check_float("clip_norm", clip_norm, minimum=0.0, exclusive_minimum=True)
    inputs = keras.Input(shape=(None, features), name="frames")
    masked = keras.layers.Masking(mask_value=0.0, name="skip_padding")(inputs)
    if kind == "elman":
        last_state = keras.layers.SimpleRNN(units, name="elman")(masked)
        outputs = keras.layers.Dense(classes, activation="softmax", name="readout")(
            last_state
        )
    else:
        cell = JordanCell(units, classes, output_activation="softmax")
        outputs = keras.layers.RNN(cell, name="jordan")(masked)
    model = keras.Model(inputs, outputs, name=f"{kind}_classifier")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate, global_clipnorm=clip_norm),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


#: The row readers of the MNIST section: a linear baseline and five recurrent idioms.
ROW_VARIANTS = (
    "linear",
    "elman",
    "mean_of_steps",
    "stacked",
    "bidirectional",
    "dropout",
)
#: Rows per digit image, and pixels per row.
IMAGE_ROWS = IMAGE_COLUMNS = 28


def row_classifier(
    variant: str,
    classes: int = 10,
    *,
    units: int = 32,
    dropout: float = 0.2,
    learning_rate: float = 3e-3,
    clip_norm: float = 1.0,
    seed: int = 0,
) -> keras.Model:
    """A compiled classifier of 28 x 28 images read row by row (28 steps of 28 pixels).

    The variants differ in one idiom each, against ``"elman"``, a ``SimpleRNN``
    whose last state feeds a softmax (many-to-one):

    - ``"linear"``: no recurrence, the 784 pixels into the softmax (logistic
      regression trained the same way);
    - ``"mean_of_steps"``: ``return_sequences=True``, the softmax reads the mean of
      all 28 states (many-to-many, then pooled);
    - ``"stacked"``: two ``SimpleRNN`` layers, the first returning its sequence;
    - ``"bidirectional"``: ``Bidirectional(SimpleRNN)``, one pass top to bottom and
      one bottom to top, the two last states joined;
    - ``"dropout"``: ``"elman"`` with ``dropout`` and ``recurrent_dropout``.

    Args:
        variant: one of ``ROW_VARIANTS``.
        classes: how many classes.
        units: hidden units of each recurrent layer (each direction).
        dropout: the rate of ``dropout`` and ``recurrent_dropout`` of ``"dropout"``.
        learning_rate: Adam's step size.
        clip_norm: the global gradient-norm cap of the optimiser.
        seed: the seed of the initial weights and of the dropout masks.

    Returns:
        a ``keras.Model`` compiled with sparse categorical cross-entropy and accuracy.
    """
    check_choice("variant", variant, ROW_VARIANTS)
    classes = check_int("classes", classes, minimum=2, maximum=MAX_UNITS)
    units = check_int("units", units, minimum=1, maximum=MAX_UNITS)
    dropout = check_float("dropout", dropout, minimum=0.0, maximum=0.9)
    learning_rate = check_float(
        "learning_rate", learning_rate, minimum=0.0, exclusive_minimum=True
    )
    clip_norm = check_float("clip_norm", clip_norm, minimum=0.0, exclusive_minimum=True)
    seed = check_int("seed", seed, minimum=0, maximum=2**31 - 1)
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape=(IMAGE_ROWS, IMAGE_COLUMNS), name="rows")
    layer = keras.layers.SimpleRNN
    if variant == "linear":
        features = keras.layers.Flatten(name="pixels")(inputs)
    elif variant == "elman":
        features = layer(units, name="elman")(inputs)
    elif variant == "mean_of_steps":
        states = layer(units, return_sequences=True, name="elman")(inputs)
        features = keras.layers.GlobalAveragePooling1D(name="mean_state")(states)
    elif variant == "stacked":
        lower = layer(units, return_sequences=True, name="lower")(inputs)
        features = layer(units, name="upper")(lower)
    elif variant == "bidirectional":
        features = keras.layers.Bidirectional(layer(units), name="both_ways")(inputs)
    else:
        features = layer(
            units, dropout=dropout, recurrent_dropout=dropout, name="elman"
        )(inputs)
    outputs = keras.layers.Dense(classes, activation="softmax", name="readout")(
        features
    )
    model = keras.Model(inputs, outputs, name=f"{variant}_rows")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate, global_clipnorm=clip_norm),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def stream_tagger(
    window: int,
    streams: int,
    *,
    stateful: bool,
    units: int = 16,
    learning_rate: float = 1e-2,
    clip_norm: float = 1.0,
    seed: int = 0,
) -> keras.Model:
    """A compiled per-step tagger of long streams cut into windows (truncated BPTT).

    A ``SimpleRNN`` with ``return_sequences=True`` and a sigmoid ``Dense`` at every
    step (many-to-many). The batch is fixed at ``streams`` windows, one from each
    stream, as ``stateful=True`` needs: with it, the last state of window ``j`` of a
    stream is the first state of its window ``j + 1`` in the next batch (the
    gradient still stops at the window's start: TBPTT(k, k)); without it every
    window starts from zero. Feed the windows with :func:`stream_windows`, do not
    shuffle, and reset the state at the start of every pass (:class:`ResetState`).

    Args:
        window: steps per window (the truncation length k).
        streams: parallel streams, the batch size.
        stateful: carry the state from one batch to the next.
        units: hidden units.
        learning_rate: Adam's step size.
        clip_norm: the global gradient-norm cap of the optimiser.
        seed: the seed of the initial weights.

    Returns:
        a ``keras.Model`` compiled with binary cross-entropy and accuracy.
    """
    window = check_int("window", window, minimum=1, maximum=MAX_UNITS)
    streams = check_int("streams", streams, minimum=1, maximum=MAX_UNITS)
    if not isinstance(stateful, bool):
        raise TypeError(f"`stateful` must be True or False, got {stateful!r}")
    units = check_int("units", units, minimum=1, maximum=MAX_UNITS)
    learning_rate = check_float(
        "learning_rate", learning_rate, minimum=0.0, exclusive_minimum=True
    )
    clip_norm = check_float("clip_norm", clip_norm, minimum=0.0, exclusive_minimum=True)
    seed = check_int("seed", seed, minimum=0, maximum=2**31 - 1)
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(batch_shape=(streams, window, 1), name="window")
    states = keras.layers.SimpleRNN(
        units, return_sequences=True, stateful=stateful, name="elman"
    )(inputs)
    outputs = keras.layers.Dense(1, activation="sigmoid", name="readout")(states)
    model = keras.Model(inputs, outputs, name="stateful" if stateful else "stateless")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate, global_clipnorm=clip_norm),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model


def stream_windows(x: Any, window: int) -> np.ndarray:
    """Cut ``streams`` long streams into windows, in the order stateful training needs.

    Batch ``j`` (rows ``j * streams`` to ``(j + 1) * streams - 1``) holds window ``j``
    of every stream, so that row ``i`` of one batch continues row ``i`` of the last.

    Args:
        x: ``(streams, steps, features)``, ``steps`` a multiple of ``window``.
        window: steps per window.

    Returns:
        ``(steps // window * streams, window, features)``.
    """
    x = check_array("x", x, ndim=3, dtype="number")
    window = check_int("window", window, minimum=1, maximum=x.shape[1])
    streams, steps = x.shape[:2]
    if steps % window:
        raise ValueError(
            f"`window` must divide the {steps} steps of each stream, got {window}"
        )
    cut = x.reshape(streams, steps // window, window, *x.shape[2:])
    return np.swapaxes(cut, 0, 1).reshape(-1, window, *x.shape[2:])


class ResetState(keras.callbacks.Callback):
    """Resets the state of every stateful layer of the model before each epoch.

    Keras carries a stateful layer's state across batches and epochs alike; a new
    pass over the streams must start from zero again.
    """

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Reset before epoch ``epoch``; ``logs`` is unused."""
        for layer in self.model.layers:
            if getattr(layer, "stateful", False):
                layer.reset_state()


def stream_position_accuracy(
    model: keras.Model, x: Any, y: Any, window: int, *, skip: int = 0
) -> np.ndarray:
    """The accuracy of a :func:`stream_tagger` at each position inside a window.

    The state is reset first, then the streams are read window after window, as in
    training; the first ``skip`` steps of every stream (which have no target, see
    :func:`~dlcourse.synthetic.delay.delay_stream`) are left out.

    Args:
        model: a compiled :func:`stream_tagger`.
        x: the inputs, ``(streams, steps, 1)``.
        y: the 0/1 targets, ``(streams, steps, 1)``.
        window: the model's window, dividing ``steps``.
        skip: steps at the start of each stream left out of the score.

    Returns:
        ``(window,)``: the share of correct answers at each position of a window.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(
            "`model` must be a keras.Model (a stream_tagger), "
            f"got {type(model).__name__}"
        )
    x = check_array("x", x, ndim=3)
    y = check_array("y", y, shape=x.shape)
    skip = check_int("skip", skip, minimum=0, maximum=x.shape[1] - 1)
    for layer in model.layers:
        if getattr(layer, "stateful", False):
            layer.reset_state()
    windows = stream_windows(x, window)
    predicted = model.predict(windows, batch_size=x.shape[0], verbose=0)[..., 0] > 0.5
    correct = predicted == (stream_windows(y, window)[..., 0] > 0.5)
    steps = np.broadcast_to(np.arange(x.shape[1]), x.shape[:2])[..., None]
    counted = stream_windows(steps, window)[..., 0] >= skip
    return (correct * counted).sum(axis=0) / counted.sum(axis=0)
