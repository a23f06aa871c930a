"""Several seeds of the LSTM and GRU chapter's two comparisons, in its quick settings.

Writes ``results/02_lstm_gru.json``: for each seed in ``SEEDS`` and each of SimpleRNN,
LSTM and GRU, the number of JapaneseVowels test utterances recognised after the
chapter's speaker training, and the number of training steps the adding problem
(``T = 30``) took to reach the chapter's "solved" error (``None`` when it did not within
the budget), trained with the chapter's gradient clipping (``adding_steps``) and, for
comparison, without it (``adding_steps_unclipped``). The settings are saved with the
numbers; the notebook checks that they are its own. Run
``.venv/bin/python results/make_02_lstm_gru.py``; it takes a few minutes on two cores.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from dlcourse import data, results, training  # noqa: E402
from dlcourse.synthetic import adding  # noqa: E402

#: The seeds of the initial weights, the batch order and the generated sequences.
SEEDS = (0, 1, 2, 3, 4)
#: The chapter's quick-mode settings, saved with the numbers.
SETTINGS = {
    "vowel_units": 32,
    "vowel_epochs": 8,
    "vowel_batch": 64,
    "vowel_rate": 0.01,
    "adding_length": 30,
    "adding_units": 16,
    "adding_rate": 0.02,
    "adding_clip": 1.0,  # the global gradient-norm cap of the adding problem's Adam
    "adding_rounds": 20,
    "round_steps": 16,
    "adding_batch": 64,
    "validation_count": 256,
    "solved_mse": 0.01,
}
LAYERS = {
    "SimpleRNN": keras.layers.SimpleRNN,
    "LSTM": keras.layers.LSTM,
    "GRU": keras.layers.GRU,
}
SPEAKERS = 9


def _front_padded(x: np.ndarray, lengths: np.ndarray, mean, std) -> np.ndarray:
    padded = np.zeros_like(x)
    frames = x.shape[1]
    for row, (sequence, length) in enumerate(zip(x, lengths, strict=True)):
        padded[row, frames - length :] = (sequence[:length] - mean) / std
    return padded


def speaker_correct(name: str, seed: int, vowels, train, test) -> int:
    """Test utterances recognised by one layer after the chapter's training."""
    training.set_seed(seed)
    inputs = keras.Input(shape=train.shape[1:])
    state = LAYERS[name](SETTINGS["vowel_units"])(inputs)
    model = keras.Model(
        inputs, keras.layers.Dense(SPEAKERS, activation="softmax")(state)
    )
    model.compile(
        optimizer=keras.optimizers.Adam(SETTINGS["vowel_rate"]),
        loss="sparse_categorical_crossentropy",
    )
    training.fit(
        model,
        train,
        vowels.y_train,
        epochs=SETTINGS["vowel_epochs"],
        batch_size=SETTINGS["vowel_batch"],
        progress=False,
    )
    return int(np.sum(training.predict_classes(model, test) == vowels.y_test))


def adding_steps(name: str, seed: int, clip: float | None) -> int | None:
    """Training steps until the adding problem is solved, or ``None``.

    ``clip`` is the global gradient-norm cap of Adam, ``None`` for no clipping.
    """
    length, units = SETTINGS["adding_length"], SETTINGS["adding_units"]
    training.set_seed(seed)
    per_round = SETTINGS["round_steps"] * SETTINGS["adding_batch"]
    x, y = adding.adding_problem(
        per_round * SETTINGS["adding_rounds"], length, seed=seed + 1
    )
    x_val, y_val = adding.adding_problem(
        SETTINGS["validation_count"], length, seed=seed + 1000
    )
    inputs = keras.Input(shape=(length, 2))
    model = keras.Model(inputs, keras.layers.Dense(1)(LAYERS[name](units)(inputs)))
    optimizer = keras.optimizers.Adam(SETTINGS["adding_rate"], global_clipnorm=clip)
    model.compile(optimizer=optimizer, loss="mse")
    for round_number in range(SETTINGS["adding_rounds"]):
        rows = slice(per_round * round_number, per_round * (round_number + 1))
        model.fit(
            x[rows], y[rows], batch_size=SETTINGS["adding_batch"], epochs=1, verbose=0
        )
        predictions = keras.ops.convert_to_numpy(model(x_val))[:, 0]
        if np.mean((predictions - y_val) ** 2) < SETTINGS["solved_mse"]:
            return SETTINGS["round_steps"] * (round_number + 1)
    return None


def main() -> None:
    """Run both comparisons for every seed and save the numbers."""
    vowels = data.load_japanese_vowels()
    real = np.concatenate(
        [x[:n] for x, n in zip(vowels.x_train, vowels.lengths_train, strict=True)]
    )
    mean, std = real.mean(axis=0), real.std(axis=0)
    train = _front_padded(vowels.x_train, vowels.lengths_train, mean, std)
    test = _front_padded(vowels.x_test, vowels.lengths_test, mean, std)
    correct = {name: [] for name in LAYERS}
    steps = {name: [] for name in LAYERS}
    unclipped = {name: [] for name in LAYERS}
    for seed in SEEDS:
        for name in LAYERS:
            correct[name].append(speaker_correct(name, seed, vowels, train, test))
            steps[name].append(adding_steps(name, seed, SETTINGS["adding_clip"]))
            unclipped[name].append(adding_steps(name, seed, None))
            print(
                seed,
                name,
                correct[name][-1],
                steps[name][-1],
                unclipped[name][-1],
                flush=True,
            )
    results.save(
        "02_lstm_gru",
        {
            "seeds": list(SEEDS),
            "settings": SETTINGS,
            "test_count": len(vowels.y_test),
            "speaker_correct": correct,
            "adding_steps": steps,
            "adding_steps_unclipped": unclipped,
        },
        command=".venv/bin/python results/make_02_lstm_gru.py",
        script=__file__,
    )


if __name__ == "__main__":
    main()
