"""The generated captioned scenes and the captioner's parts (chapter "Gated networks
at work", image captioning)."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest

from dlcourse.keras_parts import captioning
from dlcourse.synthetic import scenes

pytestmark = pytest.mark.gated_uses

START = scenes.VOCABULARY.index(scenes.START)
END = scenes.VOCABULARY.index(scenes.END)


def test_scenes_are_seeded_and_shaped():
    first, again = scenes.draw_scenes(20, seed=3), scenes.draw_scenes(20, seed=3)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    size = scenes.IMAGE_SIZE
    assert first.images.shape == (20, size, size, 3)
    assert first.images.dtype == np.float32
    assert 0.0 <= first.images.min() and first.images.max() <= 1.0
    assert first.captions.shape == (20, scenes.CAPTION_LENGTH)
    assert np.all(first.captions[:, 0] == START)
    assert not np.array_equal(first.images, scenes.draw_scenes(20, seed=4).images)


def test_captions_follow_the_slots_and_parse_back():
    drawn = scenes.draw_scenes(200, seed=0)
    for tokens, slots in zip(drawn.captions, drawn.slots, strict=True):
        np.testing.assert_array_equal(scenes.parse_caption(tokens), slots)
        words = [scenes.VOCABULARY[t] for t in tokens if t > END]
        assert words == scenes.caption_words(slots)
    assert set(drawn.slots[:, 3]) == {0, 1}  # both relations occur


def test_caption_words_reads_like_the_grammar():
    slots = np.array([0, 0, 0, 0, 1, 2, 1])
    assert " ".join(scenes.caption_words(slots)) == (
        "a small red square left of a big blue circle"
    )


def _has_held_out_pair(slots):
    pairs = [
        (scenes.COLOURS[row[c]], scenes.SHAPES[row[s]])
        for row in slots
        for c, s in ((1, 2), (5, 6))
    ]
    return np.array([p in scenes.HELD_OUT for p in pairs]).reshape(-1, 2).any(axis=1)


def test_held_out_combinations_stay_out_of_training_scenes():
    seen = scenes.draw_scenes(500, seed=1)
    held = scenes.draw_scenes(200, held_out=True, seed=2)
    assert not _has_held_out_pair(seen.slots).any()
    assert _has_held_out_pair(held.slots).all()
    assert not seen.held_out.any() and held.held_out.all()
    # every colour and every shape still appears in the training scenes
    assert set(seen.slots[:, 1]) == set(range(len(scenes.COLOURS)))
    assert set(seen.slots[:, 2]) == set(range(len(scenes.SHAPES)))


def test_the_relation_is_drawn_where_it_says():
    drawn = scenes.draw_scenes(60, seed=5)
    for image, slots in zip(drawn.images, drawn.slots, strict=True):
        # rows and columns of each shape's colour, first and second
        bright = image.max(axis=2) > 0.3
        rows, columns = np.nonzero(bright)
        if slots[3] == 0:
            assert columns.min() < scenes.IMAGE_SIZE / 2 < columns.max()
        else:
            assert rows.min() < scenes.IMAGE_SIZE / 2 < rows.max()


def test_parse_caption_marks_garbled_slots():
    words = ["a", "big", "green", "circle", "above", "a", "small", "blue", "square"]
    tokens = scenes.encode(words)
    assert scenes.parse_caption(tokens).tolist() == [1, 1, 1, 1, 0, 2, 0]
    swapped = scenes.encode(["a", "green", "big", *words[3:]])
    assert scenes.parse_caption(swapped)[:2].tolist() == [-1, -1]
    assert scenes.parse_caption(scenes.encode(["a"])).tolist() == [-1] * 7
    no_end = np.array([START] + [scenes.VOCABULARY.index("a")] * 11)
    assert np.all(scenes.parse_caption(no_end)[3:] == -1)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: scenes.draw_scenes(0), ValueError, "count"),
        (lambda: scenes.draw_scenes(2.5), TypeError, "count"),
        (lambda: scenes.draw_scenes(3, held_out="yes"), TypeError, "held_out"),
        (lambda: scenes.draw_scenes(3, seed=-1), ValueError, "seed"),
        (lambda: scenes.caption_words([0, 0, 0]), ValueError, "slots"),
        (lambda: scenes.caption_words([0, 9, 0, 0, 0, 0, 0]), ValueError, "colour"),
        (lambda: scenes.parse_caption([0, 99]), ValueError, "tokens"),
        (lambda: scenes.parse_caption("a red"), TypeError, "tokens"),
        (lambda: scenes.draw_scene([0] * 7, rng=0), TypeError, "rng"),
    ],
)
def test_scene_functions_name_a_bad_argument(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_teacher_forcing_shifts_the_captions():
    captions = scenes.draw_scenes(4, seed=0).captions
    forcing = captioning.teacher_forcing(captions)
    np.testing.assert_array_equal(forcing.inputs[:, 1:], forcing.targets[:, :-1])
    assert np.all(forcing.inputs[:, 0] == START)
    np.testing.assert_array_equal(forcing.weights, forcing.targets != 0)


def test_score_slots_counts_whole_captions_and_slots():
    true = np.array([[0, 1, 2, 0, 1, 0, 2], [1, 1, 1, 1, 1, 1, 1]])
    predicted = true.copy()
    predicted[1, 2] = -1
    score = captioning.score_slots(predicted, true)
    assert score.exact == 0.5
    assert score.per_slot[2] == 0.5 and score.per_slot[0] == 1.0


def test_greedy_decoding_matches_the_teacher_forced_model():
    """With a model's own greedy words as inputs, the teacher-forced outputs give the
    same words again: the decoder is causal, and greedy decoding feeds words back."""
    import keras

    keras.utils.set_random_seed(0)
    steps = scenes.CAPTION_LENGTH - 1
    model = captioning.captioner(len(scenes.VOCABULARY), steps, units=8)
    images = scenes.draw_scenes(5, seed=0).images
    tokens = captioning.greedy_captions(
        model, images, start=START, end=END, length=steps
    )
    assert tokens.shape == (5, steps + 1) and np.all(tokens[:, 0] == START)
    again = np.argmax(model.predict([images, tokens[:, :-1]], verbose=0), axis=-1)
    for row, written in zip(again, tokens, strict=True):
        ends = np.flatnonzero(written[1:] == END)
        stop = ends[0] + 1 if len(ends) else steps
        np.testing.assert_array_equal(row[:stop], written[1 : stop + 1])


def test_a_captioner_learns_the_training_captions():
    import keras

    keras.utils.set_random_seed(0)
    train = scenes.draw_scenes(300, seed=0)
    model = captioning.captioner(len(scenes.VOCABULARY), scenes.CAPTION_LENGTH - 1)
    losses = captioning.train_captioner(
        model, train.images, train.captions, epochs=3, batch_size=32, seed=0
    )
    assert len(losses) == 3 and losses[-1] < losses[0]


def test_slot_classifier_has_a_head_per_slot():
    model = captioning.slot_classifier([2, 4, 3, 2, 2, 4, 3], units=8)
    images = scenes.draw_scenes(3, seed=0).images
    outputs = model.predict(images, verbose=0)
    assert [o.shape for o in outputs] == [(3, k) for k in [2, 4, 3, 2, 2, 4, 3]]


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: captioning.captioner(1, 11), ValueError, "vocabulary"),
        (lambda: captioning.captioner(16, 0), ValueError, "steps"),
        (lambda: captioning.captioner(16, 11, filters=(8,)), TypeError, "filters"),
        (lambda: captioning.captioner(16, 11, learning_rate=0), ValueError, "learning"),
        (lambda: captioning.teacher_forcing(np.zeros((3, 1))), ValueError, "captions"),
        (
            lambda: captioning.greedy_captions(
                "m", np.zeros((1, 4, 4, 3)), start=1, end=2, length=3
            ),
            TypeError,
            "model",
        ),
        (lambda: captioning.slot_classifier([2, 1]), ValueError, "slot_sizes"),
        (
            lambda: captioning.score_slots(np.zeros((2, 7)), np.zeros((3, 7))),
            ValueError,
            "predicted",
        ),
    ],
)
def test_captioning_functions_name_a_bad_argument(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_held_out_shapes_named_counts_only_held_out_pairs():
    # first shape a red circle (held out), second a red square (seen)
    true = np.array([[0, 0, 1, 0, 0, 0, 0]])
    assert scenes.held_out_pairs(true).tolist() == [[True, False]]
    assert scenes.held_out_shapes_named(true, true) == 1.0
    wrong_second = true.copy()
    wrong_second[0, 6] = 2
    assert scenes.held_out_shapes_named(wrong_second, true) == 1.0
    wrong_first = true.copy()
    wrong_first[0, 2] = 0  # "red square": the pairing seen in training
    assert scenes.held_out_shapes_named(wrong_first, true) == 0.0
    with pytest.raises(ValueError, match="held-out"):
        scenes.held_out_shapes_named(true[:, :] * 0 + 2, true * 0 + 2)
