"""Exercises of the chapter "Gated networks at work", easiest first.

* ``frame_count`` - how many frames a speech front end cuts from a clip;
* ``masked_mean`` - the mean of each sequence's real frames, padding left out.

Each reference answer is defined below under the learner's name, and then that name
is rebound to its :class:`~dlcourse.exercises.framework.Exercise`, so the solution a
learner sees (``exercises.masked_mean.solution()``) is the very function the tests
check. Every checker tries the learner's function on a fixed case and on random cases
drawn afresh at every check.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from dlcourse.exercises.framework import (
    Exercise,
    call_answer,
    expect_array,
    expect_number,
    fresh_rng,
)
from dlcourse.reference import logmel

#: The chapter's front end: 23 ms frames every 20 ms at 22,050 samples per second.
CHAPTER_FRAME_LENGTH, CHAPTER_FRAME_STEP = 512, 441
#: Random cases drawn at every check, besides the fixed one.
RANDOM_CASES = 3


# --- frame_count ---------------------------------------------------------------------


def frame_count(samples, frame_length, frame_step):
    """Frames of `frame_length` samples, `frame_step` apart, that fit in the clip."""
    if samples < frame_length:
        return 0
    return 1 + (samples - frame_length) // frame_step


def _frame_count_cases() -> Iterator[tuple[int, int, int]]:
    yield 11025, CHAPTER_FRAME_LENGTH, CHAPTER_FRAME_STEP  # half a second
    yield 300, CHAPTER_FRAME_LENGTH, CHAPTER_FRAME_STEP  # shorter than one frame
    yield 60, 400, 160  # far shorter than one frame of 25 ms every 10 ms at 16 kHz
    yield CHAPTER_FRAME_LENGTH, CHAPTER_FRAME_LENGTH, CHAPTER_FRAME_STEP  # exactly one
    rng = fresh_rng()
    for _ in range(RANDOM_CASES):
        length = int(rng.integers(4, 600))
        step = int(rng.integers(1, length + 1))
        yield int(rng.integers(length, 5 * length)), length, step


def _check_frame_count(answer: Any) -> str:
    for samples, length, step in _frame_count_cases():
        case = f"for {samples} samples, frames of {length} every {step}"
        got = call_answer(
            answer, samples, length, step, what="your frame_count", case=case
        )
        if samples >= length:
            # The reference core itself, on a clip of this many samples.
            power = logmel.power_spectrogram(np.zeros(samples), length, step, length)
            expected = len(power)
        else:
            expected = 0
        expect_number(
            got,
            expected,
            what=f"Your count {case}",
            integer=True,
            diagnoses={
                "That counts every start within the clip, including frames that would "
                "run past its end; a frame must fit whole.": -(-samples // step),
                "That is one frame short: the first frame starts at sample 0.": (
                    (samples - length) // step
                ),
                "That divides the whole clip by the step; the last frame needs "
                "`frame_length` samples, not `frame_step`.": samples // step,
            },
        )
    return "It agrees with the frames `power_spectrogram` cuts, on every case."


frame_count = Exercise(
    "frame_count",
    _check_frame_count,
    hint="Where can the last frame start so that it still ends inside the clip? Count "
    "the starts 0, step, 2 step, ... up to there. What if the clip is shorter than one "
    "frame?",
    answer=frame_count,
    explanation="Starts run from 0 to samples - frame_length in steps of frame_step: "
    "that is 1 + (samples - frame_length) // frame_step of them. Half a second at "
    "22,050 samples per second gives 24 frames of 512 every 441 samples.",
)


# --- masked_mean ---------------------------------------------------------------------


def masked_mean(x, lengths):
    """The mean over time of each sequence's first lengths[i] frames: (n, features)."""
    steps = np.arange(x.shape[1])
    real = (steps[None, :] < lengths[:, None])[:, :, None]  # (n, time, 1)
    return (x * real).sum(axis=1) / lengths[:, None]


_reference_mean = masked_mean  # the name is rebound to the Exercise below


def _masked_mean_cases() -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    fixed = np.random.default_rng(5)
    yield "on a fixed batch", *_padded_case(fixed, 3, 6, 2, junk=False)
    # Padding need not be zero: a sum over every frame must fail on every check.
    yield (
        "on a fixed batch whose padding holds noise",
        *_padded_case(fixed, 3, 6, 2, junk=True),
    )
    rng = fresh_rng()
    for _ in range(RANDOM_CASES):
        batch, time, features = (int(rng.integers(2, 6)) for _ in range(3))
        time += 2
        yield (
            f"on a random batch of {batch} sequences of up to {time} frames",
            *_padded_case(rng, batch, time, features, junk=bool(rng.integers(2))),
        )


def _padded_case(
    rng: np.random.Generator, batch: int, time: int, features: int, *, junk: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Sequences padded after their length with zeros (or, with ``junk``, noise)."""
    lengths = rng.integers(1, time, size=batch)
    lengths[0] = time  # one sequence fills the whole time axis
    x = rng.normal(size=(batch, time, features))
    padding = np.arange(time)[None, :] >= lengths[:, None]
    x[padding] = rng.normal(size=x[padding].shape) if junk else 0.0
    return x, lengths


def _check_masked_mean(answer: Any) -> str:
    for case, x, lengths in _masked_mean_cases():
        got = call_answer(answer, x, lengths, what="your masked_mean", case=case)
        real = (np.arange(x.shape[1])[None, :] < lengths[:, None])[:, :, None]
        expect_array(
            got,
            _reference_mean(x, lengths),
            what=f"masked_mean {case}",
            diagnoses={
                "That averages over the padded length too: the padding frames pull "
                "every short sequence's mean towards zero.": (x * real).mean(axis=1),
                "That averages every frame, padding included; the padding is not part "
                "of the sequence.": x.mean(axis=1),
                "That averages over the wrong axis: the mean is over time, one mean "
                "per sequence and feature.": (x * real).sum(axis=2) / x.shape[2],
                "That sums the real frames without dividing by their number.": (
                    x * real
                ).sum(axis=1),
            },
        )
    return "Your means leave the padding out on every case."


masked_mean = Exercise(
    "masked_mean",
    _check_masked_mean,
    hint="Build a true/false array that says, for every sequence and step, whether the "
    "step is real; use it to leave the padding out of the sum. By how many frames must "
    "each sum be divided? Do not assume the padding is zero.",
    answer=masked_mean,
    explanation="A boolean mask from `lengths` keeps the real frames, whatever the "
    "padding holds; dividing by each sequence's own length gives its mean. This is "
    "the order-free baseline of the spoken words, and what "
    "`keras.layers.GlobalAveragePooling1D` computes when it receives a mask.",
)
