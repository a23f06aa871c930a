"""Seeding, the course-wide scale setting, compact progress, and a timed ``fit``.

Introduced in Chapter 0 ("The toolkit"); every chapter uses :func:`set_seed`, :func:`scale` and
:func:`fit`. Keras and TensorFlow are imported inside the functions, so ``import dlcourse.training`` stays
cheap and has no side effects.
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dlcourse._checks import (
    check_array,
    check_bool,
    check_choice,
    check_int,
    check_same_length,
)

#: The environment variable that chooses how big the chapters train.
SCALE_VARIABLE = "DLCOURSE_SCALE"
#: ``quick`` fits every chapter in about a minute on a laptop CPU; ``full`` trains at the size the text quotes.
SCALES = ("quick", "full")


def set_seed(seed: int) -> None:
    """Seed Python, NumPy, Keras and TensorFlow, and ask TensorFlow for deterministic kernels.

    Two runs of a notebook that calls ``set_seed`` first give the same numbers on the same machine.
    Introduced in Chapter 0.
    """
    seed = check_int("seed", seed, minimum=0, maximum=2**32 - 1)
    random.seed(seed)
    np.random.seed(seed)
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def scale() -> str:
    """The course-wide scale, ``"quick"`` (default) or ``"full"``, read from ``DLCOURSE_SCALE``.

    Chapters size their epochs and data with it, so a learner switches every chapter with one setting:
    ``DLCOURSE_SCALE=full make lab``. Introduced in Chapter 0.
    """
    value = os.environ.get(SCALE_VARIABLE, "quick").strip().lower() or "quick"
    if value not in SCALES:
        raise ValueError(
            f"the environment variable {SCALE_VARIABLE} must be 'quick' or 'full', got {value!r}"
        )
    return value


def by_scale(quick: Any, full: Any) -> Any:
    """Return ``quick`` or ``full`` according to :func:`scale`. Introduced in Chapter 0."""
    return full if scale() == "full" else quick


def _format_logs(logs: dict[str, Any]) -> str:
    parts = []
    for key, value in logs.items():
        if isinstance(value, int | float | np.floating | np.integer):
            parts.append(f"{key} {float(value):.4f}")
    return "  ".join(parts)


def _compact_progress_class() -> type:
    import keras

    class CompactProgress(keras.callbacks.Callback):
        """Print one short line per epoch (or every ``every`` epochs) instead of Keras's progress bar."""

        def __init__(self, every: int = 1, label: str = "") -> None:
            super().__init__()
            self.every = every
            self.label = label
            self._epoch_started = 0.0
            self._epochs = 0

        def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
            self._epochs = int(self.params.get("epochs", 0) or 0)

        def on_epoch_begin(
            self, epoch: int, logs: dict[str, Any] | None = None
        ) -> None:
            self._epoch_started = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            number = epoch + 1
            if number % self.every and number != self._epochs:
                return
            seconds = time.perf_counter() - self._epoch_started
            prefix = f"{self.label}: " if self.label else ""
            print(
                f"{prefix}epoch {number}/{self._epochs}  {_format_logs(logs or {})}  ({seconds:.1f} s)"
            )

    return CompactProgress


def compact_progress(every: int = 1, label: str = "") -> Any:
    """A Keras callback that prints one line per epoch (or every ``every`` epochs).

    Keras's own bar writes hundreds of backspace characters into a notebook; this writes
    ``epoch 3/10  loss 0.2345  accuracy 0.9312  (0.4 s)``. Introduced in Chapter 0.
    """
    every = check_int("every", every, minimum=1)
    if not isinstance(label, str):
        raise TypeError(f"`label` must be a string, got {type(label).__name__}")
    return _compact_progress_class()(every=every, label=label)


@dataclass
class FitResult:
    """What :func:`fit` returns: the Keras history as a dict of lists, and the wall time in seconds."""

    history: dict[str, list[float]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def epochs(self) -> int:
        """How many epochs ran."""
        return len(next(iter(self.history.values()), []))

    def last(self, metric: str) -> float:
        """The final value of ``metric`` (for example ``"val_accuracy"``)."""
        if metric not in self.history:
            raise KeyError(
                f"no metric {metric!r} in the history; it has {sorted(self.history)}"
            )
        return float(self.history[metric][-1])


def fit(
    model: Any,
    x: Any,
    y: Any,
    *,
    epochs: int,
    batch_size: int = 32,
    validation_data: tuple[Any, Any] | None = None,
    progress: bool = True,
    every: int = 1,
    callbacks: list[Any] | None = None,
    shuffle: bool = True,
) -> FitResult:
    """Train a compiled Keras ``model`` with compact progress; return its history and wall time.

    A thin wrapper over ``model.fit`` that checks its arguments first, so mistakes are reported here in
    plain words rather than from inside TensorFlow. Introduced in Chapter 0.
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"`model` must be a keras.Model, got {type(model).__name__}")
    if getattr(model, "optimizer", None) is None or not getattr(
        model, "compiled", True
    ):
        raise ValueError(
            "`model` must be compiled first: call model.compile(optimizer=..., loss=...)"
        )
    epochs = check_int("epochs", epochs, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    every = check_int("every", every, minimum=1)
    progress = check_bool("progress", progress)
    shuffle = check_bool("shuffle", shuffle)
    x_array = check_array("x", x, dtype="any")
    y_array = check_array("y", y, dtype="any")
    check_same_length(("x", "y"), x_array, y_array)
    if validation_data is not None:
        if not isinstance(validation_data, tuple | list) or len(validation_data) != 2:
            raise TypeError("`validation_data` must be a pair (x_val, y_val) or None")
        x_val = check_array("validation_data[0]", validation_data[0], dtype="any")
        y_val = check_array("validation_data[1]", validation_data[1], dtype="any")
        check_same_length(("validation_data[0]", "validation_data[1]"), x_val, y_val)
        validation_data = (x_val, y_val)
    if callbacks is not None and not isinstance(callbacks, list):
        raise TypeError(
            f"`callbacks` must be a list of Keras callbacks or None, got {type(callbacks).__name__}"
        )
    all_callbacks = list(callbacks or [])
    if progress:
        all_callbacks.append(compact_progress(every=every))
    started = time.perf_counter()
    history = model.fit(
        x_array,
        y_array,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=validation_data,
        verbose=0,
        callbacks=all_callbacks,
        shuffle=shuffle,
    )
    seconds = time.perf_counter() - started
    return FitResult(
        {k: [float(v) for v in values] for k, values in history.history.items()},
        seconds,
    )


class Stopwatch:
    """A context manager that measures wall time: ``with Stopwatch() as watch: ...; watch.seconds``.

    Introduced in Chapter 0; chapters use it to report seconds per epoch.
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0

    def __enter__(self) -> Stopwatch:
        self._started = time.perf_counter()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.seconds = time.perf_counter() - self._started


def accuracy(y_true: Any, y_pred: Any) -> float:
    """The fraction of labels in ``y_pred`` equal to ``y_true`` (both 1-D integer arrays).

    Introduced in Chapter 0.
    """
    y_true = check_array("y_true", y_true, ndim=1, dtype="int")
    y_pred = check_array("y_pred", y_pred, ndim=1, dtype="int")
    check_same_length(("y_true", "y_pred"), y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def choose_scale(value: str) -> None:
    """Set the course-wide scale for this process (``"quick"`` or ``"full"``); same as the environment variable.

    Introduced in Chapter 0.
    """
    check_choice("value", value, SCALES)
    os.environ[SCALE_VARIABLE] = value
