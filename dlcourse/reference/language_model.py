"""A language model's two numbers and its one act (from the language-model chapter):
the code length of a text in bits per character, the perplexity that goes with it, and
drawing the next character at a temperature.

A model that gives the next character ``x_t`` the probability ``p(x_t | x_<t)`` spends::

    bits = -(1/n) sum_t log2 p(x_t | x_<t)

bits per character on a text of ``n`` characters: the rate an arithmetic coder driven
by the model would achieve, to within a few bits for the whole text. Its perplexity is
``2 ** bits``, the number of equally likely characters that would be as surprising. To
generate, divide the logits by a temperature ``T`` before the softmax and draw: ``T <
1`` sharpens the distribution, ``T > 1`` flattens it. The argument checks live in
:mod:`dlcourse.reference._language_model_checks`.
"""

from __future__ import annotations

import numpy as np

from dlcourse._checks import checked
from dlcourse.reference import _language_model_checks as checks


def _log2_softmax(logits: np.ndarray) -> np.ndarray:
    """log2 of the softmax along the last axis, the maximum subtracted first."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return (shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))) / np.log(2)


@checked(checks.surprise_bits)
def surprise_bits(logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """-log2 p(x_t | x_<t) for every position: what each character costs, in bits.

    Args:
        logits: the model's scores for the next character, ``(..., alphabet)``.
        targets: the characters that came, as codes, ``logits.shape[:-1]``.
    """
    log2_p = _log2_softmax(logits)
    return -np.take_along_axis(log2_p, targets[..., None], axis=-1)[..., 0]


@checked(checks.surprise_bits)
def bits_per_character(logits: np.ndarray, targets: np.ndarray) -> float:
    """The mean of :func:`surprise_bits`: the text's code length per character.

    Args:
        logits: the model's scores for the next character, ``(..., alphabet)``.
        targets: the characters that came, as codes, ``logits.shape[:-1]``.
    """
    return float(surprise_bits(logits, targets).mean())


@checked(checks.perplexity)
def perplexity(bits: float) -> float:
    """2 ** bits: as surprised as a uniform choice among this many characters.

    Args:
        bits: a cross-entropy in bits per character.
    """
    return float(2.0**bits)


@checked(checks.temperature_probabilities)
def temperature_probabilities(logits: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(logits / T) along the last axis.

    Args:
        logits: scores for the next character, ``(alphabet,)`` or
            ``(batch, alphabet)``.
        temperature: ``T > 0``; 1 leaves the model's distribution as it is.
    """
    scaled = logits / temperature
    exponentials = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
    return exponentials / exponentials.sum(axis=-1, keepdims=True)


@checked(checks.sample_with_temperature)
def sample_with_temperature(
    logits: np.ndarray, temperature: float, uniform: np.ndarray
) -> np.ndarray:
    """Draw one character per row of ``logits`` at temperature ``T``.

    The draw inverts the cumulative distribution: the first code whose cumulative
    probability exceeds the uniform number ``u``. Passing ``u`` in makes the draw
    repeatable and testable.

    Args:
        logits: scores for the next character, ``(batch, alphabet)``.
        temperature: ``T > 0``.
        uniform: one number in ``[0, 1)`` per row, ``(batch,)``.

    Returns:
        the drawn codes, ``(batch,)`` integers.
    """
    probabilities = temperature_probabilities(logits, temperature)
    cumulative = np.cumsum(probabilities, axis=-1)
    drawn = (cumulative <= uniform[:, None]).sum(axis=-1)
    return np.minimum(drawn, logits.shape[-1] - 1)  # u near 1 against rounding
