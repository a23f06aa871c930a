"""Moving-shape clips, a generated video task where one frame cannot tell the class
(Chapter 3b, "After LeNet").

Each clip has ``frames`` grey frames of ``size`` x ``size`` pixels. A shape (a filled
square or a plus sign, of a random size and brightness) starts at a random place and
moves one pixel per frame in one of four directions; the class is the direction
(:data:`DIRECTIONS`). Gaussian noise is added to every pixel. The starting place is
drawn so that the whole path stays inside the frame.

Any single frame shows a shape at some place, and every place is reachable in every
class, so a frame alone says nothing about the class. A clip played backwards is a clip
of the opposite direction: a model that looks at the frames in any order (for example
one that averages what it sees in each frame) cannot tell left from right, nor up from
down. Only the change from frame to frame tells the direction.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from dlcourse._checks import check_float, check_int, checked

#: The classes, in label order, with the step (rows, columns) per frame.
DIRECTIONS = {"right": (0, 1), "left": (0, -1), "down": (1, 0), "up": (-1, 0)}
#: The shapes drawn, in the order of their index.
SHAPES = ("square", "plus")
#: The smallest and the largest half-width of a shape, in pixels.
HALF_WIDTHS = (1, 2)
#: The most pixels generated in all (``count * frames * size * size``).
MAX_PIXELS = 50_000_000


class ClipData(NamedTuple):
    """Generated clips and their labels.

    Args:
        x: ``(count, frames, size, size, 1)`` float32 clips.
        y: ``(count,)`` int64 directions, indices into :data:`DIRECTIONS`.
        shape: ``(count,)`` int64 shapes, indices into :data:`SHAPES`.
    """

    x: np.ndarray
    y: np.ndarray
    shape: np.ndarray


def _validate(
    count: Any, frames: Any, size: Any, noise: Any, seed: Any
) -> dict[str, Any]:
    count = check_int("count", count, minimum=1)
    frames = check_int("frames", frames, minimum=2, maximum=64)
    size = check_int("size", size, minimum=2 * max(HALF_WIDTHS) + 2, maximum=512)
    noise = check_float("noise", noise, minimum=0.0, maximum=1.0)
    seed = check_int("seed", seed, minimum=0)
    if size - 2 * max(HALF_WIDTHS) - 1 < frames - 1:
        raise ValueError(
            f"`size` must leave room for a path of `frames` - 1 = {frames - 1} pixels "
            f"beside the largest shape, got size {size}"
        )
    if count * frames * size * size > MAX_PIXELS:
        raise ValueError(
            f"`count` * `frames` * `size`**2 must be at most {MAX_PIXELS:,} pixels, "
            "got "
            f"{count * frames * size * size:,}"
        )
    return {
        "count": count,
        "frames": frames,
        "size": size,
        "noise": noise,
        "seed": seed,
    }


def _draw(frame: np.ndarray, kind: int, row: int, column: int, half: int) -> None:
    if SHAPES[kind] == "square":
        frame[row - half : row + half + 1, column - half : column + half + 1] = 1.0
    else:
        frame[row - half : row + half + 1, column] = 1.0
        frame[row, column - half : column + half + 1] = 1.0


@checked(_validate)
def moving_shapes(
    count: int, frames: int = 8, size: int = 16, *, noise: float = 0.1, seed: int = 0
) -> ClipData:
    """Generate ``count`` clips of a shape moving one pixel per frame.

    The direction is uniform over :data:`DIRECTIONS`, the shape over :data:`SHAPES`,
    the brightness over [0.5, 1]; the noise is Gaussian with standard deviation
    ``noise``.

    Args:
        count: the number of clips.
        frames: frames per clip.
        size: the side of each square frame, in pixels.
        noise: the standard deviation of the pixel noise.
        seed: the seed of the generator; the same seed gives the same clips.
    """
    generator = np.random.default_rng(seed)
    steps = np.array(list(DIRECTIONS.values()))
    y = generator.integers(0, len(DIRECTIONS), size=count)
    kinds = generator.integers(0, len(SHAPES), size=count)
    x = np.zeros((count, frames, size, size), dtype=np.float32)
    travel = frames - 1
    for index in range(count):
        half = int(generator.integers(HALF_WIDTHS[0], HALF_WIDTHS[1] + 1))
        brightness = generator.uniform(0.5, 1.0)
        step = steps[y[index]]
        # The start keeps the shape inside the frame along the whole path.
        low = half + np.where(step < 0, travel, 0)
        high = size - 1 - half - np.where(step > 0, travel, 0)
        row, column = (
            int(generator.integers(a, b + 1)) for a, b in zip(low, high, strict=True)
        )
        for t in range(frames):
            _draw(
                x[index, t], kinds[index], row + t * step[0], column + t * step[1], half
            )
        x[index] *= brightness
    x += generator.normal(0.0, noise, size=x.shape).astype(np.float32)
    return ClipData(x=x[..., None], y=y.astype(np.int64), shape=kinds.astype(np.int64))
