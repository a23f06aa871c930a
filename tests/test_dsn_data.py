"""The resampling of padded sequences to a fixed number of frames (Chapter 5)."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse import data

pytestmark = pytest.mark.dsn


def _padded() -> tuple[np.ndarray, np.ndarray]:
    sequences = np.zeros((2, 5, 2))
    sequences[0, :3] = [[0.0, 10.0], [1.0, 20.0], [2.0, 30.0]]
    sequences[0, 3:] = 99.0  # padding that must never be read
    sequences[1] = np.arange(10.0).reshape(5, 2)
    return sequences, np.array([3, 5])


def test_resample_interpolates_each_feature_and_ignores_the_padding():
    sequences, lengths = _padded()
    rows = data.resample_sequences(sequences, lengths, 5)
    assert rows.shape == (2, 10) and rows.dtype == np.float64
    first = rows[0].reshape(5, 2)
    np.testing.assert_allclose(first[:, 0], [0.0, 0.5, 1.0, 1.5, 2.0])
    np.testing.assert_allclose(first[:, 1], [10.0, 15.0, 20.0, 25.0, 30.0])
    np.testing.assert_allclose(rows[1], np.arange(10.0))  # its own length: unchanged


def test_resample_keeps_the_ends_and_handles_a_single_frame():
    sequences, lengths = _padded()
    rows = data.resample_sequences(sequences, lengths, 2).reshape(2, 2, 2)
    np.testing.assert_allclose(rows[0], [[0.0, 10.0], [2.0, 30.0]])
    one = data.resample_sequences(np.ones((1, 4, 3)), np.array([1]), 4)
    np.testing.assert_allclose(one, np.ones((1, 12)))


def test_resample_matches_the_vowels_as_the_chapter_reads_them():
    vowels = data.load_japanese_vowels()
    rows = data.resample_sequences(vowels.x_train, vowels.lengths_train, 8)
    assert rows.shape == (270, 96) and np.all(np.isfinite(rows))
    index = int(np.argmin(vowels.lengths_train))
    length = vowels.lengths_train[index]
    np.testing.assert_allclose(rows[index, :12], vowels.x_train[index, 0])
    np.testing.assert_allclose(rows[index, -12:], vowels.x_train[index, length - 1])


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"sequences": np.ones((2, 5))}, ValueError, "`sequences` must have 3 dim"),
        ({"sequences": "abc"}, TypeError, "`sequences` must be an array"),
        ({"lengths": np.array([3.5, 5])}, TypeError, "`lengths` must hold whole"),
        ({"lengths": np.array([3])}, ValueError, "`sequences` and `lengths` must"),
        ({"lengths": np.array([0, 5])}, ValueError, r"`lengths` must lie in \[1, 5\]"),
        ({"lengths": np.array([3, 6])}, ValueError, r"`lengths` must lie in \[1, 5\]"),
        ({"frames": 0}, ValueError, "`frames` must be at least 1"),
        ({"frames": 2.0}, TypeError, "`frames` must be an integer"),
        ({"frames": 10**8}, ValueError, "`frames`"),
    ],
)
def test_resample_refuses_bad_inputs(arguments, error, message):
    sequences, lengths = _padded()
    given = {"sequences": sequences, "lengths": lengths, "frames": 4, **arguments}
    with pytest.raises(error, match=message):
        data.resample_sequences(**given)
