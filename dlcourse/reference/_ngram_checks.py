"""Argument checks of :mod:`dlcourse.reference.ngram`: the boundary before its core."""

from __future__ import annotations

from typing import Any

from dlcourse._checks import check_array, check_int

#: Longest context the n-gram core accepts (its context ids must fit in 64 bits).
MAX_ORDER = 6
#: Largest alphabet the n-gram core accepts.
MAX_ALPHABET = 256
#: Longest text the n-gram core counts, in characters.
MAX_CHARACTERS = 20_000_000


def _codes(name: str, codes: Any, alphabet_size: int, minimum: int) -> Any:
    codes = check_array(name, codes, ndim=1, dtype="int")
    if len(codes) > MAX_CHARACTERS:
        raise ValueError(
            f"`{name}` has {len(codes):,} characters; at most {MAX_CHARACTERS:,}"
        )
    if len(codes) < minimum:
        raise ValueError(
            f"`{name}` must have more than `order` characters, got {len(codes)}"
        )
    if codes.min() < 0 or codes.max() >= alphabet_size:
        raise ValueError(
            f"`{name}` must hold codes in [0, {alphabet_size}), got values from "
            f"{codes.min()} to {codes.max()}"
        )
    return codes


def ngram_bits_per_character(
    train_codes: Any, test_codes: Any, order: Any, alphabet_size: Any
) -> dict[str, Any]:
    """Validate the arguments of the n-gram core."""
    order = check_int("order", order, minimum=0, maximum=MAX_ORDER)
    alphabet_size = check_int(
        "alphabet_size", alphabet_size, minimum=2, maximum=MAX_ALPHABET
    )
    return {
        "train_codes": _codes("train_codes", train_codes, alphabet_size, order + 1),
        "test_codes": _codes("test_codes", test_codes, alphabet_size, order + 1),
        "order": order,
        "alphabet_size": alphabet_size,
    }
