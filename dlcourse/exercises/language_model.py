"""Exercises of the language-model chapter, easiest first:

* ``perplexity_from_bits`` - the perplexity that goes with a code length in bits;
* ``bits_per_character`` - a text's code length under a model, from its logits;
* ``sample_with_temperature`` - drawing the next character at a temperature.

Each reference answer is defined under the learner's name and then rebound to its
:class:`~dlcourse.exercises.framework.Exercise`. The expected values come from
:mod:`dlcourse.reference.language_model`; every checker tries a fixed case and random
cases drawn afresh at every check.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from dlcourse.exercises.framework import (
    Exercise,
    Wrong,
    call_answer,
    expect_array,
    expect_number,
    fresh_rng,
)
from dlcourse.reference import language_model as reference_lm

#: Random cases drawn at every check, besides the fixed one.
RANDOM_CASES = 3


# --- perplexity_from_bits ------------------------------------------------------------


def perplexity_from_bits(bits):
    """The perplexity per character of a model that spends `bits` per character."""
    return 2.0**bits


def _check_perplexity_from_bits(answer: Any) -> str:
    rng = fresh_rng()
    cases = [("for 2 bits per character", 2.0)] + [
        (f"for a random rate of {bits:.3f} bits", bits)
        for bits in rng.uniform(0.5, 6.0, size=RANDOM_CASES)
    ]
    for case, bits in cases:
        got = call_answer(answer, bits, what="your perplexity_from_bits", case=case)
        expect_number(
            got,
            reference_lm.perplexity(bits),
            what=f"Your perplexity {case}",
            rel_tol=1e-6,
            diagnoses={
                "That uses e as the base: bits are base-2 logarithms.": float(
                    np.exp(bits)
                ),
                "That is the probability of one character, not the number of "
                "equally likely choices.": 2.0**-bits,
                "That uses 10 as the base: bits are base-2 logarithms.": 10.0**bits,
                "That multiplies: perplexity is an exponential of the bits.": 2 * bits,
            },
        )
    return "Perplexity and bits per character carry the same information."


perplexity_from_bits = Exercise(
    "perplexity_from_bits",
    _check_perplexity_from_bits,
    hint="A uniform guess among V characters costs log2(V) bits. Run that backwards.",
    answer=perplexity_from_bits,
    explanation="Perplexity is `2 ** bits`: a model that spends 2 bits per character "
    "is as uncertain as a fair choice among 4 characters. Natural-log losses (nats) "
    "give the same perplexity as `exp(nats)`.",
)


# --- bits_per_character --------------------------------------------------------------


def bits_per_character(logits, targets):
    """Mean -log2 softmax(logits)[target] over every position of every row."""
    largest = logits.max(axis=-1, keepdims=True)
    log_total = np.log(np.exp(logits - largest).sum(axis=-1, keepdims=True)) + largest
    log_p = logits - log_total  # natural log of the softmax
    chosen = np.take_along_axis(log_p, targets[..., None], axis=-1)
    return float(-chosen.mean() / np.log(2))


def _bits_cases() -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    fixed = np.random.default_rng(3)
    yield (
        "on a fixed batch of 2 texts of 5 characters (alphabet of 6)",
        fixed.normal(size=(2, 5, 6)),
        fixed.integers(0, 6, size=(2, 5)),
    )
    rng = fresh_rng()
    for _ in range(RANDOM_CASES):
        batch, length = int(rng.integers(1, 5)), int(rng.integers(2, 12))
        alphabet = int(rng.integers(3, 30))
        scale = float(rng.choice([1.0, 3.0, 30.0]))
        yield (
            f"on {batch} random texts of {length} characters (alphabet of {alphabet})",
            rng.normal(scale=scale, size=(batch, length, alphabet)),
            rng.integers(0, alphabet, size=(batch, length)),
        )


def _check_bits_per_character(answer: Any) -> str:
    for case, logits, targets in _bits_cases():
        with np.errstate(all="ignore"):
            got = call_answer(
                answer, logits, targets, what="your bits_per_character", case=case
            )
        expected = reference_lm.bits_per_character(logits, targets)
        surprise = reference_lm.surprise_bits(logits, targets)
        probabilities = reference_lm.temperature_probabilities(
            logits.reshape(-1, logits.shape[-1]), 1.0
        ).reshape(logits.shape)
        expect_number(
            got,
            expected,
            what=f"Your bits per character {case}",
            rel_tol=1e-6,
            abs_tol=1e-9,
            diagnoses={
                "That is in nats (natural logarithm): convert to bits.": float(
                    surprise.mean() * np.log(2)
                ),
                "That is the total over all characters: the rate is per character.": (
                    float(surprise.sum())
                ),
                "That is the cost of the most likely character, not of the one "
                "that came.": float(-np.log2(probabilities.max(axis=-1)).mean()),
            },
        )
    big = 1000.0 * np.eye(4)[None]  # logits of 1000: exp overflows unless shifted
    targets = np.array([[0, 1, 2, 3]])
    with np.errstate(all="ignore"):
        got = call_answer(
            answer,
            big,
            targets,
            what="your bits_per_character",
            case="on logits of 1000",
        )
    if not np.isfinite(np.asarray(got, dtype=np.float64)).all():
        raise Wrong(
            "On logits of 1000 your bits_per_character overflows to NaN or infinity: "
            "compute the log of a softmax without forming exp of large numbers."
        )
    expect_number(
        got,
        reference_lm.bits_per_character(big, targets),
        what="Your bits per character on logits of 1000",
        rel_tol=1e-6,
        abs_tol=1e-9,
    )
    return "Your code length agrees with the chapter's, and is stable for large logits."


bits_per_character = Exercise(
    "bits_per_character",
    _check_bits_per_character,
    hint="For each position you need the log-probability the model gave to the "
    "character that actually came next. Which base of logarithm counts bits, and how "
    "do you keep exp from overflowing?",
    answer=bits_per_character,
    explanation="A log-softmax with the largest logit subtracted first, the entry of "
    "the true next character picked out with `take_along_axis`, the mean over all "
    "positions, and a division by `log 2` to turn nats into bits. This is the rate an "
    "arithmetic coder driven by the model would achieve.",
)


# --- sample_with_temperature ---------------------------------------------------------


def sample_with_temperature(logits, temperature, uniform):
    """One code per row: invert the cumulative softmax(logits / T) at `uniform`."""
    scaled = logits / temperature
    probabilities = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
    probabilities /= probabilities.sum(axis=-1, keepdims=True)
    cumulative = np.cumsum(probabilities, axis=-1)
    drawn = (cumulative <= uniform[:, None]).sum(axis=-1)
    return np.minimum(drawn, logits.shape[-1] - 1)


def _sample_cases() -> Iterator[tuple[str, np.ndarray, float, np.ndarray]]:
    fixed = np.random.default_rng(5)
    yield (
        "on a fixed batch of 6 rows (alphabet of 5) at temperature 0.5",
        fixed.normal(scale=2.0, size=(6, 5)),
        0.5,
        fixed.random(6),
    )
    rng = fresh_rng()
    for temperature in (0.7, 1.0, 1.8)[:RANDOM_CASES]:
        batch, alphabet = int(rng.integers(20, 60)), int(rng.integers(3, 20))
        yield (
            f"on {batch} random rows (alphabet of {alphabet}) at temperature "
            f"{temperature}",
            rng.normal(scale=2.0, size=(batch, alphabet)),
            temperature,
            rng.random(batch),
        )


def _inverse_cdf(probabilities: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    drawn = (np.cumsum(probabilities, axis=-1) <= uniform[:, None]).sum(axis=-1)
    return np.minimum(drawn, probabilities.shape[-1] - 1)


def _check_sample_with_temperature(answer: Any) -> str:
    for case, logits, temperature, uniform in _sample_cases():
        got = call_answer(
            answer,
            logits,
            temperature,
            uniform,
            what="your sample_with_temperature",
            case=case,
        )
        plain = reference_lm.temperature_probabilities(logits, 1.0)
        expect_array(
            got,
            reference_lm.sample_with_temperature(logits, temperature, uniform),
            what=f"The codes your sample_with_temperature draws {case}",
            atol=0.5,  # codes are whole numbers
            diagnoses={
                f"Your sampler {case} always takes the most likely code: that is "
                "the limit T -> 0, not a draw.": logits.argmax(axis=-1),
                f"Your sampler {case} multiplies the logits by T: divide them, so "
                "that T < 1 sharpens.": _inverse_cdf(
                    reference_lm.temperature_probabilities(logits * temperature, 1.0),
                    uniform,
                ),
                f"Your sampler {case} leaves the temperature out.": _inverse_cdf(
                    plain, uniform
                ),
                f"Your sampler {case} is one code off: take the first code whose "
                "cumulative probability exceeds u.": np.minimum(
                    reference_lm.sample_with_temperature(logits, temperature, uniform)
                    + 1,
                    logits.shape[-1] - 1,
                ),
            },
        )
    return "Your sampler draws exactly the chapter's characters from the same numbers."


sample_with_temperature = Exercise(
    "sample_with_temperature",
    _check_sample_with_temperature,
    hint="Scale the logits by the temperature so that a small T exaggerates their "
    "differences, turn them into probabilities, then lay the probabilities end to end "
    "on [0, 1): which code's stretch holds u?",
    answer=sample_with_temperature,
    explanation="`softmax(logits / T)`, its running sum along the alphabet, and the "
    "number of running sums at or below u is the drawn code (the last code when "
    "rounding leaves the total a hair under 1). With T = 1 this draws from the model "
    "itself; T < 1 favours likely characters, T > 1 spreads the draws out.",
)
