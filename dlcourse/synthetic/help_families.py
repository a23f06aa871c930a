"""A labelled word task defined on real text: which part of Python's documentation a
paragraph of the built-in help comes from (Chapter 3b, "After LeNet").

The text is real: the help topics of the standard library's ``pydoc_data`` (see
:func:`dlcourse.data.load_pydoc_topics`). The labels are the course's: each help topic
is put in one of four :data:`FAMILIES` by the part of the documentation its section
belongs to (the Language Reference's statements, its expressions, its data and
execution model, or the Library Reference's built-in types). Topics of other parts
(lexical analysis, the debugger) are left out. A paragraph is a block of text between
blank lines with at least :data:`MIN_WORDS` words; a paragraph found under topics of
two families is dropped, one found twice in one family is kept once.

:func:`tokenize` cuts text into lowercase words and punctuation marks;
:func:`build_vocabulary` and :func:`encode` turn paragraphs into rows of word indices
(0 pads, 1 stands for a word outside the vocabulary) for a 1-D convolution.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, NamedTuple

import numpy as np

from dlcourse._checks import check_int, describe

#: The families, in label order, and the help topics of each.
FAMILIES = {
    "statements": (
        "assert assignment async augassign break class compound continue del else "
        "for function global if import nonlocal pass raise return try while with "
        "yield"
    ).split(),
    "expressions": (
        "atom-identifiers atom-literals attribute-references await binary bitwise "
        "booleans calls comparisons conversions dict exprlists in lambda lists "
        "operator-summary power shifting slicings subscriptions unary"
    ).split(),
    "data and execution model": (
        "attribute-access callable-types context-managers customization "
        "dynamic-features exceptions execmodel naming numeric-types objects "
        "sequence-types specialnames types"
    ).split(),
    "built-in types": (
        "bltin-code-objects bltin-ellipsis-object bltin-null-object "
        "bltin-type-objects formatstrings specialattrs string-methods truth "
        "typesfunctions typesmapping typesmethods typesmodules typesseq "
        "typesseq-mutable"
    ).split(),
}
#: The fewest words a paragraph needs to be kept.
MIN_WORDS = 20
#: The word index of padding, and of a word outside the vocabulary.
PAD, UNKNOWN = 0, 1
_TOKEN = re.compile(r"[a-z_][a-z_0-9]*|\d+|[^\sa-z_0-9]")


class Paragraphs(NamedTuple):
    """Paragraphs of the help text and their families.

    Args:
        text: the paragraphs, a list of strings.
        y: ``(count,)`` int64 family of each, an index into :data:`FAMILIES`.
        topic: the help topic each paragraph was taken from (the first, if several).
    """

    text: list[str]
    y: np.ndarray
    topic: list[str]


def help_paragraphs() -> Paragraphs:
    """The paragraphs of the help topics of :data:`FAMILIES`, labelled by family."""
    from dlcourse.data import load_pydoc_topics

    topics = load_pydoc_topics()
    seen: dict[str, tuple[int, str]] = {}
    dropped: set[str] = set()
    for label, names in enumerate(FAMILIES.values()):
        for name in names:
            for block in topics[name].split("\n\n"):
                paragraph = " ".join(block.split())
                if len(paragraph.split()) < MIN_WORDS:
                    continue
                if paragraph in seen and seen[paragraph][0] != label:
                    dropped.add(paragraph)
                seen.setdefault(paragraph, (label, name))
    kept = [(p, label, name) for p, (label, name) in seen.items() if p not in dropped]
    return Paragraphs(
        [p for p, _, _ in kept],
        np.array([label for _, label, _ in kept], dtype=np.int64),
        [name for _, _, name in kept],
    )


def tokenize(text: str) -> list[str]:
    """Lowercase words (letters, digits, underscores) and single punctuation marks.

    Args:
        text: any text.
    """
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a string, got {describe(text)}")
    return _TOKEN.findall(text.lower())


def _check_texts(texts: Any) -> list[str]:
    if not isinstance(texts, list | tuple) or not all(
        isinstance(t, str) for t in texts
    ):
        raise TypeError(f"`texts` must be a list of strings, got {describe(texts)}")
    if not texts:
        raise ValueError("`texts` must not be empty")
    return list(texts)


def build_vocabulary(texts: list[str], min_count: int = 2) -> dict[str, int]:
    """Word indices for the words seen at least ``min_count`` times in ``texts``, most
    frequent first, starting at 2 (0 pads, 1 is any other word).

    Args:
        texts: the training paragraphs.
        min_count: the fewest times a word must occur to get its own index.
    """
    texts = _check_texts(texts)
    min_count = check_int("min_count", min_count, minimum=1, maximum=10**6)
    counts = Counter(word for text in texts for word in tokenize(text))
    words = [w for w, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {w: i + 2 for i, w in enumerate(w for w in words if counts[w] >= min_count)}


def encode(texts: list[str], vocabulary: dict[str, int], length: int) -> np.ndarray:
    """Rows of ``length`` word indices: the first ``length`` words of each text, padded
    with 0 at the end; words outside ``vocabulary`` become 1.

    Args:
        texts: the paragraphs.
        vocabulary: from :func:`build_vocabulary`.
        length: words per row.
    """
    texts = _check_texts(texts)
    if not isinstance(vocabulary, dict) or not all(
        isinstance(w, str) and isinstance(i, int) and not isinstance(i, bool)
        for w, i in vocabulary.items()
    ):
        raise TypeError(
            "`vocabulary` must be a dict of words (str) to indices (int), got "
            f"{describe(vocabulary)}"
        )
    if not vocabulary or min(vocabulary.values()) < 2:
        raise ValueError(
            "`vocabulary` must map at least one word, each to an index of at least 2 "
            "(0 pads, 1 is any other word), as build_vocabulary returns"
        )
    length = check_int("length", length, minimum=1, maximum=100_000)
    rows = np.full((len(texts), length), PAD, dtype=np.int32)
    for row, text in zip(rows, texts, strict=True):
        indices = [vocabulary.get(w, UNKNOWN) for w in tokenize(text)[:length]]
        row[: len(indices)] = indices
    return rows
