"""The generated data of the RNN chapter: pen strokes and the delay task."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse.synthetic.delay import delay_stream, delay_task
from dlcourse.synthetic.pen import LETTERS, draw_letter, pen_trajectories

pytestmark = pytest.mark.rnn


def test_delay_task_label_is_the_lagged_bit() -> None:
    x, y = delay_task(50, 3, seed=1)
    assert x.shape == (50, 13, 1) and x.dtype == np.float32 and y.dtype == np.int64
    assert set(np.unique(x)) == {-1.0, 1.0}
    assert np.array_equal(y, (x[:, 13 - 1 - 3, 0] > 0).astype(int))
    again, _ = delay_task(50, 3, seed=1)
    assert np.array_equal(x, again)
    x0, y0 = delay_task(10, 0, length=1)
    assert np.array_equal(y0, (x0[:, 0, 0] > 0).astype(int))


def test_pen_trajectories_shapes_and_balance() -> None:
    split = pen_trajectories(10, seed=2)
    assert split.x_train.shape[1:] == (40, 2) and split.x_train.dtype == np.float32
    assert len(split.x_train) + len(split.x_test) == 10 * len(LETTERS)
    assert np.all(np.bincount(split.y_test, minlength=len(LETTERS)) == 3)
    assert split.lengths_train.min() >= 23 and split.lengths_train.max() <= 39
    for row, length in zip(split.x_train, split.lengths_train, strict=True):
        assert np.all(row[length:] == 0) and np.any(row[:length] != 0)
    assert np.array_equal(pen_trajectories(10, seed=2).x_test, split.x_test)


def test_drawn_letters_differ_in_shape() -> None:
    rng = np.random.default_rng(0)
    o, v = draw_letter("o", rng, jitter=0.0), draw_letter("v", rng, jitter=0.0)
    assert np.linalg.norm(o[-1] - o[0]) < 0.3  # an o ends where it starts
    assert np.linalg.norm(v[-1] - v[0]) > 0.5


def test_bad_inputs_name_the_parameter() -> None:
    with pytest.raises(ValueError, match="`lag`"):
        delay_task(10, -1)
    with pytest.raises(ValueError, match="`length`"):
        delay_task(10, 5, length=5)
    with pytest.raises(TypeError, match="`count`"):
        delay_task(1.5, 2)
    with pytest.raises(ValueError, match="`per_letter`"):
        pen_trajectories(1)
    with pytest.raises(ValueError, match="`test_fraction`"):
        pen_trajectories(10, test_fraction=0.99)
    with pytest.raises(ValueError, match="`letter`"):
        draw_letter("q", np.random.default_rng(0))
    with pytest.raises(TypeError, match="`letter`"):
        draw_letter(3, np.random.default_rng(0))
    with pytest.raises(TypeError, match="`rng`"):
        draw_letter("o", 0)
    with pytest.raises(ValueError, match="`jitter`"):
        draw_letter("o", np.random.default_rng(0), jitter=float("nan"))
    with pytest.raises(ValueError, match="`per_letter` must be at most"):
        pen_trajectories(10**9)
    with pytest.raises(ValueError, match="`count` times `length`"):
        delay_task(10**6, 100)
    with pytest.raises(ValueError, match="`count` must be at most"):
        delay_task(10**12, 1)


def test_delay_stream_labels_each_step_with_the_lagged_bit() -> None:
    x, y = delay_stream(3, 50, 4, seed=2)
    assert x.shape == y.shape == (3, 50, 1) and y.dtype == np.float32
    assert np.array_equal(y[:, 4:, 0], (x[:, :-4, 0] > 0).astype(np.float32))
    assert np.all(y[:, :4] == 0)
    assert np.array_equal(delay_stream(3, 50, 4, seed=2)[0], x)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((0, 10, 2), "streams"),
        ((2, 10, 0), "lag"),
        ((2, 10, 10), "lag"),
        ((2, 1, 1), "steps"),
        ((10_000, 10_000, 2), "times"),
    ],
)
def test_delay_stream_bad_arguments_name_the_parameter(arguments, message) -> None:
    with pytest.raises(ValueError, match=message):
        delay_stream(*arguments)
