"""Generated pen trajectories of single-stroke lower-case letters (recurrent-network
chapter).

No real online-handwriting data ships offline, so this module *generates* it and says
so. Each letter is a hand-made template of way-points, drawn in one stroke; every sample
gets its own size, slant, rotation, writing speed profile and jitter, and is returned
the way a tablet reports it: a sequence of pen movements ``(dx, dy)`` between samples.
It is far cleaner than real handwriting (one writer's idea of each letter, no pen
lifts, no neighbouring letters), so accuracies on it say little about real handwriting
recognition.
"""

from __future__ import annotations

import numpy as np

from dlcourse._checks import check_choice, check_float, check_int
from dlcourse.data import SequenceSplit, pad_sequences

#: The letters, in label order.
LETTERS = ("c", "e", "n", "o", "s", "u", "v", "w", "z")
#: The most samples of one letter :func:`pen_trajectories` generates.
MAX_PER_LETTER = 100_000


def _arc(
    cx: float, cy: float, radius: float, start: float, stop: float, points: int = 12
) -> list[tuple]:
    angles = np.radians(np.linspace(start, stop, points))
    return [(cx + radius * np.cos(a), cy + radius * np.sin(a)) for a in angles]


def _templates() -> dict[str, np.ndarray]:
    """Way-points of each letter in a unit box (x right, y up), in writing order."""
    shapes = {
        "c": _arc(0.5, 0.5, 0.5, 50, 310, 16),
        "e": [(0.05, 0.5), (0.95, 0.5)] + _arc(0.5, 0.5, 0.45, 0, 320, 16),
        "n": [(0.0, 0.0), (0.0, 0.6)] + _arc(0.5, 0.6, 0.5, 180, 0, 12) + [(1.0, 0.0)],
        "o": _arc(0.5, 0.5, 0.5, 90, 450, 20),
        "s": _arc(0.5, 0.75, 0.25, 10, 270, 10) + _arc(0.5, 0.25, 0.25, 90, -180, 10),
        "u": [(0.0, 1.0), (0.0, 0.4)]
        + _arc(0.5, 0.4, 0.5, 180, 360, 12)
        + [(1.0, 1.0)],
        "v": [(0.0, 1.0), (0.5, 0.0), (1.0, 1.0)],
        "w": [(0.0, 1.0), (0.25, 0.0), (0.5, 0.7), (0.75, 0.0), (1.0, 1.0)],
        "z": [(0.0, 1.0), (1.0, 1.0), (0.0, 0.0), (1.0, 0.0)],
    }
    return {
        letter: np.asarray(points, dtype=float) for letter, points in shapes.items()
    }


def _resample(points: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Points at the given fractions (0 to 1) of the polyline's arc length."""
    segment = np.linalg.norm(np.diff(points, axis=0), axis=1)
    arc = np.concatenate([[0.0], np.cumsum(segment)]) / segment.sum()
    return np.stack(
        [
            np.interp(positions, arc, points[:, 0]),
            np.interp(positions, arc, points[:, 1]),
        ],
        axis=1,
    )


def draw_letter(
    letter: str, rng: np.random.Generator, *, jitter: float = 0.015
) -> np.ndarray:
    """One randomly distorted pen trajectory of ``letter``.

    Args:
        letter: one of :data:`LETTERS`.
        rng: the random generator that draws the distortions.
        jitter: the standard deviation of the noise added to every position.

    Returns:
        the absolute pen positions, shape ``(samples, 2)``.
    """
    check_choice("letter", letter, LETTERS)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "`rng` must be a numpy.random.Generator (np.random.default_rng(seed)), "
            f"got {type(rng).__name__}"
        )
    jitter = check_float("jitter", jitter, minimum=0.0, maximum=1.0)
    template = _templates()[letter]
    samples = int(rng.integers(24, 41))
    # A pen slows at the start and the end of a stroke and speeds up in between.
    uniform = np.linspace(0.0, 1.0, samples)
    ease = 0.5 - 0.5 * np.cos(np.pi * uniform)
    positions = (1 - (weight := rng.uniform(0.0, 0.6))) * uniform + weight * ease
    path = _resample(template, positions)
    # Round the corners a little, as a real pen does.
    kernel = np.array([0.25, 0.5, 0.25])
    path[1:-1] = np.stack(
        [np.convolve(path[:, i], kernel, mode="valid") for i in range(2)], axis=1
    )
    scale = rng.uniform(0.8, 1.2) * np.array([rng.uniform(0.8, 1.2), 1.0])
    slant, angle = rng.uniform(-0.3, 0.3), np.radians(rng.uniform(-12, 12))
    shear = np.array([[1.0, 0.0], [slant, 1.0]])  # x += slant * y, for row vectors
    rotation = np.array(
        [[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]]
    )
    path = (path - 0.5) * scale @ shear @ rotation
    return path + rng.normal(0.0, jitter, size=path.shape)


def pen_trajectories(
    per_letter: int = 100, *, test_fraction: float = 0.3, seed: int = 0
) -> SequenceSplit:
    """A labelled set of generated pen trajectories of the nine :data:`LETTERS`.

    ``x`` holds pen movements ``(dx, dy)`` (the first movement is from the starting
    point, which is dropped), float32 ``(n, 40, 2)`` zero-padded at the end, with true
    lengths of 23-39 in ``lengths_*``; ``y`` holds int64 labels, indices into
    :data:`LETTERS`. The split is stratified.

    Args:
        per_letter: samples of each letter, at most :data:`MAX_PER_LETTER`.
        test_fraction: the share of each letter's samples held out for testing.
        seed: the seed of every random distortion and of the split.
    """
    per_letter = check_int("per_letter", per_letter, minimum=2, maximum=MAX_PER_LETTER)
    test_fraction = check_float(
        "test_fraction", test_fraction, minimum=0.05, maximum=0.95
    )
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    sequences, labels = [], []
    for label, letter in enumerate(LETTERS):
        for _ in range(per_letter):
            sequences.append(
                np.diff(draw_letter(letter, rng), axis=0).astype(np.float32)
            )
            labels.append(label)
    labels_array = np.asarray(labels, dtype=np.int64)
    order = rng.permutation(len(sequences))
    test_count_per_letter = max(1, int(round(per_letter * test_fraction)))
    is_test = np.zeros(len(sequences), dtype=bool)
    for label in range(len(LETTERS)):
        members = order[labels_array[order] == label]
        is_test[members[:test_count_per_letter]] = True
    train_index, test_index = order[~is_test[order]], order[is_test[order]]
    x_train, lengths_train = pad_sequences([sequences[i] for i in train_index], 40)
    x_test, lengths_test = pad_sequences([sequences[i] for i in test_index], 40)
    return SequenceSplit(
        x_train,
        labels_array[train_index],
        x_test,
        labels_array[test_index],
        lengths_train,
        lengths_test,
    )
