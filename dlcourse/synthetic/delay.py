"""The delay task: remember one random bit for ``lag`` steps (the RNN chapter).

Generated, not measured: each sequence is a stream of random +1/-1 inputs, and the label
is the input seen ``lag`` steps before the end. To answer, a network must keep that bit
in its state through ``lag`` later inputs that are pure distraction, the plainest test
of how long a recurrent network can remember. The position of the bit is the same in
every sequence of one call (``length - 1 - lag``), so a network may learn to latch that
position rather than to remember in general.
"""

from __future__ import annotations

import numpy as np

from dlcourse._checks import check_int

#: The largest ``count * length`` (numbers generated) a call may ask for.
MAX_NUMBERS = 50_000_000


def delay_task(
    count: int, lag: int, *, length: int | None = None, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` sequences of random +1/-1 bits and, for each, the bit ``lag`` steps
    before the last one.

    Guessing scores 50%.

    Args:
        count: how many sequences.
        lag: how many steps before the last one the bit to recall sits; ``0`` asks for
            the last input itself.
        length: steps per sequence, more than ``lag``; ``None`` means ``lag + 10``.
        seed: the seed of the random bits.

    Returns:
        ``x`` float32 of shape ``(count, length, 1)`` and ``y`` int64 of shape
        ``(count,)``, 0 where the bit was -1 and 1 where it was +1.
    """
    count = check_int("count", count, minimum=1, maximum=MAX_NUMBERS)
    lag = check_int("lag", lag, minimum=0, maximum=MAX_NUMBERS)
    length = (
        lag + 10 if length is None else check_int("length", length, minimum=lag + 1)
    )
    if count * length > MAX_NUMBERS:
        raise ValueError(
            f"`count` times `length` must be at most {MAX_NUMBERS}, "
            f"got {count} * {length}"
        )
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2, size=(count, length))
    x = (2.0 * bits - 1.0).astype(np.float32)[..., None]
    y = bits[:, length - 1 - lag].astype(np.int64)
    return x, y


def delay_stream(
    streams: int, steps: int, lag: int, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``streams`` long streams of random +1/-1 bits, each step labelled with the bit
    seen ``lag`` steps earlier.

    The many-to-many form of :func:`delay_task`, for truncated BPTT over one long
    sequence: cut into windows shorter than the stream, the target of a step near a
    window's start sits in the window before. The first ``lag`` steps of each stream
    have no bit to recall; their label is 0 and is best left out of any score.

    Args:
        streams: how many parallel streams.
        steps: steps per stream.
        lag: how many steps back the bit to recall sits, at least 1 and less than
            ``steps``.
        seed: the seed of the random bits.

    Returns:
        ``x`` float32 of shape ``(streams, steps, 1)`` and ``y`` float32 of shape
        ``(streams, steps, 1)``, 0 where the bit was -1 and 1 where it was +1.
    """
    streams = check_int("streams", streams, minimum=1, maximum=MAX_NUMBERS)
    steps = check_int("steps", steps, minimum=2, maximum=MAX_NUMBERS)
    lag = check_int("lag", lag, minimum=1, maximum=steps - 1)
    if streams * steps > MAX_NUMBERS:
        raise ValueError(
            f"`streams` times `steps` must be at most {MAX_NUMBERS}, "
            f"got {streams} * {steps}"
        )
    seed = check_int("seed", seed, minimum=0)
    bits = np.random.default_rng(seed).integers(0, 2, size=(streams, steps))
    x = (2.0 * bits - 1.0).astype(np.float32)[..., None]
    y = np.zeros((streams, steps, 1), dtype=np.float32)
    y[:, lag:, 0] = bits[:, :-lag]
    return x, y
