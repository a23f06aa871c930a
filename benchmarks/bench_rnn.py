"""Where the recurrent-network chapter spends its time (Chapter 1).

Prints a Markdown section for ``benchmarks/results.md``: for the chapter's two speaker
networks (Elman ``SimpleRNN`` and the Jordan cell, 32 units, masking, batches of 64)
the wall seconds of the first training epoch (which includes building TensorFlow's
graph) and of each later epoch; and the seconds of one full BPTT gradient on the 270
training utterances by the NumPy reference and by ``tf.GradientTape``. Epoch times are
medians of ``REPEATS`` epochs; gradient times medians of ``REPEATS`` runs after one
warm-up.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402

BATCH, UNITS, REPEATS = 64, 32, 5  # the chapter's batch size and layer width


def median_seconds(function, repeats: int = REPEATS) -> float:
    function()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return float(np.median(times))


def main() -> None:
    import keras
    import tensorflow as tf

    from dlcourse import data, training
    from dlcourse.keras_parts.jordan import JordanCell
    from dlcourse.reference import rnn as reference

    training.set_seed(0)
    x_train, y_train, *_ = data.load_japanese_vowels()
    rows = []
    for kind in ("Elman (SimpleRNN)", "Jordan (JordanCell)"):
        inputs = keras.Input((None, x_train.shape[2]))
        masked = keras.layers.Masking(0.0)(inputs)
        if kind.startswith("Elman"):
            outputs = keras.layers.Dense(9, activation="softmax")(
                keras.layers.SimpleRNN(UNITS)(masked)
            )
        else:
            outputs = keras.layers.RNN(
                JordanCell(UNITS, 9, output_activation="softmax")
            )(masked)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        started = time.perf_counter()
        model.fit(x_train, y_train, epochs=1, batch_size=BATCH, verbose=0)
        first = time.perf_counter() - started
        epochs = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            model.fit(x_train, y_train, epochs=1, batch_size=BATCH, verbose=0)
            epochs.append(time.perf_counter() - started)
        rows.append((kind, model.count_params(), first, float(np.median(epochs))))

    inputs = keras.Input((None, x_train.shape[2]))
    states = keras.layers.SimpleRNN(UNITS, return_sequences=True)(inputs)
    elman = keras.Model(inputs, keras.layers.Dense(2)(states))
    targets = (
        np.random.default_rng(0).normal(size=(*x_train.shape[:2], 2)).astype(np.float32)
    )
    weights = reference.ElmanWeights(
        *[w.astype(np.float64) for w in elman.get_weights()]
    )

    def tape_gradient() -> None:
        with tf.GradientTape() as tape:
            loss = keras.losses.MeanSquaredError()(targets, elman(x_train))
        tape.gradient(loss, elman.trainable_weights)

    numpy_seconds = median_seconds(
        lambda: reference.elman_gradients(x_train, targets, weights)
    )
    tape_seconds = median_seconds(tape_gradient)

    print("## Recurrent networks (Chapter 1)\n")
    print(
        "JapaneseVowels, 270 training utterances of up to 29 frames, "
        f"batches of {BATCH}, masking; median of {REPEATS} epochs.\n"
    )
    print(
        "| network | parameters | first epoch (s, with graph building) "
        "| later epochs (s each) |"
    )
    print("|---|---:|---:|---:|")
    for kind, parameters, first, later in rows:
        print(f"| {kind} | {parameters} | {first:.2f} | {later:.3f} |")
    print(
        f"\nOne BPTT gradient of an Elman network ({UNITS} units, per-step readout) "
        f"on all 270 utterances: NumPy reference {numpy_seconds:.3f} s, "
        f"`tf.GradientTape` (eager) {tape_seconds:.3f} s.\n"
    )


if __name__ == "__main__":
    main()
