"""Gated classifiers of zero-padded sequences (chapter "Gated networks at work").

The chapter's gesture and spoken-word networks are built here, so that the notebook
(one live seed) and ``results/make_02c_gated_uses.py`` (several seeds) train exactly the
same models: a ``Masking`` layer skips the zero padding, a ``GRU`` or an ``LSTM``
reads the real frames, and a softmax ``Dense`` layer reads its last state
(many-to-one).
"""

from __future__ import annotations

import keras
import numpy as np

from dlcourse._checks import (
    check_array,
    check_choice,
    check_float,
    check_int,
    check_same_length,
)
from dlcourse.reference._rnn_checks import MAX_UNITS

#: The gated layers a classifier may use.
GATED_LAYERS = ("GRU", "LSTM")
#: The most updates one call of :func:`train_for_steps` makes.
MAX_STEPS = 100_000


def gated_classifier(
    layer: str,
    features: int,
    classes: int,
    *,
    units: int = 32,
    learning_rate: float = 1e-2,
    clip_norm: float = 1.0,
) -> keras.Model:
    """A compiled many-to-one classifier: Masking, a gated layer, a softmax.

    Args:
        layer: ``"GRU"`` or ``"LSTM"``.
        features: numbers per step.
        classes: how many classes.
        units: the gated layer's state size.
        learning_rate: Adam's step size.
        clip_norm: the global gradient-norm cap of the optimiser.

    Returns:
        a ``keras.Model`` compiled with sparse categorical cross-entropy and accuracy.
    """
    check_choice("layer", layer, GATED_LAYERS)
    features = check_int("features", features, minimum=1, maximum=MAX_UNITS)
    classes = check_int("classes", classes, minimum=2, maximum=MAX_UNITS)
    units = check_int("units", units, minimum=1, maximum=MAX_UNITS)
    learning_rate = check_float(
        "learning_rate", learning_rate, minimum=0.0, exclusive_minimum=True
    )
    clip_norm = check_float("clip_norm", clip_norm, minimum=0.0, exclusive_minimum=True)
    inputs = keras.Input(shape=(None, features), name="frames")
    masked = keras.layers.Masking(mask_value=0.0, name="skip_padding")(inputs)
    last_state = getattr(keras.layers, layer)(units, name=layer.lower())(masked)
    outputs = keras.layers.Dense(classes, activation="softmax", name="readout")(
        last_state
    )
    model = keras.Model(inputs, outputs, name=f"{layer.lower()}_classifier")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate, global_clipnorm=clip_norm),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def train_for_steps(
    model: keras.Model,
    x: np.ndarray,
    y: np.ndarray,
    *,
    steps: int,
    batch_size: int,
    seed: int,
) -> float:
    """Train ``model`` for exactly ``steps`` mini-batches; return the final loss.

    The batches are drawn as whole shuffled passes over ``x`` (a fresh order per pass,
    from ``seed``) and given to Keras as one long epoch, which costs far less than
    many short epochs on a small data set.

    Args:
        model: a compiled ``keras.Model`` taking ``x``.
        x: the inputs, one row per example.
        y: the targets, as many rows as ``x``.
        steps: mini-batch updates, at least 1.
        batch_size: examples per update, at least 1 and at most ``len(x)``.
        seed: the seed of the batch order.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(
            f"`model` must be a compiled keras.Model, got {type(model).__name__}"
        )
    x = check_array("x", x, ndim=3)
    y = check_array("y", y, ndim=1, dtype="int")
    check_same_length(("x", "y"), x, y)
    features = model.input_shape[-1]
    if x.shape[2] != features:
        raise ValueError(
            f"`x` must have {features} features per step, as the model's input, "
            f"got shape {x.shape}"
        )
    steps = check_int("steps", steps, minimum=1, maximum=MAX_STEPS)
    batch_size = check_int("batch_size", batch_size, minimum=1, maximum=len(x))
    seed = check_int("seed", seed, minimum=0, maximum=2**32 - 1)
    rng = np.random.default_rng(seed)
    passes = -(-steps * batch_size // len(x))
    order = np.concatenate([rng.permutation(len(x)) for _ in range(passes)])
    order = order[: steps * batch_size]
    history = model.fit(
        x[order], y[order], batch_size=batch_size, epochs=1, shuffle=False, verbose=0
    )
    return float(history.history["loss"][-1])


def resampled_gestures(
    x: np.ndarray, lengths: np.ndarray, frames: int, *, mean: float, spread: float
) -> np.ndarray:
    """Each gesture resampled to ``frames`` readings and standardised: (n, frames, 1).

    Gestures last from under a second to several; resampling every one to the same
    number of readings lets a classifier compare their shapes rather than their speed.
    ``mean`` and ``spread`` come from the training gestures, for every split.

    Args:
        x: end-padded gestures ``(n, time, 1)``, as from ``data.load_gestures``.
        lengths: the true length of each, ``(n,)``.
        frames: readings per resampled gesture, at least 2.
        mean: the training readings' mean.
        spread: their standard deviation, positive.
    """
    from dlcourse import data

    x = check_array("x", x, ndim=3, shape=(None, None, 1))
    lengths = check_array("lengths", lengths, ndim=1, dtype="int")
    check_same_length(("x", "lengths"), x, lengths)
    if lengths.min() < 1 or lengths.max() > x.shape[1]:
        raise ValueError(
            f"`lengths` must lie between 1 and {x.shape[1]} (the padded length), "
            f"got {int(lengths.min())} to {int(lengths.max())}"
        )
    frames = check_int("frames", frames, minimum=2, maximum=MAX_UNITS)
    mean = check_float("mean", mean)
    spread = check_float("spread", spread, minimum=0.0, exclusive_minimum=True)
    rows = data.resample_sequences(x, lengths, frames)
    return ((rows - mean) / spread).astype(np.float32)[:, :, None]
