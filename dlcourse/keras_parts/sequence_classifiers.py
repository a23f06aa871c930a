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
