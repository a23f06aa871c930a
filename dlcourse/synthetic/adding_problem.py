"""The adding problem, a generated long-time-lag task (introduced in the LSTM and GRU chapter).

Hochreiter & Schmidhuber (1997, experiment 4) built it to show what plain recurrent networks cannot learn:
each sequence has ``length`` steps of two inputs, a random value in [0, 1] and a marker. Exactly two steps
are marked, one in the first half and one in the second; the target is the sum of the two marked values. The
network must remember the first marked value for up to ``length`` steps while ignoring everything else.

Predicting the mean sum, 1, for every sequence gives a mean squared error of 1/6 (the variance of the sum of
two uniform numbers), about 0.167: the "chance" level a network that learned nothing reaches.
"""

from __future__ import annotations

import numpy as np

from dlcourse._checks import check_int

#: The mean squared error of always predicting 1, the variance 2/12 of the sum of two uniform numbers.
CHANCE_MSE = 1.0 / 6.0


def adding_problem(
    count: int, length: int, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Generate ``count`` sequences of the adding problem of ``length`` steps.

    Returns ``x`` of shape ``(count, length, 2)`` (float32: value, marker) and ``y`` of shape ``(count,)``
    (float32: the sum of the two marked values). The first marker is uniform over the first half, the second
    over the second half, so the lag between them is on average about ``length / 2``. Introduced in the LSTM
    and GRU chapter.
    """
    count = check_int("count", count, minimum=1)
    length = check_int("length", length, minimum=2)
    seed = check_int("seed", seed, minimum=0)
    generator = np.random.default_rng(seed)
    values = generator.uniform(0.0, 1.0, size=(count, length))
    half = length // 2
    first = generator.integers(0, half, size=count)
    second = generator.integers(half, length, size=count)
    markers = np.zeros((count, length))
    rows = np.arange(count)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1).astype(np.float32)
    y = (values[rows, first] + values[rows, second]).astype(np.float32)
    return x, y
