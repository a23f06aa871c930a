"""The adding problem, a generated long-time-lag task (from the LSTM and GRU chapter).

Each sequence has ``length`` steps of two inputs: a random value in [0, 1] and a marker.
Exactly two steps are marked, one in the first half and one in the second; the target is
the sum of the two marked values. The network must remember the first marked value for
up to ``length`` steps while ignoring everything else.

This is the simplified variant that later papers use as a benchmark (for example
Arjovsky, Shah & Bengio 2016). Hochreiter & Schmidhuber's original
(1997, experiment 4) drew values from [-1, 1], put the first marker among the first ten
steps and asked for 0.5 + (X1 + X2) / 4.

Predicting the mean sum, 1, for every sequence gives a mean squared error of 1/6 (the
variance of the sum of two uniform numbers): the level of a network that learned
nothing.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from dlcourse._checks import check_int, checked

#: The mean squared error of always predicting 1: the variance 2/12 of the sum.
CHANCE_MSE = 1.0 / 6.0
#: Largest number of generated values (``count * length``), about 1.6 GB in float64.
MAX_VALUES = 100_000_000


class AddingData(NamedTuple):
    """Sequences of the adding problem and their targets.

    Args:
        x: ``(count, length, 2)`` float32: the value and the marker at every step.
        y: ``(count,)`` float32: the sum of the two marked values.
    """

    x: np.ndarray
    y: np.ndarray


def _validate(count: Any, length: Any, seed: Any) -> dict[str, int]:
    count = check_int("count", count, minimum=1)
    length = check_int("length", length, minimum=2)
    seed = check_int("seed", seed, minimum=0)
    if count * length > MAX_VALUES:
        raise ValueError(
            f"`count` * `length` must be at most {MAX_VALUES:,} generated steps, "
            f"got {count:,} * {length:,}"
        )
    return {"count": count, "length": length, "seed": seed}


@checked(_validate)
def adding_problem(count: int, length: int, *, seed: int = 0) -> AddingData:
    """Generate ``count`` sequences of the adding problem of ``length`` steps.

    The first marker is uniform over the first half, the second over the second half, so
    the lag between them is on average about ``length / 2``.

    Args:
        count: the number of sequences.
        length: the number of steps of each sequence (at least 2).
        seed: the seed of the generator; the same seed gives the same data.
    """
    generator = np.random.default_rng(seed)
    values = generator.uniform(0.0, 1.0, size=(count, length))
    half = length // 2
    first = generator.integers(0, half, size=count)
    second = generator.integers(half, length, size=count)
    rows = np.arange(count)
    markers = np.zeros((count, length))
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1).astype(np.float32)
    y = (values[rows, first] + values[rows, second]).astype(np.float32)
    return AddingData(x=x, y=y)
