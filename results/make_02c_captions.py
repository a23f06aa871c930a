"""Several seeds of the image captioner (chapter "Gated networks at work").

Writes ``results/02c_captions.json``: for each seed in ``SEEDS``, the whole-caption and
per-slot accuracy of the CNN-GRU captioner (greedy decoding) and of the non-recurrent
slot classifier on the same kind of CNN features, on test scenes of seen colour-shape
combinations and on scenes with a held-out combination, and the share of held-out-pair
shapes each names right. The scenes are the chapter's (fixed data seeds); only the seed
of the weights and the batch order changes. The settings are saved with the numbers;
the notebook checks that they are its own. The learning rate is the better of
``candidate_rates`` on a validation set of seen pairs (``validation``). Run
``.venv/bin/python results/make_02c_captions.py``; it takes a few minutes on two cores.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from dlcourse import results, training  # noqa: E402
from dlcourse.keras_parts import captioning  # noqa: E402
from dlcourse.synthetic import scenes  # noqa: E402

#: The seeds of the initial weights and of the batch order.
SEEDS = (0, 1, 2, 3, 4)
#: The chapter's quick-mode settings, saved with the numbers.
SETTINGS = {
    "train_scenes": 2000,
    "test_scenes": 300,
    "data_seeds": [1, 2, 3],
    "epochs": 8,
    "batch_size": 64,
    "units": 64,
    "embedding": 16,
    "learning_rate": 0.006,
    "validation_seed": 4,
    "candidate_rates": [0.003, 0.006],
}
#: The number of choices of each of the seven slots.
SLOT_SIZES = [
    len(choices)
    for choices in (
        scenes.SIZES,
        scenes.COLOURS,
        scenes.SHAPES,
        scenes.RELATIONS,
        scenes.SIZES,
        scenes.COLOURS,
        scenes.SHAPES,
    )
]


def test_sets() -> dict[str, scenes.Scenes]:
    _, seen_seed, held_seed = SETTINGS["data_seeds"]
    count = SETTINGS["test_scenes"]
    return {
        "seen": scenes.draw_scenes(count, seed=seen_seed),
        "held_out": scenes.draw_scenes(count, held_out=True, seed=held_seed),
    }


def scores(predicted: dict[str, np.ndarray], tests: dict) -> dict:
    out = {}
    for name, test in tests.items():
        score = captioning.score_slots(predicted[name], test.slots)
        out[name] = {"exact": score.exact, "per_slot": score.per_slot.tolist()}
    if "held_out" in tests:
        out["held_out"]["pair_shapes"] = scenes.held_out_shapes_named(
            predicted["held_out"], tests["held_out"].slots
        )
    return out


def captioner_scores(
    seed: int, train: scenes.Scenes, tests: dict, rate: float | None = None
) -> dict:
    training.set_seed(seed)
    model = captioning.captioner(
        len(scenes.VOCABULARY),
        scenes.CAPTION_LENGTH - 1,
        units=SETTINGS["units"],
        embedding=SETTINGS["embedding"],
        learning_rate=SETTINGS["learning_rate"] if rate is None else rate,
    )
    captioning.train_captioner(
        model,
        train.images,
        train.captions,
        epochs=SETTINGS["epochs"],
        batch_size=SETTINGS["batch_size"],
        seed=seed,
    )
    predicted = {}
    for name, test in tests.items():
        tokens = captioning.greedy_captions(
            model,
            test.images,
            start=scenes.VOCABULARY.index(scenes.START),
            end=scenes.VOCABULARY.index(scenes.END),
            length=scenes.CAPTION_LENGTH - 1,
        )
        predicted[name] = np.stack([scenes.parse_caption(row) for row in tokens])
    return scores(predicted, tests)


def slot_classifier_scores(seed: int, train: scenes.Scenes, tests: dict) -> dict:
    training.set_seed(seed)
    model = captioning.slot_classifier(
        SLOT_SIZES, units=SETTINGS["units"], learning_rate=SETTINGS["learning_rate"]
    )
    keras.utils.set_random_seed(seed)
    model.fit(
        train.images,
        list(train.slots.T),
        batch_size=SETTINGS["batch_size"],
        epochs=SETTINGS["epochs"],
        verbose=0,
    )
    predicted = {
        name: np.stack(
            [p.argmax(axis=-1) for p in model.predict(test.images, verbose=0)], axis=1
        )
        for name, test in tests.items()
    }
    return scores(predicted, tests)


def main() -> None:
    """Train both models for every seed and save the numbers."""
    train = scenes.draw_scenes(SETTINGS["train_scenes"], seed=SETTINGS["data_seeds"][0])
    tests = test_sets()
    # The learning rate is chosen on a validation set of seen pairs, never on a test.
    validation = scenes.draw_scenes(
        SETTINGS["test_scenes"], seed=SETTINGS["validation_seed"]
    )
    runs = {"captioner": [], "slot_classifier": []}
    chosen = SETTINGS["learning_rate"]
    picks = {str(rate): [] for rate in SETTINGS["candidate_rates"]}
    for seed in SEEDS:
        for rate in SETTINGS["candidate_rates"]:
            if rate != chosen:
                other = captioner_scores(seed, train, {"validation": validation}, rate)
                picks[str(rate)].append(other["validation"]["exact"])
        run = captioner_scores(seed, train, {**tests, "validation": validation})
        picks[str(chosen)].append(run.pop("validation")["exact"])
        runs["captioner"].append(run)
        runs["slot_classifier"].append(slot_classifier_scores(seed, train, tests))
        print(f"seed {seed}:", {k: v[-1]["seen"]["exact"] for k, v in runs.items()})
    results.save(
        "02c_captions",
        {"seeds": list(SEEDS), "settings": SETTINGS, "validation": picks, **runs},
        command=".venv/bin/python results/make_02c_captions.py",
        script=__file__,
    )


if __name__ == "__main__":
    main()
