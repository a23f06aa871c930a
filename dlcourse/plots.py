"""Shared plots: learning curves, image and weight grids, confusion matrices.

Every helper takes ``ax=None``: given a Matplotlib ``Axes`` it draws into it (a panel
of a figure the notebook made), otherwise it makes a figure of its own. Every helper
returns the Axes it drew into: a single ``Axes``, except :func:`plot_learning_curves`,
which draws one panel per metric and returns the list of them. ``axes[0].figure`` is
the figure. Introduced in Chapter 0 ("The toolkit").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from dlcourse._checks import (
    MAX_COUNT,
    check_array,
    check_float,
    check_int,
    check_same_length,
    check_str,
)

#: The most panels or images one plot draws (more would not be readable).
MAX_PANELS = 1_000
#: The most classes a confusion matrix shows.
MAX_CLASSES = 100


def _pyplot() -> Any:
    import matplotlib.pyplot as plt

    return plt


def _check_axes(ax: Any) -> Any:
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(
            f"`ax` must be a Matplotlib Axes or None, got {type(ax).__name__}"
        )
    return ax


def plot_learning_curves(
    history: Mapping[str, Sequence[float]] | Any,
    metrics: Sequence[str] | None = None,
    *,
    title: str = "",
    ax: Any = None,
) -> list[Any]:
    """Plot training (and validation) curves per epoch, one panel per metric.

    Args:
        history: a dict of lists (``FitResult.history`` or ``History.history``), or an
            object with a ``.history`` dict.
        metrics: the metrics to plot; default every key without the ``val_`` prefix.
        title: a title above the panels (or above the one panel).
        ax: one Axes per metric (a single Axes for one metric), or ``None`` for a new
            figure.

    Returns the list of Axes, one per metric. Introduced in Chapter 0.
    """
    if hasattr(history, "history") and isinstance(history.history, Mapping):
        history = history.history
    if not isinstance(history, Mapping) or not history:
        raise TypeError(
            "`history` must be a non-empty dict of metric lists, "
            f"got {type(history).__name__}"
        )
    if metrics is None:
        metrics = [key for key in history if not key.startswith("val_")]
    if isinstance(metrics, str) or not isinstance(metrics, Sequence) or not metrics:
        raise TypeError("`metrics` must be a non-empty list of metric names")
    if len(metrics) > MAX_PANELS:
        raise ValueError(f"`metrics` must name at most {MAX_PANELS} metrics")
    curves = {}
    for metric in metrics:
        if not isinstance(metric, str) or metric not in history:
            raise ValueError(
                f"`metrics` names {metric!r}, which is not in the history; "
                f"it has {sorted(map(str, history))}"
            )
        for key in (metric, f"val_{metric}"):
            if key in history:
                curves[key] = check_array(f"history[{key!r}]", history[key], ndim=1)
    check_str("title", title)
    if ax is None:
        figure, grid = _pyplot().subplots(
            1, len(metrics), figsize=(4.2 * len(metrics), 3.2), squeeze=False
        )
        axes = list(grid[0])
    else:
        given = [ax] if not isinstance(ax, Sequence | np.ndarray) else list(ax)
        if len(given) != len(metrics):
            raise ValueError(
                f"`ax` must hold one Axes per metric ({len(metrics)}), got {len(given)}"
            )
        axes = [_check_axes(axis) for axis in given]
        figure = None
    for axis, metric in zip(axes, metrics, strict=True):
        values = curves[metric]
        axis.plot(np.arange(1, len(values) + 1), values, "o-", ms=3, label="training")
        if f"val_{metric}" in curves:
            values = curves[f"val_{metric}"]
            epochs = np.arange(1, len(values) + 1)
            axis.plot(epochs, values, "o-", ms=3, label="validation")
        axis.set_xlabel("epoch")
        axis.set_ylabel(metric.replace("_", " "))
        axis.grid(alpha=0.3)
        axis.legend(frameon=False)
    if title and figure is not None:
        figure.suptitle(title)
        figure.tight_layout()
    elif title:
        axes[0].set_title(title)
    elif figure is not None:
        figure.tight_layout()
    return axes


def _steps(height: int, width: int, labelled: bool) -> tuple[int, int]:
    """Rows and columns from one tile to the next: the tile and a blank gap after it.

    The gaps grow with the tiles, so that they stay visible; with labels, the gap
    between rows leaves room for the label above each tile.
    """
    row_gap = int(np.ceil((0.45 if labelled else 0.15) * height))
    return height + row_gap, width + int(np.ceil(0.15 * width))


def _mosaic(tiles: np.ndarray, columns: int, labelled: bool) -> np.ndarray:
    """Tiles ``(n, height, width)`` in rows of ``columns``, with NaN between them."""
    count, height, width = tiles.shape
    rows = int(np.ceil(count / columns))
    row_step, column_step = _steps(height, width, labelled)
    gap_below, gap_right = row_step - height, column_step - width
    mosaic = np.full(
        (rows * row_step - gap_below, columns * column_step - gap_right), np.nan
    )
    for index in range(count):
        top, left = (index // columns) * row_step, (index % columns) * column_step
        mosaic[top : top + height, left : left + width] = tiles[index]
    return mosaic


def _grid_axes(
    ax: Any, columns: int, rows: int, size: float, title: str, *, label_space: float
) -> Any:
    if ax is not None:
        return _check_axes(ax)
    height = size * (1 + label_space) * rows + (0.3 if title else 0)
    _, axis = _pyplot().subplots(figsize=(size * columns, height))
    return axis


def _draw_mosaic(
    axis: Any,
    tiles: np.ndarray,
    columns: int,
    labels: Sequence[Any] | None,
    title: str,
    **imshow: Any,
) -> None:
    import matplotlib

    colour_map = matplotlib.colormaps[imshow.pop("cmap")].with_extremes(bad="white")
    labelled = labels is not None
    axis.imshow(
        _mosaic(tiles, columns, labelled),
        cmap=colour_map,
        interpolation="nearest",
        **imshow,
    )
    axis.axis("off")
    if labelled:
        height, width = tiles.shape[1:]
        row_step, column_step = _steps(height, width, labelled)
        for index, label in enumerate(labels):
            top = (index // columns) * row_step
            left = (index % columns) * column_step
            axis.text(
                left + (width - 1) / 2,
                top - 0.6,
                str(label),
                ha="center",
                va="bottom",
                fontsize=9,
            )
    if title:
        axis.set_title(title, pad=14 if labels is not None else 6)
    if len(axis.figure.axes) == 1:
        axis.figure.tight_layout(pad=0.3)


def plot_image_grid(
    images: Any,
    labels: Sequence[Any] | None = None,
    *,
    columns: int = 10,
    cmap: str = "gray_r",
    title: str = "",
    size: float = 1.0,
    ax: Any = None,
) -> Any:
    """Show a batch of 2-D images in a grid, each with an optional label above it.

    Args:
        images: an array ``(n, height, width)`` (or ``(n, height, width, 1)``).
        labels: one label per image, or ``None``.
        columns: images per row.
        cmap: a Matplotlib colour map name.
        title: a title above the grid.
        size: the width of one image in inches, when a new figure is made.
        ax: the Axes to draw the grid into, or ``None`` for a new figure.

    Returns the Axes. Introduced in Chapter 0.
    """
    array = check_array("images", images, ndim=(3, 4))
    if array.ndim == 4:
        if array.shape[-1] != 1:
            raise ValueError(
                "`images` must be grey-scale, (n, height, width) or "
                f"(n, height, width, 1); got shape {array.shape}"
            )
        array = array[..., 0]
    if len(array) > MAX_PANELS:
        raise ValueError(
            f"`images` must hold at most {MAX_PANELS} images, got {len(array)}"
        )
    columns = check_int("columns", columns, minimum=1, maximum=MAX_COUNT)
    if labels is not None:
        if (
            isinstance(labels, str | bytes | Mapping)
            or not hasattr(labels, "__len__")
            or len(labels) != len(array)
        ):
            raise ValueError(
                f"`labels` must have one entry per image ({len(array)}), "
                f"got {labels!r:.60}"
            )
    cmap = _check_cmap(cmap)
    check_str("title", title)
    size = check_float("size", size, minimum=0.1, maximum=10.0)
    columns = min(columns, len(array))
    rows = int(np.ceil(len(array) / columns))
    # Each image gets its own grey scale, from its smallest value to its largest.
    low = array.min(axis=(1, 2), keepdims=True)
    spread = array.max(axis=(1, 2), keepdims=True) - low
    scaled = (array - low) / np.where(spread > 0, spread, 1.0)
    axis = _grid_axes(ax, columns, rows, size, title, label_space=0.15)
    _draw_mosaic(axis, scaled, columns, labels, title, cmap=cmap, vmin=0, vmax=1)
    return axis


def _check_cmap(cmap: Any) -> str:
    import matplotlib

    check_str("cmap", cmap)
    if cmap not in matplotlib.colormaps:
        raise ValueError(
            f"`cmap` must be a Matplotlib colour map such as 'gray_r', got {cmap!r:.60}"
        )
    return cmap


def plot_weight_grid(
    weights: Any,
    image_shape: tuple[int, int],
    *,
    columns: int = 10,
    title: str = "",
    size: float = 1.0,
    ax: Any = None,
) -> Any:
    """Show the columns of a weight matrix (or a stack of filters) as images.

    Each image is scaled symmetrically about zero with a diverging colour map, so white
    means zero, red positive and blue negative.

    Args:
        weights: ``(pixels, units)`` for a dense layer or an RBM, each column reshaped
            to ``image_shape``; or ``(height, width, 1, filters)``, a Conv2D kernel.
        image_shape: the ``(height, width)`` of one image.
        columns: images per row.
        title: a title above the grid.
        size: the width of one image in inches, when a new figure is made.
        ax: the Axes to draw the grid into, or ``None`` for a new figure.

    Returns the Axes. Introduced in Chapter 0.
    """
    array = check_array("weights", weights, ndim=(2, 4))
    if (
        not isinstance(image_shape, tuple)
        or len(image_shape) != 2
        or not all(
            isinstance(n, int) and not isinstance(n, bool) and 0 < n <= MAX_COUNT
            for n in image_shape
        )
    ):
        raise TypeError(
            "`image_shape` must be a pair of positive ints like (28, 28), "
            f"got {image_shape!r:.60}"
        )
    if array.ndim == 4:
        if array.shape[2] != 1:
            raise ValueError(
                "`weights` as a Conv2D kernel must have one input channel, "
                f"got shape {array.shape}"
            )
        filters = np.moveaxis(array[:, :, 0, :], -1, 0)
    else:
        if array.shape[0] != image_shape[0] * image_shape[1]:
            raise ValueError(
                f"`weights` has {array.shape[0]} rows, which cannot be shown as images "
                f"of shape {image_shape} ({image_shape[0] * image_shape[1]} pixels)"
            )
        filters = array.T.reshape(-1, *image_shape)
    if len(filters) > MAX_PANELS:
        raise ValueError(
            f"`weights` must hold at most {MAX_PANELS} units, got {len(filters)}"
        )
    columns = check_int("columns", columns, minimum=1, maximum=MAX_COUNT)
    check_str("title", title)
    size = check_float("size", size, minimum=0.1, maximum=10.0)
    limits = np.abs(filters).reshape(len(filters), -1).max(axis=1)
    scaled = filters / np.where(limits > 0, limits, 1.0)[:, None, None]
    columns = min(columns, len(filters))
    rows = int(np.ceil(len(filters) / columns))
    axis = _grid_axes(ax, columns, rows, size, title, label_space=0.0)
    _draw_mosaic(axis, scaled, columns, None, title, cmap="RdBu_r", vmin=-1, vmax=1)
    return axis


def plot_confusion_matrix(
    y_true: Any,
    y_pred: Any,
    class_names: Sequence[str] | None = None,
    *,
    title: str = "",
    ax: Any = None,
) -> Any:
    """Plot the confusion matrix of integer labels: rows true, columns predicted.

    Args:
        y_true: the true labels 0, 1, 2, ... (a 1-D integer array).
        y_pred: the predicted labels, as many as ``y_true``.
        class_names: a name for each class, or ``None`` for the numbers.
        title: the title; default the accuracy.
        ax: the Axes to draw into, or ``None`` for a new figure.

    Returns the Axes. Introduced in Chapter 0; the CNN chapter reads mistakes off it.
    """
    y_true = check_array("y_true", y_true, ndim=1, dtype="int")
    y_pred = check_array("y_pred", y_pred, ndim=1, dtype="int")
    check_same_length(("y_true", "y_pred"), y_true, y_pred)
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if labels.min() < 0 or labels.max() >= MAX_CLASSES:
            raise ValueError(
                f"`{name}` must hold class numbers 0, 1, 2, ... below {MAX_CLASSES}; "
                f"got {int(labels.min())} to {int(labels.max())}"
            )
    classes = int(max(y_true.max(), y_pred.max())) + 1
    if class_names is not None:
        if (
            isinstance(class_names, str | bytes | Mapping)
            or not isinstance(class_names, Sequence | np.ndarray)
            or not classes <= len(class_names) <= MAX_CLASSES
        ):
            raise ValueError(
                f"`class_names` must name all {classes} classes, "
                f"got {class_names!r:.60}"
            )
        classes = len(class_names)
    check_str("title", title)
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    names = (
        [str(name) for name in class_names]
        if class_names is not None
        else [str(i) for i in range(classes)]
    )
    if ax is None:
        side = max(3.2, 0.42 * classes + 1.2)
        _, axis = _pyplot().subplots(figsize=(side, side))
    else:
        axis = _check_axes(ax)
    axis.imshow(matrix, cmap="Blues")
    threshold = matrix.max() / 2 if matrix.max() else 1
    for row, column in zip(*np.nonzero(matrix), strict=True):
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
    if ax is None:
        axis.figure.tight_layout()
    return axis
