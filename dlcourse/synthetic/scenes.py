"""Generated scenes of two shapes and their captions (Chapter 2c, image captioning).

No captioned image set ships offline, so this module *generates* one and says so. Each
scene is a small colour image with two shapes on a dark, slightly noisy background;
its caption follows a small grammar, for instance "a small red square left of a big
blue circle". Some colour-shape *combinations* (see :data:`HELD_OUT`) never appear in
the scenes drawn with ``held_out=False``, so a model trained on those can be tested on
combinations it has never seen: a test of systematic generalisation. The scenes are far
simpler than photographs, so accuracies on them say nothing about real captioning.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from dlcourse._checks import check_array, check_bool, check_count, check_int

#: Side of the square images, in pixels.
IMAGE_SIZE = 24
#: The sizes, colours, shapes and relations of the grammar, in index order.
SIZES = ("small", "big")
COLOURS = ("red", "green", "blue", "yellow")
SHAPES = ("square", "circle", "triangle")
RELATIONS = ("left of", "above")
#: Colour-shape pairs absent from ``held_out=False`` scenes: every colour and every
#: shape still appears, only these pairings do not.
HELD_OUT = (("red", "circle"), ("green", "triangle"), ("blue", "square"))
#: The special tokens: padding (index 0), start and end of a caption.
PAD, START, END = "<pad>", "<start>", "<end>"
#: Every token, in index order.
VOCABULARY = (
    PAD,
    START,
    END,
    "a",
    *SIZES,
    *COLOURS,
    *SHAPES,
    "left",
    "of",
    "above",
)
#: The longest caption in tokens, with ``<start>`` and ``<end>``.
CAPTION_LENGTH = 12
#: What each of the seven columns of :attr:`Scenes.slots` holds.
SLOT_KINDS = ("size", "colour", "shape", "relation", "size", "colour", "shape")
#: The most scenes one call draws.
MAX_SCENES = 200_000

_RGB = {
    "red": (0.95, 0.15, 0.15),
    "green": (0.15, 0.8, 0.2),
    "blue": (0.2, 0.35, 1.0),
    "yellow": (0.95, 0.9, 0.1),
}
_RADIUS = {"small": 2.5, "big": 4.5}
_CHOICES = (SIZES, COLOURS, SHAPES, RELATIONS, SIZES, COLOURS, SHAPES)


class Scenes(NamedTuple):
    """Images, their captions and the grammar's choices behind each caption.

    Attributes:
        images: float32 ``(n, IMAGE_SIZE, IMAGE_SIZE, 3)`` in ``[0, 1]``.
        captions: int64 ``(n, CAPTION_LENGTH)`` token indices into
            :data:`VOCABULARY`: ``<start>``, the words, ``<end>``, then ``<pad>``.
        slots: int64 ``(n, 7)``: the first shape's size, colour and shape, the
            relation, the second shape's size, colour and shape (see
            :data:`SLOT_KINDS`), as indices into :data:`SIZES`, :data:`COLOURS`, ...
        held_out: bool ``(n,)``: at least one shape is a :data:`HELD_OUT` pair.
    """

    images: np.ndarray
    captions: np.ndarray
    slots: np.ndarray
    held_out: np.ndarray


def caption_words(slots: np.ndarray) -> list[str]:
    """The words of the caption that one row of seven slot indices describes.

    Args:
        slots: seven whole numbers, as in a row of :attr:`Scenes.slots`.
    """
    slots = check_array("slots", slots, shape=(7,), dtype="int")
    for value, choices, kind in zip(slots, _CHOICES, SLOT_KINDS, strict=True):
        if not 0 <= value < len(choices):
            raise ValueError(
                f"`slots` must hold a {kind} index in [0, {len(choices) - 1}], "
                f"got {int(value)}"
            )
    words = [_CHOICES[i][slots[i]] for i in range(7)]
    return ["a", *words[:3], *words[3].split(), "a", *words[4:]]


def parse_caption(tokens: np.ndarray) -> np.ndarray:
    """The seven slot indices a caption states, ``-1`` where it states none.

    Reading stops at the first ``<end>`` or ``<pad>``; a leading ``<start>`` is
    skipped. A word in the wrong place, or a caption of the wrong shape, gives ``-1``
    for the slots it leaves unclear, so a garbled caption scores no slot.

    Args:
        tokens: 1-D token indices into :data:`VOCABULARY`.
    """
    tokens = check_array("tokens", tokens, ndim=1, dtype="int")
    if np.any((tokens < 0) | (tokens >= len(VOCABULARY))):
        raise ValueError(
            f"`tokens` must hold indices in [0, {len(VOCABULARY) - 1}], "
            f"got values from {tokens.min()} to {tokens.max()}"
        )
    words = [VOCABULARY[t] for t in tokens]
    if words[:1] == [START]:
        words = words[1:]
    for stop in (END, PAD):
        if stop in words:
            words = words[: words.index(stop)]
    slots = np.full(7, -1, dtype=np.int64)
    if words[:1] != ["a"]:
        return slots
    _read_object(words[1:4], slots, 0)
    rest = words[4:]
    if rest[:2] == ["left", "of"]:
        slots[3], rest = 0, rest[2:]
    elif rest[:1] == ["above"]:
        slots[3], rest = 1, rest[1:]
    else:
        return slots
    if rest[:1] == ["a"] and len(rest) == 4:
        _read_object(rest[1:4], slots, 4)
    return slots


def _read_object(words: list[str], slots: np.ndarray, first: int) -> None:
    for offset, (word, choices) in enumerate(
        zip(words, (SIZES, COLOURS, SHAPES), strict=False)
    ):
        if word in choices:
            slots[first + offset] = choices.index(word)


def encode(words: list[str]) -> np.ndarray:
    """``<start>``, the words, ``<end>`` as token indices, padded to the full length.

    Args:
        words: a non-empty list of words of :data:`VOCABULARY`, at most
            ``CAPTION_LENGTH - 2`` of them.
    """
    if not isinstance(words, list | tuple):
        raise TypeError(f"`words` must be a list of words, got {type(words).__name__}")
    if not 1 <= len(words) <= CAPTION_LENGTH - 2:
        raise ValueError(
            f"`words` must hold 1 to {CAPTION_LENGTH - 2} words, got {len(words)}"
        )
    unknown = [w for w in words if not isinstance(w, str) or w not in VOCABULARY]
    if unknown:
        raise ValueError(f"`words` must be words of VOCABULARY, got {unknown[:3]!r}")
    tokens = [VOCABULARY.index(w) for w in (START, *words, END)]
    return np.asarray(tokens + [0] * (CAPTION_LENGTH - len(tokens)), dtype=np.int64)


def _mask(shape: str, centre: np.ndarray, radius: float) -> np.ndarray:
    rows, columns = np.mgrid[0:IMAGE_SIZE, 0:IMAGE_SIZE] + 0.5
    dy, dx = rows - centre[0], columns - centre[1]
    if shape == "square":
        inside = (np.abs(dx) <= radius) & (np.abs(dy) <= radius)
    elif shape == "circle":
        inside = dx**2 + dy**2 <= radius**2
    else:  # a triangle pointing up: wider towards the bottom (rows grow downwards)
        inside = (np.abs(dy) <= radius) & (np.abs(dx) <= (dy + radius) / 2 + 0.5)
    return inside


def draw_scene(slots: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The image of one scene: float32 ``(IMAGE_SIZE, IMAGE_SIZE, 3)`` in ``[0, 1]``.

    In a "left of" scene the two centres lie at about the same height, the first in
    the left third; in an "above" scene at about the same column, the first in the top
    third, so the relation is never ambiguous.

    Args:
        slots: seven slot indices, as in a row of :attr:`Scenes.slots`.
        rng: the random generator of positions, shades and noise.
    """
    caption_words(slots)  # validates the slots
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "`rng` must be a numpy.random.Generator (np.random.default_rng(seed)), "
            f"got {type(rng).__name__}"
        )
    slots = np.asarray(slots)
    image = rng.uniform(0.0, 0.08, size=(IMAGE_SIZE, IMAGE_SIZE, 3))
    shared = rng.uniform(5.0, 19.0)
    along = (rng.uniform(5.0, 8.0), rng.uniform(16.0, 19.0))
    for index, first in enumerate((0, 4)):
        size, colour, shape = (
            SIZES[slots[first]],
            COLOURS[slots[first + 1]],
            SHAPES[slots[first + 2]],
        )
        across = shared + rng.uniform(-1.0, 1.0)
        # (row, column): "left of" varies the column, "above" the row
        centre = np.array(
            [across, along[index]] if slots[3] == 0 else [along[index], across]
        )
        inside = _mask(shape, centre, _RADIUS[size])
        shade = np.clip(np.array(_RGB[colour]) + rng.uniform(-0.08, 0.08, 3), 0, 1)
        image[inside] = shade
    return image.astype(np.float32)


def _is_held_out(colour: int, shape: int) -> bool:
    return (COLOURS[colour], SHAPES[shape]) in HELD_OUT


def draw_scenes(count: int, *, held_out: bool = False, seed: int = 0) -> Scenes:
    """``count`` random scenes with their captions.

    With ``held_out=False`` no shape is a :data:`HELD_OUT` colour-shape pair; with
    ``held_out=True`` at least one of the two shapes of every scene is one. Every
    other choice (sizes, the relation, the other shape) is drawn uniformly.

    Args:
        count: the number of scenes, at most :data:`MAX_SCENES`.
        held_out: draw scenes with held-out combinations (True) or without (False).
        seed: the seed of every random choice.
    """
    count = check_count("count", count, maximum=MAX_SCENES)
    held_out = check_bool("held_out", held_out)
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    slots = np.zeros((count, 7), dtype=np.int64)
    for row in range(count):
        while True:
            draw = np.array([rng.integers(len(c)) for c in _CHOICES])
            flags = [_is_held_out(draw[1], draw[2]), _is_held_out(draw[5], draw[6])]
            if any(flags) == held_out:
                break
        slots[row] = draw
    images = np.stack([draw_scene(row, rng) for row in slots])
    captions = np.stack([encode(caption_words(row)) for row in slots])
    return Scenes(images, captions, slots, np.full(count, held_out))


def held_out_pairs(slots: np.ndarray) -> np.ndarray:
    """Which of the two shapes of each scene is a :data:`HELD_OUT` colour-shape pair.

    Args:
        slots: ``(n, 7)`` slot indices, as in :attr:`Scenes.slots`.

    Returns:
        bool ``(n, 2)``: the first and the second shape.
    """
    slots = check_array("slots", slots, ndim=2, shape=(None, 7), dtype="int")
    return np.array(
        [[_is_held_out(row[1], row[2]), _is_held_out(row[5], row[6])] for row in slots],
        dtype=bool,
    ).reshape(-1, 2)


def held_out_shapes_named(predicted: np.ndarray, true: np.ndarray) -> float:
    """The share of held-out-pair shapes whose shape word ``predicted`` gets right.

    Only the shapes that form a :data:`HELD_OUT` pair count (their colour is not
    checked): did the model name a shape it never saw in that colour?

    Args:
        predicted: ``(n, 7)`` predicted slot indices (``-1`` for none stated).
        true: ``(n, 7)`` true slot indices, with at least one held-out pair.
    """
    predicted = check_array(
        "predicted", predicted, ndim=2, shape=(None, 7), dtype="int"
    )
    true = check_array("true", true, ndim=2, shape=(len(predicted), 7), dtype="int")
    mask = held_out_pairs(true)
    if not mask.any():
        raise ValueError("`true` must hold at least one held-out colour-shape pair")
    right = predicted[:, [2, 6]] == true[:, [2, 6]]
    return float(right[mask].mean())
