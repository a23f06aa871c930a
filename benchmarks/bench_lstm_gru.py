"""Time per training step of SimpleRNN, LSTM and GRU at 64 and 256 units (Chapter 2).

Prints a Markdown section for ``benchmarks/results.md``. Each layer reads sequences
shaped like the chapter's JapaneseVowels utterances (29 frames of 12 features, batches
of 32) and is timed over ``STEPS`` training steps after ``WARM_UP`` untimed ones (the
first traces the graph). The median of ``REPEATS`` timings is reported.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402

UNIT_SIZES = (64, 256)  # the two sizes the chapter quotes
FRAMES, FEATURES, BATCH, CLASSES = 29, 12, 32, 9  # JapaneseVowels-shaped batches
WARM_UP, STEPS, REPEATS = 3, 10, 3


def milliseconds_per_step(layer_name: str, units: int) -> float:
    """Median wall milliseconds of one training step (forward, backward, update)."""
    import keras

    keras.utils.set_random_seed(0)
    layer_class = {
        "SimpleRNN": keras.layers.SimpleRNN,
        "LSTM": keras.layers.LSTM,
        "GRU": keras.layers.GRU,
    }
    inputs = keras.Input(shape=(FRAMES, FEATURES))
    outputs = keras.layers.Dense(CLASSES, activation="softmax")(
        layer_class[layer_name](units)(inputs)
    )
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    generator = np.random.default_rng(0)
    x = generator.normal(size=(BATCH, FRAMES, FEATURES)).astype(np.float32)
    y = generator.integers(0, CLASSES, size=BATCH)
    for _ in range(WARM_UP):
        model.train_on_batch(x, y)
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        for _ in range(STEPS):
            model.train_on_batch(x, y)
        timings.append((time.perf_counter() - started) / STEPS)
    return 1000 * float(np.median(timings))


def main() -> None:
    rows = []
    for units in UNIT_SIZES:
        times = {
            name: milliseconds_per_step(name, units)
            for name in ("SimpleRNN", "LSTM", "GRU")
        }
        rows.append(
            f"| {units} | {times['SimpleRNN']:.1f} | {times['LSTM']:.1f} | "
            f"{times['GRU']:.1f} | {times['GRU'] / times['LSTM']:.2f} |"
        )
    print("## LSTM and GRU: milliseconds per training step\n")
    print(
        f"Batches of {BATCH} sequences of {FRAMES} steps x {FEATURES} features; median "
        f"of {REPEATS} runs of {STEPS} steps after {WARM_UP} warm-up steps.\n"
    )
    print("| units | SimpleRNN | LSTM | GRU | GRU / LSTM |")
    print("|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
