"""Seeding, the course-wide run scale, compact progress, a timed ``fit`` and scoring.

Introduced in Chapter 0 ("The toolkit"); every chapter uses :func:`set_seed`,
:func:`run_scale` (or :func:`by_scale`), :func:`fit` and :func:`accuracy`. Keras is
imported inside the functions, so ``import dlcourse.training`` stays cheap and has no
side effects.
"""

from __future__ import annotations

import importlib
import os
import random
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dlcourse._checks import (
    MAX_BATCH_SIZE,
    MAX_EPOCHS,
    check_array,
    check_bool,
    check_int,
    check_same_length,
    check_str,
)

#: The environment variable that chooses how big the chapters train.
SCALE_ENV = "DLCOURSE_SCALE"
#: ``quick`` fits every chapter in about a minute on a laptop CPU; ``full`` trains at
#: the size the text quotes.
RUN_SCALES = ("quick", "full")


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and the Keras backend; ask for deterministic kernels.

    Two runs of a notebook that calls ``set_seed`` first give the same numbers on the
    same machine. Seeding goes through ``keras.utils.set_random_seed``, so it works with
    any Keras backend; only under the TensorFlow backend are deterministic kernels
    requested as well. Introduced in Chapter 0.

    Args:
        seed: a whole number in ``[0, 2**32 - 1]``.
    """
    seed = check_int("seed", seed, minimum=0, maximum=2**32 - 1)
    random.seed(seed)
    np.random.seed(seed)
    import keras

    keras.utils.set_random_seed(seed)
    if keras.config.backend() == "tensorflow":
        # Deterministic kernels exist only under TensorFlow; other backends skip this.
        backend = importlib.import_module("tensorflow")
        backend.config.experimental.enable_op_determinism()


def run_scale() -> str:
    """The course-wide run scale, ``"quick"`` (default) or ``"full"``.

    It is read from the environment variable ``DLCOURSE_SCALE`` (:data:`SCALE_ENV`).

    Chapters size their epochs and data with it, so a learner switches every chapter
    with one setting: ``DLCOURSE_SCALE=full make lab``. Introduced in Chapter 0.
    """
    value = os.environ.get(SCALE_ENV, "quick").strip().lower() or "quick"
    if value not in RUN_SCALES:
        raise ValueError(
            f"the environment variable {SCALE_ENV} must be 'quick' or 'full', "
            f"got {value!r}"
        )
    return value


def by_scale(quick: Any, full: Any) -> Any:
    """Return ``quick`` or ``full`` according to :func:`run_scale` (Chapter 0).

    Args:
        quick: the value at the quick scale (the default).
        full: the value at the full scale.
    """
    return full if run_scale() == "full" else quick


def _format_logs(logs: dict[str, Any]) -> str:
    parts = []
    for key, value in logs.items():
        if isinstance(value, int | float | np.floating | np.integer):
            parts.append(f"{key} {float(value):.4f}")
    return "  ".join(parts)


def _compact_progress_class() -> type:
    import keras

    class CompactProgress(keras.callbacks.Callback):
        """Print one short line every ``every`` epochs; time every epoch.

        ``epoch_seconds`` holds the wall time of each epoch, printed or not.
        """

        def __init__(self, every: int = 1, label: str = "", quiet: bool = False):
            super().__init__()
            self.every = every
            self.label = label
            self.quiet = quiet
            self.epoch_seconds: list[float] = []
            self._epoch_started = 0.0
            self._epochs = 0

        def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
            self._epochs = int(self.params.get("epochs", 0) or 0)

        def on_epoch_begin(
            self, epoch: int, logs: dict[str, Any] | None = None
        ) -> None:
            self._epoch_started = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            seconds = time.perf_counter() - self._epoch_started
            self.epoch_seconds.append(seconds)
            number = epoch + 1
            if self.quiet or (number % self.every and number != self._epochs):
                return
            prefix = f"{self.label}: " if self.label else ""
            print(
                f"{prefix}epoch {number}/{self._epochs}  "
                f"{_format_logs(logs or {})}  ({seconds:.1f} s)"
            )

    return CompactProgress


def compact_progress(every: int = 1, label: str = "") -> Any:
    """A Keras callback that prints one line per epoch (or every ``every`` epochs).

    Keras's own bar writes hundreds of backspace characters into a notebook; this
    writes ``epoch 3/10  loss 0.2345  accuracy 0.9312  (0.4 s)``. The callback keeps
    the seconds of every epoch in its ``epoch_seconds`` list. Introduced in Chapter 0.

    Args:
        every: print every ``every``-th epoch (and the last one).
        label: a prefix for each line, such as the model's name.
    """
    every = check_int("every", every, minimum=1, maximum=MAX_EPOCHS)
    label = check_str("label", label)
    return _compact_progress_class()(every=every, label=label)


@dataclass
class FitResult:
    """What :func:`fit` returns.

    Attributes:
        history: the Keras history, a dict of lists (one value per epoch).
        seconds: the wall time of the whole ``fit``.
        epoch_seconds: the wall time of each epoch, in order.
    """

    history: dict[str, list[float]] = field(default_factory=dict)
    seconds: float = 0.0
    epoch_seconds: list[float] = field(default_factory=list)

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


def _check_model(model: Any, *, compiled: bool) -> Any:
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"`model` must be a keras.Model, got {type(model).__name__}")
    if compiled and (
        getattr(model, "optimizer", None) is None
        or not getattr(model, "compiled", True)
    ):
        raise ValueError(
            "`model` must be compiled first: call "
            "model.compile(optimizer=..., loss=...)"
        )
    return model


def _check_fits_model(model: Any, name: str, x: np.ndarray) -> None:
    """Raise ``ValueError`` unless the rows of ``x`` fit the model's input shape."""
    try:
        wanted = model.input_shape
    except (AttributeError, ValueError):  # a subclassed model not built yet
        return
    if not isinstance(wanted, tuple) or not all(
        size is None or isinstance(size, int) for size in wanted
    ):
        return  # several inputs: Keras checks them
    row = tuple(wanted[1:])
    if len(row) != x.ndim - 1 or any(
        size is not None and size != got
        for size, got in zip(row, x.shape[1:], strict=True)
    ):
        shown = "(rows, " + ", ".join("any" if s is None else str(s) for s in row) + ")"
        raise ValueError(
            f"`{name}` must have the shape the model's input wants, {shown}; "
            f"got shape {x.shape}"
        )


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
    """Train a compiled Keras ``model`` with compact progress; return history and times.

    A thin wrapper over ``model.fit`` that checks its arguments first, so mistakes are
    reported here in plain words rather than from inside TensorFlow. Introduced in
    Chapter 0.

    Args:
        model: a compiled ``keras.Model``.
        x: the inputs, an array with one row per example.
        y: the targets, an array with as many rows as ``x``.
        epochs: passes over the data, at most ``MAX_EPOCHS``.
        batch_size: examples per step, at most ``MAX_BATCH_SIZE``.
        validation_data: a pair ``(x_val, y_val)``, or ``None``.
        progress: print one line per epoch (see :func:`compact_progress`).
        every: with ``progress``, print every ``every``-th epoch and the last.
        callbacks: more Keras callbacks, or ``None``.
        shuffle: shuffle the training rows before each epoch.
    """
    _check_model(model, compiled=True)
    epochs = check_int("epochs", epochs, minimum=1, maximum=MAX_EPOCHS)
    batch_size = check_int("batch_size", batch_size, minimum=1, maximum=MAX_BATCH_SIZE)
    every = check_int("every", every, minimum=1, maximum=MAX_EPOCHS)
    progress = check_bool("progress", progress)
    shuffle = check_bool("shuffle", shuffle)
    x_array = check_array("x", x, dtype="number")
    y_array = check_array("y", y, dtype="number")
    check_same_length(("x", "y"), x_array, y_array)
    _check_fits_model(model, "x", x_array)
    if validation_data is not None:
        if not isinstance(validation_data, tuple | list) or len(validation_data) != 2:
            raise TypeError(
                "`validation_data` must be a pair (x_val, y_val) or None, got "
                f"{type(validation_data).__name__}"
            )
        x_val = check_array("validation_data[0]", validation_data[0], dtype="number")
        y_val = check_array("validation_data[1]", validation_data[1], dtype="number")
        check_same_length(("validation_data[0]", "validation_data[1]"), x_val, y_val)
        _check_fits_model(model, "validation_data[0]", x_val)
        if y_val.shape[1:] != y_array.shape[1:]:
            raise ValueError(
                "`validation_data[1]` must have rows shaped like those of `y`, "
                f"{y_array.shape[1:]}; got shape {y_val.shape}"
            )
        validation_data = (x_val, y_val)
    if callbacks is not None and not isinstance(callbacks, list):
        raise TypeError(
            "`callbacks` must be a list of Keras callbacks or None, "
            f"got {type(callbacks).__name__}"
        )
    import keras

    for index, callback in enumerate(callbacks or []):
        if not isinstance(callback, keras.callbacks.Callback):
            raise TypeError(
                f"`callbacks[{index}]` must be a Keras callback, "
                f"got {type(callback).__name__}"
            )
    timer = _compact_progress_class()(every=every, quiet=not progress)
    started = time.perf_counter()
    history = model.fit(
        x_array,
        y_array,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=validation_data,
        verbose=0,
        callbacks=[*(callbacks or []), timer],
        shuffle=shuffle,
    )
    seconds = time.perf_counter() - started
    return FitResult(
        {k: [float(v) for v in values] for k, values in history.history.items()},
        seconds,
        list(timer.epoch_seconds),
    )


def predict_classes(model: Any, x: Any, *, batch_size: int = 256) -> np.ndarray:
    """The class each row of ``x`` is given by ``model``: a 1-D int64 array.

    The model is called directly on batches of ``batch_size`` rows (cheaper than
    ``model.predict`` on small data, which first builds a graph of its own). An output
    of several units gives the index of the largest; an output of one unit is read as
    the probability of class 1 (class 1 when above 0.5). Introduced in Chapter 0.

    Args:
        model: a ``keras.Model`` (compiled or not).
        x: the inputs, an array with one row per example.
        batch_size: rows per call, at most ``MAX_BATCH_SIZE``.
    """
    import keras

    _check_model(model, compiled=False)
    x_array = check_array("x", x, dtype="number")
    _check_fits_model(model, "x", x_array)
    batch_size = check_int("batch_size", batch_size, minimum=1, maximum=MAX_BATCH_SIZE)
    classes = []
    for start in range(0, len(x_array), batch_size):
        scores = keras.ops.convert_to_numpy(
            model(x_array[start : start + batch_size], training=False)
        )
        if scores.ndim == 1 or scores.shape[-1] == 1:
            classes.append((scores.reshape(len(scores)) > 0.5).astype(np.int64))
        else:
            classes.append(scores.argmax(axis=-1).astype(np.int64))
    return np.concatenate(classes)


def label_accuracy(y_true: Any, y_pred: Any) -> float:
    """The fraction of labels in ``y_pred`` equal to ``y_true`` (1-D integer arrays).

    Use it for predictions that do not come from a Keras model (a baseline, a
    scikit-learn classifier); for a model, :func:`accuracy` predicts and scores in one
    call. Introduced in Chapter 0.

    Args:
        y_true: the true labels.
        y_pred: the predicted labels, as many as ``y_true``.
    """
    y_true = check_array("y_true", y_true, ndim=1, dtype="int")
    y_pred = check_array("y_pred", y_pred, ndim=1, dtype="int")
    check_same_length(("y_true", "y_pred"), y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def accuracy(model: Any, x: Any, y: Any, *, batch_size: int = 256) -> float:
    """The fraction of rows of ``x`` whose label ``y`` the ``model`` predicts right.

    :func:`predict_classes` then :func:`label_accuracy`. Introduced in Chapter 0.

    Args:
        model: a ``keras.Model``.
        x: the inputs, an array with one row per example.
        y: the true labels, a 1-D integer array with one label per row of ``x``.
        batch_size: rows per call of the model, at most ``MAX_BATCH_SIZE``.
    """
    _check_model(model, compiled=False)
    x_array = check_array("x", x, dtype="number")
    y_true = check_array("y", y, ndim=1, dtype="int")
    check_same_length(("x", "y"), x_array, y_true)
    if y_true.min() < 0:
        raise ValueError(
            f"`y` must hold class numbers 0, 1, 2, ...; got {int(y_true.min())}"
        )
    predicted = predict_classes(model, x_array, batch_size=batch_size)
    return float(np.mean(predicted == y_true))


class Stopwatch:
    """A context manager that measures wall time.

    ``with Stopwatch() as watch: ...`` then ``watch.seconds``. Introduced in Chapter 0;
    chapters use it to time what :func:`fit` does not, such as a scikit-learn baseline.
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0

    def __enter__(self) -> Stopwatch:
        self._started = time.perf_counter()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.seconds = time.perf_counter() - self._started
