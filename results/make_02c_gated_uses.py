"""Several seeds of the gated networks' uses (chapter "Gated networks at work").

Writes ``results/02c_gated_uses.json``: for each seed in ``SEEDS`` and each of GRU and
LSTM, the number of PickupGestureWiimoteZ test gestures and of held-out-voice spoken
digits recognised after the chapter's quick-mode training. The settings are saved with
the numbers; the notebook checks that they are its own. The baselines are deterministic
and computed by the notebook itself. Run ``.venv/bin/python
results/make_02c_gated_uses.py``; it takes a few minutes on two cores.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402

from dlcourse import data, results, training  # noqa: E402
from dlcourse.keras_parts import gated_classifiers  # noqa: E402
from dlcourse.keras_parts.sequence_classifiers import (  # noqa: E402
    frame_scaling,
    standardise_frames,
)

#: The seeds of the initial weights and of the batch order.
SEEDS = (0, 1, 2, 3, 4)
#: The chapter's quick-mode settings, saved with the numbers.
SETTINGS = {
    "gesture_frames": 32,
    "gesture_units": 32,
    "gesture_steps": 200,
    "gesture_batch": 50,
    "word_units": 32,
    "word_steps": 225,
    "word_batch": 32,
    "learning_rate": 0.01,
}
LAYERS = gated_classifiers.GATED_LAYERS
#: The classes of the gesture set: the ten people who made the pick-up gesture.
GESTURE_PEOPLE = 10


def correct_count(model, x, y) -> int:
    return int(np.sum(training.predict_classes(model, x) == y))


def gesture_correct(layer: str, seed: int, x_train, y_train, x_test, y_test) -> int:
    training.set_seed(seed)
    model = gated_classifiers.gated_classifier(
        layer,
        1,
        GESTURE_PEOPLE,
        units=SETTINGS["gesture_units"],
        learning_rate=SETTINGS["learning_rate"],
    )
    gated_classifiers.train_for_steps(
        model,
        x_train,
        y_train,
        steps=SETTINGS["gesture_steps"],
        batch_size=SETTINGS["gesture_batch"],
        seed=seed,
    )
    return correct_count(model, x_test, y_test)


def word_correct(layer: str, seed: int, x_train, y_train, x_test, y_test) -> int:
    training.set_seed(seed)
    model = gated_classifiers.gated_classifier(
        layer,
        x_train.shape[2],
        10,
        units=SETTINGS["word_units"],
        learning_rate=SETTINGS["learning_rate"],
    )
    gated_classifiers.train_for_steps(
        model,
        x_train,
        y_train,
        steps=SETTINGS["word_steps"],
        batch_size=SETTINGS["word_batch"],
        seed=seed,
    )
    return correct_count(model, x_test, y_test)


def main() -> None:
    """Train every layer on both tasks for every seed and save the numbers."""
    gestures = data.load_gestures()
    flat = data.resample_sequences(
        gestures.x_train, gestures.lengths_train, SETTINGS["gesture_frames"]
    )
    scale = {"mean": float(flat.mean()), "spread": float(flat.std())}
    gesture_sets = [
        gated_classifiers.resampled_gestures(
            x, lengths, SETTINGS["gesture_frames"], **scale
        )
        for x, lengths in (
            (gestures.x_train, gestures.lengths_train),
            (gestures.x_test, gestures.lengths_test),
        )
    ]
    words = data.load_spoken_words()
    scaling = frame_scaling(words.x_train, words.lengths_train)
    word_train = standardise_frames(words.x_train, words.lengths_train, scaling)
    word_test = standardise_frames(words.x_test, words.lengths_test, scaling)
    gesture_counts = {layer: [] for layer in LAYERS}
    word_counts = {layer: [] for layer in LAYERS}
    for seed in SEEDS:
        for layer in LAYERS:
            gesture_counts[layer].append(
                gesture_correct(
                    layer,
                    seed,
                    gesture_sets[0],
                    gestures.y_train,
                    gesture_sets[1],
                    gestures.y_test,
                )
            )
            word_counts[layer].append(
                word_correct(
                    layer, seed, word_train, words.y_train, word_test, words.y_test
                )
            )
            print(seed, layer, gesture_counts[layer][-1], word_counts[layer][-1])
    results.save(
        "02c_gated_uses",
        {
            "seeds": list(SEEDS),
            "settings": SETTINGS,
            "gesture_test_count": len(gestures.y_test),
            "word_test_count": len(words.y_test),
            "gesture_correct": gesture_counts,
            "word_correct": word_counts,
        },
        command=".venv/bin/python results/make_02c_gated_uses.py",
        script=__file__,
    )


if __name__ == "__main__":
    main()
