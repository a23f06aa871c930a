"""The language-model chapter's GRU, trained in its quick and its full settings.

Writes ``results/02b_language_model.json``: for each seed in ``QUICK_SEEDS`` the quick
settings' held-out bits per character, and for each seed in ``FULL_SEEDS`` the full
settings' held-out bits per character, its seconds of training, its learning curve on
the validation text and its samples at several temperatures taken during training.
Training stops on the validation text: the held-out bits are those of the weights at the
lowest point of the validation curve (``best_step``); ``held_out_bits_last`` is the rate
after all the steps, kept to show what stopping saves. The
settings are saved with the numbers; the notebook checks that they are its own. Run
``.venv/bin/python results/make_02b_language_model.py``; the full runs take several
minutes each on two cores.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from dlcourse import data, results, training  # noqa: E402
from dlcourse.keras_parts import language_model as parts  # noqa: E402
from dlcourse.reference import language_model as reference_lm  # noqa: E402

#: Seeds of the quick runs (weights, windows, sampler).
QUICK_SEEDS = (0, 1, 2)
#: Seeds of the full runs.
FULL_SEEDS = (0, 1, 2)
#: The split and the measurements, shared by both scales.
COMMON = {
    "held_out_share": 0.1,
    "validation_characters": 20_000,
    "held_out_pieces": 64,
    "validation_pieces": 40,
    "prompt": "The ",
    "temperatures": [0.5, 1.0, 1.5],
    "sample_length": 120,
}
#: The notebook's settings at each scale.
SETTINGS = {
    "quick": {
        "units": 128,
        "embedding": 32,
        "window": 64,
        "batch": 128,
        "rate": 0.01,
        "steps": 200,
        "every": 20,
        "sample_at": [20, 60, 200],
    },
    "full": {
        "units": 256,
        "embedding": 32,
        "window": 64,
        "batch": 128,
        "rate": 0.005,
        "steps": 1200,
        "every": 50,
        "sample_at": [50, 200, 1200],
    },
}
#: The final learning rate, as a share of the first (cosine decay).
FINAL_RATE_SHARE = 0.1


def split_codes() -> tuple[list[str], dict[str, np.ndarray]]:
    """The alphabet and the coded training, validation and held-out texts."""
    text = data.load_pydoc_text()
    alphabet = sorted(set(text))
    index = {char: code for code, char in enumerate(alphabet)}
    codes = np.array([index[char] for char in text], dtype=np.int64)
    split = int((1 - COMMON["held_out_share"]) * len(codes))
    fit_end = split - COMMON["validation_characters"]
    return alphabet, {
        "fit": codes[:fit_end],
        "validation": codes[fit_end:split],
        "held_out": codes[split:],
    }


def held_out_bits(model: keras.Model, texts: dict) -> float:
    """The model's bits per character on the held-out (test) text."""
    logits, targets = parts.held_out_logits(
        model, texts["held_out"], COMMON["held_out_pieces"]
    )
    return reference_lm.bits_per_character(logits, targets)


def train(scale: str, seed: int, alphabet: list[str], texts: dict) -> dict:
    """One run of the chapter's training at ``scale``; what the notebook reads."""
    settings = SETTINGS[scale]
    training.set_seed(seed)
    model = parts.char_language_model(
        len(alphabet), settings["units"], settings["embedding"]
    )
    schedule = keras.optimizers.schedules.CosineDecay(
        settings["rate"], settings["steps"], alpha=FINAL_RATE_SHARE
    )
    model.compile(
        optimizer=keras.optimizers.Adam(schedule, clipnorm=1.0),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    inputs, targets = parts.training_windows(
        texts["fit"],
        settings["window"],
        settings["steps"] * settings["batch"],
        np.random.default_rng(seed),
    )
    index = {char: code for code, char in enumerate(alphabet)}
    recorder = parts.learning_recorder(
        validation_codes=texts["validation"],
        pieces=COMMON["validation_pieces"],
        every=settings["every"],
        sample_at=tuple(settings["sample_at"]),
        prompt_codes=np.array([index[c] for c in COMMON["prompt"]]),
        temperatures=tuple(COMMON["temperatures"]),
        sample_length=COMMON["sample_length"],
        seed=seed,
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    model.fit(
        inputs,
        targets,
        batch_size=settings["batch"],
        epochs=1,
        shuffle=False,
        verbose=0,
        callbacks=[recorder],
    )
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    last_bits = held_out_bits(model, texts)
    model.set_weights(recorder.best_weights)  # stop on the validation text
    bits = held_out_bits(model, texts)
    print(
        f"{scale} seed {seed}: {bits:.3f} bpc at step {recorder.best_step} "
        f"({last_bits:.3f} after all steps), {seconds:.0f} s",
        flush=True,
    )
    return {
        "held_out_bits": bits,
        "best_step": recorder.best_step,
        "held_out_bits_last": last_bits,
        "fit_seconds": seconds,
        "fit_cpu_seconds": cpu_seconds,
        "curve_steps": recorder.steps,
        "curve_seconds": recorder.seconds,
        "curve_bits": recorder.bits,
        "samples": {
            str(step): ["".join(alphabet[c] for c in row) for row in rows]
            for step, rows in recorder.samples.items()
        },
    }


def main() -> None:
    alphabet, texts = split_codes()
    runs = {"quick": {}, "full": {}}
    for scale, seeds in (("quick", QUICK_SEEDS), ("full", FULL_SEEDS)):
        for seed in seeds:
            runs[scale][str(seed)] = train(scale, seed, alphabet, texts)
    results.save(
        "02b_language_model",
        {
            "common": COMMON,
            "settings": SETTINGS,
            "final_rate_share": FINAL_RATE_SHARE,
            "runs": runs,
        },
        command=".venv/bin/python results/make_02b_language_model.py",
        script=__file__,
    )


if __name__ == "__main__":
    sys.exit(main())
