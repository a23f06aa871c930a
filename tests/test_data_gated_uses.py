"""The gesture and spoken-word loaders of the chapter "Gated networks at work"."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from dlcourse import data


def test_gestures_keep_the_official_split_and_their_lengths():
    gestures = data.load_gestures()
    assert gestures.x_train.shape == gestures.x_test.shape == (50, 361, 1)
    assert gestures.x_train.dtype == np.float32
    for labels in (gestures.y_train, gestures.y_test):
        assert labels.dtype == np.int64
        assert np.array_equal(np.bincount(labels), np.full(10, 5))  # 5 of each person
    lengths = np.concatenate([gestures.lengths_train, gestures.lengths_test])
    assert lengths.min() == 29 and lengths.max() == 361
    for x, length in zip(gestures.x_train, gestures.lengths_train, strict=True):
        assert np.all(x[length:] == 0) and np.all(np.isfinite(x))


def test_spoken_words_are_split_by_voice():
    words = data.load_spoken_words()
    assert words.words[0] == "zero" and len(words.words) == 10
    assert words.x_train.shape == (480, 36, 16) and words.x_test.shape == (160, 36, 16)
    assert not set(words.voices_train) & set(words.voices_test)
    assert {words.voice_names[v] for v in set(words.voices_test)} == {
        "m6",
        "m7",
        "f4",
        "klatt2",
    }
    assert np.array_equal(np.bincount(words.y_test), np.full(10, 16))
    assert words.lengths_train.min() >= 10 and words.lengths_test.max() <= 36
    for x, length in zip(words.x_test, words.lengths_test, strict=True):
        assert np.all(x[length:] == 0) and np.all(x[:length] != 0)


def test_the_new_files_are_recorded_and_found():
    for name in (
        "aeon/PickupGestureWiimoteZ_TRAIN.ts",
        "aeon/PickupGestureWiimoteZ_TEST.ts",
        "course/spoken_words.npz",
    ):
        assert data.data_file(name).is_file()
    # The older aeon file is still found where it was.
    assert data.data_file("aeon/JapaneseVowels_TRAIN.ts").parent.name == (
        "JapaneseVowels"
    )


def test_a_replaced_spoken_words_file_is_refused(tmp_path, monkeypatch):
    copy = tmp_path / "spoken_words.npz"
    shutil.copy(data.data_file("course/spoken_words.npz"), copy)
    copy.write_bytes(copy.read_bytes() + b"\0")
    with pytest.raises(data.DataFileError, match="corrupted or was replaced"):
        data.verify_file(copy, data.KNOWN_SHA256["course/spoken_words.npz"])


@pytest.mark.parametrize(
    "name", ["course/missing.npz", "aeon/PickupGestureWiimoteZ_EXTRA.ts", ""]
)
def test_unknown_data_names_are_refused(name):
    with pytest.raises(ValueError, match="`name`"):
        data.data_file(name)


def test_the_loaders_take_no_arguments():
    with pytest.raises(TypeError):
        data.load_gestures("train")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        data.load_spoken_words(4)  # type: ignore[call-arg]
