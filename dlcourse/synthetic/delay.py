"""The delay task: remember one random bit for ``lag`` steps (introduced in the recurrent-network chapter).

Generated, not measured: each sequence is a stream of random +1/-1 inputs, and the label is the input seen
``lag`` steps before the end. To answer, a network must keep that bit in its state through ``lag`` later
inputs that are pure distraction, the plainest test of how long a recurrent network can remember.
"""

from __future__ import annotations

import numpy as np

from dlcourse._checks import check_int


def delay_task(
    count: int, lag: int, *, length: int | None = None, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` sequences of random +1/-1 bits and, for each, the bit ``lag`` steps before the last one.

    Returns ``x`` float32 of shape ``(count, length, 1)`` and ``y`` int64 of shape ``(count,)`` with values
    0 (the bit was -1) or 1 (+1). ``lag=0`` asks for the last input itself. ``length`` defaults to
    ``lag + 10``. Guessing scores 50%. Introduced in the recurrent-network chapter.
    """
    count = check_int("count", count, minimum=1)
    lag = check_int("lag", lag, minimum=0)
    length = (
        lag + 10 if length is None else check_int("length", length, minimum=lag + 1)
    )
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2, size=(count, length))
    x = (2.0 * bits - 1.0).astype(np.float32)[..., None]
    y = bits[:, length - 1 - lag].astype(np.int64)
    return x, y
