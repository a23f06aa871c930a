"""A generated periodic pen path, for next-step prediction (the sequence-models
chapter).

The path is a closed three-lobed curve, r(theta) = 1 + 0.3 cos(3 theta), traced at a
constant angular speed: :data:`PERIOD` samples per turn. It never crosses itself, so
the next point is a function of the current one, and a network that sees only its
last output (a Jordan network) can in principle continue it for ever.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from dlcourse._checks import check_float, check_int

#: Samples per turn of the curve.
PERIOD = 20
#: The most paths or steps one call may generate.
MAX_PATHS, MAX_STEPS = 100_000, 100_000


class Orbits(NamedTuple):
    """Paths from :func:`orbits`.

    Args:
        clean: the points on the curve, ``(n, steps + 1, 2)``.
        observed: the same with Gaussian noise added, ``(n, steps + 1, 2)``.
    """

    clean: np.ndarray
    observed: np.ndarray


def orbits(count: int, steps: int, *, noise: float = 0.02, seed: int = 0) -> Orbits:
    """``count`` paths of ``steps + 1`` points each, from random starting angles.

    Args:
        count: how many paths.
        steps: steps per path (the path has one point more).
        noise: the standard deviation of the observation noise.
        seed: the seed of the starting angles and the noise.
    """
    count = check_int("count", count, minimum=1, maximum=MAX_PATHS)
    steps = check_int("steps", steps, minimum=1, maximum=MAX_STEPS)
    if count * (steps + 1) > MAX_STEPS * 10:
        raise ValueError(
            f"`count` * `steps` must stay below {MAX_STEPS * 10} points, "
            f"got {count} * {steps}"
        )
    noise = check_float("noise", noise, minimum=0.0, maximum=1.0)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    theta = rng.uniform(0, 2 * np.pi, size=(count, 1))
    theta = theta + 2 * np.pi * np.arange(steps + 1)[None, :] / PERIOD
    radius = 1 + 0.3 * np.cos(3 * theta)
    clean = np.stack([radius * np.cos(theta), radius * np.sin(theta)], axis=-1)
    observed = clean + rng.normal(0.0, noise, size=clean.shape)
    return Orbits(clean.astype(np.float32), observed.astype(np.float32))
