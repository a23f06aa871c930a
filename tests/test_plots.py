"""Each plot returns a Matplotlib figure and rejects bad arguments with a clear message."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dlcourse import plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_learning_curves_one_panel_per_metric_with_validation():
    history = {
        "loss": [1.0, 0.5],
        "val_loss": [1.1, 0.7],
        "accuracy": [0.5, 0.8],
        "val_accuracy": [0.4, 0.7],
    }
    figure = plots.plot_learning_curves(history)
    assert len(figure.axes) == 2
    assert [line.get_label() for line in figure.axes[0].lines] == [
        "training",
        "validation",
    ]
    with pytest.raises(ValueError, match="`metrics` names 'auc'"):
        plots.plot_learning_curves(history, ["auc"])
    with pytest.raises(TypeError, match="`history` must be a non-empty dict"):
        plots.plot_learning_curves([1, 2])


def test_image_grid_labels_and_shape_checks():
    images = np.random.default_rng(0).random((12, 8, 8))
    figure = plots.plot_image_grid(images, labels=list(range(12)), columns=5)
    assert len(figure.axes) == 15
    assert plots.plot_image_grid(images[..., None]).axes
    with pytest.raises(ValueError, match="`images` must have 3 or 4 dimensions"):
        plots.plot_image_grid(images[0])
    with pytest.raises(ValueError, match="`labels` must have one entry per image"):
        plots.plot_image_grid(images, labels=[1, 2])
    with pytest.raises(ValueError, match="`images` must be grey-scale"):
        plots.plot_image_grid(np.zeros((2, 4, 4, 3)))


def test_weight_grid_from_dense_and_conv_kernels():
    assert len(plots.plot_weight_grid(np.ones((64, 10)), (8, 8)).axes) == 10
    assert (
        len(plots.plot_weight_grid(np.ones((3, 3, 1, 6)), (3, 3), columns=3).axes) == 6
    )
    with pytest.raises(
        ValueError,
        match="`weights` has 63 rows, which cannot be shown as images of shape",
    ):
        plots.plot_weight_grid(np.ones((63, 10)), (8, 8))
    with pytest.raises(
        TypeError, match="`image_shape` must be a pair of positive ints"
    ):
        plots.plot_weight_grid(np.ones((64, 10)), [8, 8])


def test_confusion_matrix_counts():
    figure = plots.plot_confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2])
    assert figure.axes[0].get_title() == "accuracy 75.0%"
    with pytest.raises(
        ValueError, match="`y_true` and `y_pred` must have the same number of rows"
    ):
        plots.plot_confusion_matrix([0, 1], [0])
    with pytest.raises(ValueError, match="`class_names` must name all 3 classes"):
        plots.plot_confusion_matrix([0, 1, 2], [0, 1, 2], class_names=["a", "b"])
    with pytest.raises(ValueError, match="got a negative label"):
        plots.plot_confusion_matrix([0, -1], [0, 1])
