"""Several seeds of the recurrent-network chapter's comparisons.

Writes ``results/01_rnn.json``:

- ``test_accuracy``: the test accuracy on JapaneseVowels of the mean-frame logistic
  regression (deterministic, one value) and of the Elman and Jordan networks
  (``dlcourse.keras_parts.sequence_classifiers``, the chapter's quick-mode training)
  for each seed in ``SEEDS``, all on standardised frames;
- ``mnist_rows``: MNIST-5k read row by row (``row_classifier``), a linear baseline and
  the Keras idioms (many-to-one, the mean of all steps, stacked, bidirectional,
  dropout), each trained with early stopping on a validation split of the training
  images; per seed in ``IDIOM_SEEDS``: the test accuracy at the best validation
  epoch, that validation accuracy, the training accuracy there, the epochs run;
- ``stream``: truncated BPTT over long streams (``stream_tagger``, ``delay_stream``)
  with ``stateful=True`` against a state reset at every window, for a lag inside and
  a lag beyond the window; per seed the test accuracy at each window position;
- ``pen``: the generated pen letters (``dlcourse.synthetic.pen``), an Elman network
  against the bag-of-strokes logistic regression, in the chapter's quick-mode settings
  (``pen_settings``). Each seed in ``SEEDS`` draws its own letters and split, holds a
  validation share of the training letters out, chooses the baseline's regularisation
  and the network's best epoch on it, and records the test accuracy (all letters, and
  on *u* and *n* only) and the validation accuracy of both.

Run ``.venv/bin/python results/make_01_rnn.py``; it takes about twenty minutes on two
cores.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from dlcourse import data, results, training  # noqa: E402
from dlcourse.keras_parts import sequence_classifiers as classifiers  # noqa: E402
from dlcourse.synthetic import pen  # noqa: E402
from dlcourse.synthetic.delay import delay_stream  # noqa: E402

#: The seeds of the networks' initial weights and batch order.
SEEDS = (0, 1, 2, 3, 4)
#: The seeds of the idiom and stream comparisons (each run is longer).
IDIOM_SEEDS = (0, 1, 2)
#: The chapter's quick-mode training: epochs, batch size.
EPOCHS, BATCH_SIZE = 25, 64
#: Speakers in JapaneseVowels.
SPEAKERS = 9
#: MNIST-5k rows: the split, the models and their training (the chapter reads these).
MNIST_ROWS = {
    "split_seed": 0,  # the seed of the train/test and train/validation splits
    "validation_fraction": 0.1,  # share of the training images kept for validation
    "units": 64,  # hidden units of each recurrent layer, as the course table's GRU
    "learning_rate": 1e-3,
    "dropout": 0.1,  # dropout and recurrent_dropout of the "dropout" variant
    "batch": 32,
    "max_epochs": 25,
    "patience": 5,  # epochs without a better validation accuracy before stopping
}
#: Streams for truncated BPTT (the chapter reads these).
STREAM = {
    "streams": 32,  # parallel streams, the batch size
    "steps": 800,  # steps per stream
    "window": 10,  # the truncation length k
    "lags": [4, 12],  # one lag inside the window, one beyond it
    "units": 16,
    "epochs": 6,
    "test_seed_offset": 100,  # the test streams' seed is the run's seed plus this
}

#: The pen letters: the chapter's quick-mode settings (the chapter reads these).
PEN = {
    "per_letter": 60,  # generated samples of each letter
    "scale": 5.0,  # movements are about 0.05 per step; scaled towards unit size
    "validation_fraction": 0.2,  # share of the training letters kept for validation
    "directions": 8,  # direction bins of the bag-of-strokes baseline
    "inverse_regularisation": [0.1, 1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6],  # C
    "units": 32,
    "epochs": 40,  # the most epochs; the best on validation is kept
    "batch": 64,
}


def speakers() -> dict:
    """Mean-frame baseline and Elman/Jordan networks on JapaneseVowels, every seed."""
    x_train, y_train, x_test, y_test, lengths_train, lengths_test = (
        data.load_japanese_vowels()
    )
    scaling = classifiers.frame_scaling(x_train, lengths_train)
    train = classifiers.standardise_frames(x_train, lengths_train, scaling)
    test = classifiers.standardise_frames(x_test, lengths_test, scaling)
    baseline = LogisticRegression(max_iter=2000).fit(
        train.sum(axis=1) / lengths_train[:, None], y_train
    )
    accuracies = {
        "mean_frame": float(
            baseline.score(test.sum(axis=1) / lengths_test[:, None], y_test)
        )
    }
    for kind in classifiers.KINDS:
        accuracies[kind] = []
        for seed in SEEDS:
            training.set_seed(seed)
            model = classifiers.sequence_classifier(kind, train.shape[2], SPEAKERS)
            training.fit(
                model,
                train,
                y_train,
                epochs=EPOCHS,
                batch_size=BATCH_SIZE,
                progress=False,
            )
            accuracies[kind].append(training.accuracy(model, test, y_test))
            print(kind, seed, accuracies[kind][-1], flush=True)
    return accuracies


def mnist_split() -> tuple[data.DataSplit, np.ndarray, np.ndarray]:
    """MNIST-5k: a training/validation split of the training images, and the test."""
    x_train, y_train, x_test, y_test = data.load_mnist5k(seed=MNIST_ROWS["split_seed"])
    split = data.stratified_split(
        x_train,
        y_train,
        test_fraction=MNIST_ROWS["validation_fraction"],
        seed=MNIST_ROWS["split_seed"],
    )
    return split, x_test, y_test


def mnist_run(variant: str, seed: int, split, x_test, y_test) -> dict:
    """One row reader, early-stopped on validation accuracy."""
    training.set_seed(seed)
    model = classifiers.row_classifier(
        variant,
        units=MNIST_ROWS["units"],
        dropout=MNIST_ROWS["dropout"],
        learning_rate=MNIST_ROWS["learning_rate"],
        seed=seed,
    )
    stopper = keras.callbacks.EarlyStopping(
        monitor="val_accuracy",
        patience=MNIST_ROWS["patience"],
        restore_best_weights=True,
    )
    result = training.fit(
        model,
        split.x_train,
        split.y_train,
        epochs=MNIST_ROWS["max_epochs"],
        batch_size=MNIST_ROWS["batch"],
        validation_data=(split.x_test, split.y_test),
        callbacks=[stopper],
        progress=False,
    )
    best = int(np.argmax(result.history["val_accuracy"]))
    return {
        "test": training.accuracy(model, x_test, y_test),
        "validation": result.history["val_accuracy"][best],
        "train": result.history["accuracy"][best],
        "best_epoch": best + 1,
        "epochs_run": len(result.history["val_accuracy"]),
        "parameters": int(model.count_params()),
        "seconds": result.seconds,
    }


def mnist_rows() -> dict:
    """Every row reader for every seed in ``IDIOM_SEEDS``."""
    split, x_test, y_test = mnist_split()
    runs: dict[str, dict[str, list]] = {}
    for variant in classifiers.ROW_VARIANTS:
        for seed in IDIOM_SEEDS:
            run = mnist_run(variant, seed, split, x_test, y_test)
            print("mnist", variant, seed, run, flush=True)
            for key, value in run.items():
                runs.setdefault(variant, {}).setdefault(key, []).append(value)
    return runs


def stream_run(lag: int, stateful: bool, seed: int) -> list[float]:
    """One stream tagger's test accuracy at each position of a window."""
    shape = (STREAM["streams"], STREAM["steps"])
    x, y = delay_stream(*shape, lag, seed=seed)
    x_test, y_test = delay_stream(*shape, lag, seed=seed + STREAM["test_seed_offset"])
    training.set_seed(seed)
    model = classifiers.stream_tagger(
        STREAM["window"],
        STREAM["streams"],
        stateful=stateful,
        units=STREAM["units"],
        seed=seed,
    )
    training.fit(
        model,
        classifiers.stream_windows(x, STREAM["window"]),
        classifiers.stream_windows(y, STREAM["window"]),
        epochs=STREAM["epochs"],
        batch_size=STREAM["streams"],
        shuffle=False,
        callbacks=[classifiers.ResetState()],
        progress=False,
    )
    accuracy = classifiers.stream_position_accuracy(
        model, x_test, y_test, STREAM["window"], skip=lag
    )
    return [float(a) for a in accuracy]


def streams() -> dict:
    """Stateful against stateless for every lag and seed."""
    table: dict[str, dict[str, list]] = {}
    for lag in STREAM["lags"]:
        for stateful in (False, True):
            name = "stateful" if stateful else "stateless"
            for seed in IDIOM_SEEDS:
                accuracy = stream_run(lag, stateful, seed)
                print("stream", lag, name, seed, np.round(accuracy, 3), flush=True)
                table.setdefault(str(lag), {}).setdefault(name, []).append(accuracy)
    return table


def direction_histogram(x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The share of ink laid in each direction, ignoring the order (as the chapter)."""
    directions = PEN["directions"]
    inside = np.arange(x.shape[1])[None, :] < lengths[:, None]
    angle = np.arctan2(x[..., 1], x[..., 0]) + np.pi
    bins = np.floor(angle / (2 * np.pi) * directions).astype(int) % directions
    ink = np.linalg.norm(x, axis=-1) * inside
    histogram = np.stack(
        [(ink * (bins == d)).sum(axis=1) for d in range(directions)], 1
    )
    return histogram / histogram.sum(axis=1, keepdims=True)


def pen_split(seed: int) -> tuple[data.SequenceSplit, np.ndarray, np.ndarray]:
    """One seed's letters, and the rows of its training letters kept for validation."""
    strokes = pen.pen_trajectories(PEN["per_letter"], seed=seed)
    rows = data.stratified_split(
        np.arange(len(strokes.y_train))[:, None],
        strokes.y_train,
        test_fraction=PEN["validation_fraction"],
        seed=seed,
    )
    return strokes, rows.x_train[:, 0], rows.x_test[:, 0]


def pen_run(seed: int) -> dict:
    """The bag of strokes and the Elman network on one seed's letters."""
    strokes, fit_rows, validation_rows = pen_split(seed)
    features = direction_histogram(strokes.x_train, strokes.lengths_train)
    test_features = direction_histogram(strokes.x_test, strokes.lengths_test)
    y_fit, y_validation = strokes.y_train[fit_rows], strokes.y_train[validation_rows]
    candidates = [
        LogisticRegression(C=c, max_iter=5000).fit(features[fit_rows], y_fit)
        for c in PEN["inverse_regularisation"]
    ]
    scores = [m.score(features[validation_rows], y_validation) for m in candidates]
    bag = candidates[int(np.argmax(scores))]
    training.set_seed(seed)
    model = classifiers.sequence_classifier(
        "elman", 2, len(pen.LETTERS), units=PEN["units"]
    )
    stopper = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=PEN["epochs"], restore_best_weights=True
    )
    result = training.fit(
        model,
        strokes.x_train[fit_rows] * PEN["scale"],
        y_fit,
        epochs=PEN["epochs"],
        batch_size=PEN["batch"],
        validation_data=(strokes.x_train[validation_rows] * PEN["scale"], y_validation),
        callbacks=[stopper],
        progress=False,
    )
    bag_predictions = bag.predict(test_features)
    rnn_predictions = training.predict_classes(model, strokes.x_test * PEN["scale"])
    u_or_n = np.isin(strokes.y_test, [pen.LETTERS.index(c) for c in "un"])
    best = int(np.argmin(result.history["val_loss"]))
    return {
        "bag_test": training.label_accuracy(strokes.y_test, bag_predictions),
        "rnn_test": training.label_accuracy(strokes.y_test, rnn_predictions),
        "bag_u_n": training.label_accuracy(
            strokes.y_test[u_or_n], bag_predictions[u_or_n]
        ),
        "rnn_u_n": training.label_accuracy(
            strokes.y_test[u_or_n], rnn_predictions[u_or_n]
        ),
        "bag_validation": float(max(scores)),
        "bag_c": float(bag.C),
        "rnn_validation": float(result.history["val_accuracy"][best]),
        "rnn_best_epoch": best + 1,
    }


def pen_letters() -> dict:
    """The pen-letter comparison for every seed in ``SEEDS``."""
    runs: dict[str, list] = {}
    for seed in SEEDS:
        run = pen_run(seed)
        print("pen", seed, run, flush=True)
        for key, value in run.items():
            runs.setdefault(key, []).append(value)
    return runs


def main() -> None:
    """Run every comparison and save the results."""
    record = {
        "seeds": list(SEEDS),
        "epochs": EPOCHS,
        "test_accuracy": speakers(),
        "pen_settings": PEN,
        "pen": pen_letters(),
        "idiom_seeds": list(IDIOM_SEEDS),
        "stream_settings": STREAM,
        "stream": streams(),
        "mnist_settings": MNIST_ROWS,
        "mnist_rows": mnist_rows(),
    }
    results.save(
        "01_rnn",
        record,
        command=".venv/bin/python results/make_01_rnn.py",
        script=__file__,
    )


if __name__ == "__main__":
    main()
