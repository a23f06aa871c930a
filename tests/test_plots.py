"""Each plot draws into a given Axes or its own, returns it, and rejects bad input."""

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
    axes = plots.plot_learning_curves(history)
    assert len(axes) == 2 and axes[0].figure.axes == axes
    assert [line.get_label() for line in axes[0].lines] == [
        "training",
        "validation",
    ]
    with pytest.raises(ValueError, match="`metrics` names 'auc'"):
        plots.plot_learning_curves(history, ["auc"])
    with pytest.raises(TypeError, match="`history` must be a non-empty dict"):
        plots.plot_learning_curves([1, 2])


def test_image_grid_labels_and_shape_checks():
    images = np.random.default_rng(0).random((12, 8, 8))
    axis = plots.plot_image_grid(images, labels=list(range(12)), columns=5)
    assert len(axis.texts) == 12 and axis.texts[11].get_text() == "11"
    # Three rows of five 8x8 images; blank gaps between them (taller, for the labels).
    assert axis.images[0].get_array().shape == (3 * 12 - 4, 5 * 10 - 2)
    unlabelled = plots.plot_image_grid(images, columns=5)
    assert unlabelled.images[0].get_array().shape == (3 * 10 - 2, 5 * 10 - 2)
    assert plots.plot_image_grid(images[..., None]).images
    with pytest.raises(ValueError, match="`images` must have 3 or 4 dimensions"):
        plots.plot_image_grid(images[0])
    with pytest.raises(ValueError, match="`labels` must have one entry per image"):
        plots.plot_image_grid(images, labels=[1, 2])
    with pytest.raises(ValueError, match="`images` must be grey-scale"):
        plots.plot_image_grid(np.zeros((2, 4, 4, 3)))


def test_weight_grid_from_dense_and_conv_kernels():
    axis = plots.plot_weight_grid(np.ones((64, 10)), (8, 8))
    assert axis.images[0].get_array().shape == (8, 10 * 10 - 2)
    axis = plots.plot_weight_grid(np.ones((3, 3, 1, 6)), (3, 3), columns=3)
    assert axis.images[0].get_array().shape == (7, 11)
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
    axis = plots.plot_confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2])
    assert axis.get_title() == "accuracy 75.0%"
    np.testing.assert_array_equal(
        axis.images[0].get_array(), [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    )
    with pytest.raises(
        ValueError, match="`y_true` and `y_pred` must have the same number of rows"
    ):
        plots.plot_confusion_matrix([0, 1], [0])
    with pytest.raises(ValueError, match="`class_names` must name all 3 classes"):
        plots.plot_confusion_matrix([0, 1, 2], [0, 1, 2], class_names=["a", "b"])
    with pytest.raises(ValueError, match="`y_true` must hold class numbers"):
        plots.plot_confusion_matrix([0, -1], [0, 1])


def test_every_plot_draws_into_the_axes_it_is_given():
    figure, axes = plt.subplots(2, 3)
    history = {"loss": [1.0, 0.5], "accuracy": [0.5, 0.7]}
    drawn = [
        plots.plot_confusion_matrix([0, 1], [0, 0], ax=axes[0, 0]),
        plots.plot_image_grid(np.ones((4, 3, 3)), ax=axes[0, 1]),
        plots.plot_weight_grid(np.ones((9, 2)), (3, 3), ax=axes[0, 2]),
    ]
    assert drawn == list(axes[0])
    assert plots.plot_learning_curves(history, ax=axes[1, :2]) == list(axes[1, :2])
    assert plots.plot_learning_curves(history, ["loss"], ax=axes[1, 2]) == [axes[1, 2]]
    assert all(axis.has_data() for axis in axes.flat)
    assert len(plt.get_fignums()) == 1
    with pytest.raises(TypeError, match="`ax` must be a Matplotlib Axes"):
        plots.plot_confusion_matrix([0, 1], [0, 0], ax=figure)
    with pytest.raises(ValueError, match="`ax` must hold one Axes per metric"):
        plots.plot_learning_curves(history, ax=axes[1, 2])


def test_plots_refuse_nan_and_too_many_panels():
    with pytest.raises(ValueError, match=r"`history\['loss'\]` must contain only"):
        plots.plot_learning_curves({"loss": [1.0, float("nan")]})
    with pytest.raises(ValueError, match="`images` must hold at most"):
        plots.plot_image_grid(np.zeros((10**4, 1, 1)))
    with pytest.raises(ValueError, match="`y_pred` must hold class numbers"):
        plots.plot_confusion_matrix([0], [10**9])
    with pytest.raises(ValueError, match="`cmap` must be a Matplotlib colour map"):
        plots.plot_image_grid(np.zeros((2, 3, 3)), cmap="no such map")
