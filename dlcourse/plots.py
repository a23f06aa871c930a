"""Plots the chapters share: learning curves, image grids, weight grids, confusion matrices.

Each function draws with Matplotlib and returns the ``Figure``, so a notebook shows it and a test can
inspect it. Introduced in Chapter 0 ("The toolkit").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from dlcourse._checks import check_array, check_int, check_same_length, check_str


def _pyplot() -> Any:
    import matplotlib.pyplot as plt

    return plt


def plot_learning_curves(
    history: Mapping[str, Sequence[float]] | Any,
    metrics: Sequence[str] | None = None,
    *,
    title: str = "",
) -> Any:
    """Plot training (and validation) curves per epoch, one panel per metric.

    ``history`` is a dict of lists (``FitResult.history`` or ``keras.callbacks.History.history``), or an
    object with a ``.history`` dict. ``metrics`` defaults to every key without the ``val_`` prefix.
    Introduced in Chapter 0.
    """
    if hasattr(history, "history") and isinstance(history.history, Mapping):
        history = history.history
    if not isinstance(history, Mapping) or not history:
        raise TypeError(
            f"`history` must be a non-empty dict of metric lists, got {type(history).__name__}"
        )
    if metrics is None:
        metrics = [key for key in history if not key.startswith("val_")]
    if isinstance(metrics, str) or not isinstance(metrics, Sequence) or not metrics:
        raise TypeError("`metrics` must be a non-empty list of metric names")
    for metric in metrics:
        if metric not in history:
            raise ValueError(
                f"`metrics` names {metric!r}, which is not in the history; it has {sorted(history)}"
            )
    check_str("title", title)
    plt = _pyplot()
    figure, axes = plt.subplots(
        1, len(metrics), figsize=(4.2 * len(metrics), 3.2), squeeze=False
    )
    for axis, metric in zip(axes[0], metrics, strict=True):
        values = np.asarray(history[metric], dtype=float)
        epochs = np.arange(1, len(values) + 1)
        axis.plot(epochs, values, marker="o", markersize=3, label="training")
        if f"val_{metric}" in history:
            axis.plot(
                epochs,
                np.asarray(history[f"val_{metric}"], dtype=float),
                marker="o",
                markersize=3,
                label="validation",
            )
        axis.set_xlabel("epoch")
        axis.set_ylabel(metric.replace("_", " "))
        axis.grid(alpha=0.3)
        axis.legend(frameon=False)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def plot_image_grid(
    images: Any,
    labels: Sequence[Any] | None = None,
    *,
    columns: int = 10,
    cmap: str = "gray_r",
    title: str = "",
    size: float = 1.0,
) -> Any:
    """Show a batch of 2-D images in a grid, each with an optional label above it.

    ``images`` has shape ``(n, height, width)`` (or ``(n, height, width, 1)``). Introduced in Chapter 0.
    """
    array = check_array("images", images, ndim=(3, 4))
    if array.ndim == 4:
        if array.shape[-1] != 1:
            raise ValueError(
                f"`images` must be grey-scale, (n, height, width) or (n, height, width, 1); got shape {array.shape}"
            )
        array = array[..., 0]
    columns = check_int("columns", columns, minimum=1)
    if labels is not None:
        if isinstance(labels, str) or len(labels) != len(array):
            raise ValueError(
                f"`labels` must have one entry per image ({len(array)}), got {labels!r:.60}"
            )
    check_str("cmap", cmap)
    check_str("title", title)
    count = len(array)
    columns = min(columns, count)
    rows = int(np.ceil(count / columns))
    plt = _pyplot()
    figure, axes = plt.subplots(
        rows,
        columns,
        figsize=(size * columns, size * 1.15 * rows + (0.3 if title else 0)),
        squeeze=False,
    )
    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index < count:
            axis.imshow(array[index], cmap=cmap, interpolation="nearest")
            if labels is not None:
                axis.set_title(str(labels[index]), fontsize=9, pad=2)
    if title:
        figure.suptitle(title)
    figure.tight_layout(pad=0.3)
    return figure


def plot_weight_grid(
    weights: Any,
    image_shape: tuple[int, int],
    *,
    columns: int = 10,
    title: str = "",
    size: float = 1.0,
) -> Any:
    """Show the columns of a weight matrix (or a stack of filters) as images with a diverging colour map.

    ``weights`` is ``(pixels, units)`` for a dense layer or an RBM, reshaped to ``image_shape`` per unit, or
    ``(height, width, 1, filters)`` for a Keras ``Conv2D`` kernel. Each image is scaled symmetrically about
    zero, so white means zero, red positive and blue negative. Introduced in Chapter 0.
    """
    array = check_array("weights", weights, ndim=(2, 4))
    if (
        not isinstance(image_shape, tuple)
        or len(image_shape) != 2
        or not all(isinstance(n, int) and n > 0 for n in image_shape)
    ):
        raise TypeError(
            f"`image_shape` must be a pair of positive ints like (28, 28), got {image_shape!r}"
        )
    if array.ndim == 4:
        if array.shape[2] != 1:
            raise ValueError(
                f"`weights` as a Conv2D kernel must have one input channel, got shape {array.shape}"
            )
        filters = np.moveaxis(array[:, :, 0, :], -1, 0)
    else:
        if array.shape[0] != image_shape[0] * image_shape[1]:
            raise ValueError(
                f"`weights` has {array.shape[0]} rows, which cannot be shown as images of shape {image_shape} "
                f"({image_shape[0] * image_shape[1]} pixels)"
            )
        filters = array.T.reshape(-1, *image_shape)
    columns = check_int("columns", columns, minimum=1)
    check_str("title", title)
    count = len(filters)
    columns = min(columns, count)
    rows = int(np.ceil(count / columns))
    plt = _pyplot()
    figure, axes = plt.subplots(
        rows,
        columns,
        figsize=(size * columns, size * rows + (0.3 if title else 0)),
        squeeze=False,
    )
    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index < count:
            limit = float(np.abs(filters[index]).max()) or 1.0
            axis.imshow(
                filters[index],
                cmap="RdBu_r",
                vmin=-limit,
                vmax=limit,
                interpolation="nearest",
            )
    if title:
        figure.suptitle(title)
    figure.tight_layout(pad=0.2)
    return figure


def plot_confusion_matrix(
    y_true: Any,
    y_pred: Any,
    class_names: Sequence[str] | None = None,
    *,
    title: str = "",
) -> Any:
    """Plot the confusion matrix of integer labels: rows are true classes, columns predicted ones.

    Introduced in Chapter 0; the CNN chapter reads its mistakes off it.
    """
    y_true = check_array("y_true", y_true, ndim=1, dtype="int")
    y_pred = check_array("y_pred", y_pred, ndim=1, dtype="int")
    check_same_length(("y_true", "y_pred"), y_true, y_pred)
    if y_true.min() < 0 or y_pred.min() < 0:
        raise ValueError(
            "`y_true` and `y_pred` must hold class numbers 0, 1, 2, ...; got a negative label"
        )
    classes = int(max(y_true.max(), y_pred.max())) + 1
    if class_names is not None:
        if isinstance(class_names, str) or len(class_names) < classes:
            raise ValueError(
                f"`class_names` must name all {classes} classes, got {class_names!r:.60}"
            )
        classes = len(class_names)
    check_str("title", title)
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    names = (
        list(class_names)
        if class_names is not None
        else [str(i) for i in range(classes)]
    )
    plt = _pyplot()
    side = max(3.2, 0.42 * classes + 1.2)
    figure, axis = plt.subplots(figsize=(side, side))
    axis.imshow(matrix, cmap="Blues")
    threshold = matrix.max() / 2 if matrix.max() else 1
    for row in range(classes):
        for column in range(classes):
            if matrix[row, column]:
                axis.text(
                    column,
                    row,
                    str(matrix[row, column]),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if matrix[row, column] > threshold else "black",
                )
    axis.set_xticks(range(classes), names)
    axis.set_yticks(range(classes), names)
    axis.set_xlabel("predicted")
    axis.set_ylabel("true")
    axis.set_title(title or f"accuracy {np.trace(matrix) / matrix.sum():.1%}")
    figure.tight_layout()
    return figure
