"""The language-model chapter's exercise checkers on right answers and on typical wrong
ones (tests/test_exercises_properties.py covers the properties every checker has)."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse.exercises import language_model as exercises

pytestmark = pytest.mark.language_model


def test_reference_answers_are_correct_and_their_code_is_shown():
    for exercise in (
        exercises.perplexity_from_bits,
        exercises.bits_per_character,
        exercises.sample_with_temperature,
    ):
        assert exercise.check(exercise.answer).status == "correct"
        assert f"def {exercise.name}(" in exercise.solution().code
        assert exercise.hint().text


def test_stubs_are_not_done():
    def bits_per_character(logits, targets): ...

    assert exercises.bits_per_character.check(bits_per_character).status == "not done"


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        (lambda bits: float(np.exp(bits)), "base"),
        (lambda bits: 2.0**-bits, "probability of one character"),
        (lambda bits: 10.0**bits, "base"),
        (lambda bits: 2 * bits, "multiplies"),
        (lambda bits: 4.0, "too"),
    ],
)
def test_perplexity_diagnoses(answer, diagnosis):
    result = exercises.perplexity_from_bits.check(answer)
    assert result.status == "incorrect" and diagnosis in result.message, result


def _log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _picked(logits, targets):
    return np.take_along_axis(_log_softmax(logits), targets[..., None], axis=-1)


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        (lambda z, t: float(-_picked(z, t).mean()), "nats"),
        (lambda z, t: float(-_picked(z, t).sum() / np.log(2)), "total"),
        (
            lambda z, t: float(-_log_softmax(z).max(axis=-1).mean() / np.log(2)),
            "most likely character",
        ),
        (  # no shift: overflows on large logits
            lambda z, t: float(
                -np.mean(
                    np.log2(
                        np.take_along_axis(
                            np.exp(z) / np.exp(z).sum(-1, keepdims=True),
                            t[..., None],
                            axis=-1,
                        )
                    )
                )
            ),
            "overflows",
        ),
    ],
)
def test_bits_per_character_diagnoses(answer, diagnosis):
    result = exercises.bits_per_character.check(answer)
    assert result.status == "incorrect" and diagnosis in result.message, result


def _inverse(probabilities, uniform):
    drawn = (np.cumsum(probabilities, axis=-1) <= uniform[:, None]).sum(axis=-1)
    return np.minimum(drawn, probabilities.shape[-1] - 1)


def _softmax(z):
    return np.exp(_log_softmax(z))


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        (lambda z, t, u: z.argmax(axis=-1), "most likely code"),
        (lambda z, t, u: _inverse(_softmax(z * t), u), "multiplies the logits"),
        (lambda z, t, u: _inverse(_softmax(z), u), "leaves the temperature out"),
        (
            lambda z, t, u: np.minimum(
                _inverse(_softmax(z / t), u) + 1, z.shape[-1] - 1
            ),
            "one code off",
        ),
    ],
)
def test_sampler_diagnoses(answer, diagnosis):
    result = exercises.sample_with_temperature.check(answer)
    assert result.status == "incorrect" and diagnosis in result.message, result
