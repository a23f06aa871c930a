"""The course's one table: every chapter's model on the two shared tasks, three seeds.

Writes ``results/course_table.json``. For each task (Japanese Vowels speakers, the
official 270/370 split; MNIST-5k digits, the 4,000/1,000 split of seed 0) and each
model, the test accuracy for every seed in ``SEEDS``, their mean and standard
deviation, the learnt parameters, the mean training seconds and the settings. Every
model of a task is trained on the same fitting part and selected or early-stopped on
the same validation part, both carved out of the training split (never the test
split); the seed sets the initial weights, the random features and the batch order.
Run ``.venv/bin/python results/make_course_table.py``; it takes about ten minutes on
two cores.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from dlcourse import data, results, training  # noqa: E402
from dlcourse.keras_parts import cnn as cnn_parts  # noqa: E402
from dlcourse.keras_parts import sequence_classifiers as classifiers  # noqa: E402
from dlcourse.keras_parts.rbm import RBM, classifier_from_rbms  # noqa: E402
from dlcourse.reference import dsn as dsn_reference  # noqa: E402

#: The seeds of every model (initial weights, random features, batch order).
SEEDS = (0, 1, 2)
#: The seed of the validation split carved out of each training split.
SPLIT_SEED = 0
#: Classes of the two tasks.
SPEAKERS, DIGITS = 9, 10
#: Candidate inverse penalties of logistic regression, chosen on validation.
LOGISTIC_C = {"vowels": (0.1, 1.0, 10.0, 100.0), "mnist": (0.1, 1.0)}
#: Candidate ridge penalties and the deepest stack of the DSNs (Chapter 5).
DSN_LAMBDAS, DSN_MAX_MODULES = (0.01, 0.1, 1.0, 10.0, 100.0), 3
#: Settings of each task: validation share, early stopping, networks' sizes.
VOWELS = {
    "validation_fraction": 0.2,
    "max_epochs": 60,
    "patience": 8,
    "batch": 32,
    "recurrent_units": 32,
    "recurrent_rate": 1e-2,
    "clip_norm": 1.0,
    "cnn_filters": 32,
    "cnn_rate": cnn_parts.LEARNING_RATE,
    "dsn_frames": 8,
    "dsn_units": 300,
    "dsn_weight_scale": 1.0,
}
MNIST = {
    "validation_fraction": 0.1,
    "max_epochs": 15,
    "patience": 3,
    "batch": 64,
    "mlp_hidden": 256,
    "gru_units": 64,
    "gru_rate": 3e-3,
    "gru_max_epochs": 30,
    "gru_patience": 5,
    "rbm_units": 256,
    "rbm_epochs": 10,
    "rbm_batch": 64,
    "cd_learning_rate": 0.05,
    "finetune_rate": 1e-3,
    "dbn_max_epochs": 40,
    "dsn_units": 500,
}


def trainable_count(model: keras.Model) -> int:
    """The parameters gradient descent changes (batch-norm statistics excluded)."""
    return int(sum(np.prod(weight.shape) for weight in model.trainable_weights))


def early_stopped(
    model: keras.Model, split: data.DataSplit, validation: tuple, settings: dict
) -> dict[str, Any]:
    """Fit a compiled model with early stopping on ``validation``; its epochs, time."""
    stopper = keras.callbacks.EarlyStopping(
        patience=settings["patience"], restore_best_weights=True
    )
    result = training.fit(
        model,
        split.x_train,
        split.y_train,
        epochs=settings["max_epochs"],
        batch_size=settings["batch"],
        validation_data=validation,
        callbacks=[stopper],
        progress=False,
    )
    return {"seconds": result.seconds, "epoch": stopper.best_epoch + 1}


def compile_adam(model: keras.Model, rate: float, clip_norm: float | None = None):
    """Adam on cross-entropy, as every chapter compiles its classifiers."""
    model.compile(
        optimizer=keras.optimizers.Adam(rate, global_clipnorm=clip_norm),
        loss="sparse_categorical_crossentropy",
    )
    return model


def logistic(fit: tuple, validation: tuple, test: tuple, task: str, seed: int) -> dict:
    """Logistic regression, its penalty chosen on validation."""
    scores = {}
    for c in LOGISTIC_C[task]:
        model = LogisticRegression(C=c, max_iter=1000, tol=1e-3, random_state=seed)
        scores[c] = model.fit(*fit).score(*validation)
    best = max(scores, key=scores.get)
    with training.Stopwatch() as watch:
        model = LogisticRegression(C=best, max_iter=1000, tol=1e-3, random_state=seed)
        model.fit(*fit)
    return {
        "accuracy": float(model.score(*test)),
        "parameters": int(model.coef_.size + model.intercept_.size),
        "seconds": watch.seconds,
        "chosen": {"C": best},
    }


def dsn_and_elm(
    fit: tuple, validation: tuple, test: tuple, classes: int, settings: dict, seed: int
) -> dict[str, dict]:
    """A DSN with random lower weights (depth and ridge penalty chosen on validation)
    and one module of the chosen stack's total width (an ELM), penalty chosen the same
    way (Chapter 5)."""
    units = settings["dsn_units"]
    scale = settings.get("dsn_weight_scale", dsn_reference.WEIGHT_SCALE)
    x_fit, t_fit = fit[0], dsn_reference.one_hot(fit[1], classes)

    def score(modules: list, x: np.ndarray, y: np.ndarray) -> float:
        output = dsn_reference.predict_dsn(x, modules)[-1]
        return training.label_accuracy(y, output.argmax(axis=1))

    def fitted(depth: int, width: int, lam: float) -> list:
        return dsn_reference.fit_dsn(
            x_fit, t_fit, depth, width, lam, seed=10 * seed, weight_scale=scale
        )

    stack_scores = {}
    for lam in DSN_LAMBDAS:
        modules = fitted(DSN_MAX_MODULES, units, lam)
        outputs = dsn_reference.predict_dsn(validation[0], modules)
        for depth, output in enumerate(outputs, start=1):
            y_hat = output.argmax(axis=1)
            stack_scores[(lam, depth)] = training.label_accuracy(validation[1], y_hat)
    # the best validation accuracy; among ties, the shallowest stack
    lam, depth = max(stack_scores, key=lambda k: (stack_scores[k], -k[1]))
    rows = {}
    with training.Stopwatch() as watch:
        modules = fitted(depth, units, lam)
    rows["dsn"] = {
        "accuracy": score(modules, *test),
        "parameters": int(sum(m.upper.size for m in modules)),
        "seconds": watch.seconds,
        "chosen": {"lambda": lam, "modules": depth},
    }
    width = depth * units
    elm_scores = {lam: score(fitted(1, width, lam), *validation) for lam in DSN_LAMBDAS}
    elm_lam = max(elm_scores, key=elm_scores.get)
    with training.Stopwatch() as watch:
        modules = fitted(1, width, elm_lam)
    rows["elm"] = {
        "accuracy": score(modules, *test),
        "parameters": int(modules[0].upper.size),
        "seconds": watch.seconds,
        "chosen": {"lambda": elm_lam, "units": width},
    }
    return rows


def recurrent_speakers(layer: type, frames: tuple, units: int) -> keras.Model:
    """A masked recurrent layer, then a softmax over speakers (Chapter 2)."""
    inputs = keras.Input(shape=frames, name="frames")
    masked = keras.layers.Masking(name="skip_padding")(inputs)
    state = layer(units)(masked)
    outputs = keras.layers.Dense(SPEAKERS, activation="softmax")(state)
    return keras.Model(inputs, outputs)


def vowels_task() -> dict[str, dict[str, Any]]:
    """Every model on Japanese Vowels, every seed: one row per model and seed."""
    vowels = data.load_japanese_vowels()
    scaling = classifiers.frame_scaling(vowels.x_train, vowels.lengths_train)
    train = classifiers.standardise_frames(
        vowels.x_train, vowels.lengths_train, scaling
    )
    test = classifiers.standardise_frames(vowels.x_test, vowels.lengths_test, scaling)
    rows = np.arange(len(train))[:, None]
    fit_rows, _, val_rows, _ = data.stratified_split(
        rows,
        vowels.y_train,
        test_fraction=VOWELS["validation_fraction"],
        seed=SPLIT_SEED,
    )
    fit_rows, val_rows = fit_rows[:, 0], val_rows[:, 0]
    y_fit, y_val = vowels.y_train[fit_rows], vowels.y_train[val_rows]
    split = data.DataSplit(train[fit_rows], y_fit, train[val_rows], y_val)
    validation = (train[val_rows], y_val)
    lengths = vowels.lengths_train
    mean_frame = train.sum(axis=1) / lengths[:, None]
    mean_test = test.sum(axis=1) / vowels.lengths_test[:, None]
    resampled = data.resample_sequences(train, lengths, VOWELS["dsn_frames"])
    resampled_test = data.resample_sequences(
        test, vowels.lengths_test, VOWELS["dsn_frames"]
    )
    frames = train.shape[1:]
    units, rate = VOWELS["recurrent_units"], VOWELS["recurrent_rate"]
    clip = VOWELS["clip_norm"]
    networks: dict[str, Callable[[], keras.Model]] = {
        "SimpleRNN(32)": lambda: compile_adam(
            recurrent_speakers(keras.layers.SimpleRNN, frames, units), rate, clip
        ),
        "LSTM(32)": lambda: compile_adam(
            recurrent_speakers(keras.layers.LSTM, frames, units), rate, clip
        ),
        "GRU(32)": lambda: compile_adam(
            recurrent_speakers(keras.layers.GRU, frames, units), rate, clip
        ),
        "1-D CNN": lambda: compile_adam(
            cnn_parts.speaker_cnn(frames, VOWELS["cnn_filters"], SPEAKERS),
            VOWELS["cnn_rate"],
        ),
    }
    runs: dict[str, list] = {}
    for seed in SEEDS:
        row = logistic(
            (mean_frame[fit_rows], y_fit),
            (mean_frame[val_rows], y_val),
            (mean_test, vowels.y_test),
            "vowels",
            seed,
        )
        runs.setdefault("logistic regression (mean frame)", []).append(row)
        for name, build in networks.items():
            training.set_seed(seed)
            model = build()
            run = early_stopped(model, split, validation, VOWELS)
            run["accuracy"] = training.accuracy(model, test, vowels.y_test)
            run["parameters"] = trainable_count(model)
            runs.setdefault(name, []).append(run)
            print("vowels", name, seed, run, flush=True)
        fit_x, val_x = resampled[fit_rows], resampled[val_rows]
        mean, spread = fit_x.mean(axis=0), fit_x.std(axis=0)
        standard = [(a - mean) / spread for a in (fit_x, val_x, resampled_test)]
        pair = dsn_and_elm(
            (standard[0], y_fit),
            (standard[1], y_val),
            (standard[2], vowels.y_test),
            SPEAKERS,
            VOWELS,
            seed,
        )
        runs.setdefault("DSN, random lower weights", []).append(pair["dsn"])
        runs.setdefault("ELM, width of the DSN", []).append(pair["elm"])
        print("vowels DSN/ELM", seed, pair, flush=True)
        row = logistic(
            (standard[0], y_fit),
            (standard[1], y_val),
            (standard[2], vowels.y_test),
            "vowels",
            seed,
        )  # the DSN's inputs, as Chapter 5's baseline reads them
        runs.setdefault("logistic regression (resampled frames)", []).append(row)
    return runs


def train_rbm(inputs: np.ndarray, units: int, seed: int) -> RBM:
    """One RBM trained by CD-1 with plain SGD, as Chapter 4 trains it."""
    rbm = RBM(units, seed=seed)
    rbm.compile(optimizer=keras.optimizers.SGD(MNIST["cd_learning_rate"]))
    rbm.train_epochs(inputs, MNIST["rbm_epochs"], MNIST["rbm_batch"])
    return rbm


def dbn_run(split: data.DataSplit, binary_test: np.ndarray, y_test, seed: int) -> dict:
    """Two RBMs pre-trained on the fitting digits, then fine-tuned (Chapter 4)."""
    binary = data.DataSplit(*(
        (part > 0.5).astype(np.float32).reshape(len(part), -1) if i % 2 == 0 else part
        for i, part in enumerate(split)
    ))  # fmt: skip
    training.set_seed(seed)
    started = time.perf_counter()
    rbm1 = train_rbm(binary.x_train, MNIST["rbm_units"], seed)
    hidden = rbm1.predict(binary.x_train, batch_size=1000, verbose=0)
    rbm2 = train_rbm(hidden, MNIST["rbm_units"], seed + 1)
    pretraining = time.perf_counter() - started
    model = compile_adam(
        classifier_from_rbms([rbm1, rbm2], DIGITS, pretrained=True, seed=seed),
        MNIST["finetune_rate"],
    )
    settings = {**MNIST, "max_epochs": MNIST["dbn_max_epochs"]}  # as in Chapter 4
    run = early_stopped(model, binary, (binary.x_test, binary.y_test), settings)
    run["seconds"] += pretraining
    run["accuracy"] = training.accuracy(model, binary_test, y_test)
    run["parameters"] = trainable_count(model)
    return run


def gru_rows(units: int) -> keras.Model:
    """A GRU reading a digit row by row, 28 steps of 28 pixels, then a softmax."""
    inputs = keras.Input(shape=(28, 28), name="rows")
    state = keras.layers.GRU(units)(inputs)
    return keras.Model(inputs, keras.layers.Dense(DIGITS, activation="softmax")(state))


def mnist_task() -> dict[str, dict[str, Any]]:
    """Every model on MNIST-5k, every seed: one row per model and seed."""
    x_train, y_train, x_test, y_test = data.load_mnist5k(seed=SPLIT_SEED)
    split = data.stratified_split(
        x_train[..., None],
        y_train,
        test_fraction=MNIST["validation_fraction"],
        seed=SPLIT_SEED,
    )
    images_test = x_test[..., None]
    flat = [part.reshape(len(part), -1) for part in (split.x_train, split.x_test)]
    flat_test = x_test.reshape(len(x_test), -1)
    binary_test = (flat_test > 0.5).astype(np.float32)
    steps = MNIST["max_epochs"] * int(np.ceil(len(split.x_train) / MNIST["batch"]))

    def cosine_adam(model: keras.Model) -> keras.Model:
        cnn_parts.compile_adam(model, steps)
        return model

    rows_split = data.DataSplit(
        split.x_train[..., 0], split.y_train, split.x_test[..., 0], split.y_test
    )
    networks = {
        "ReLU MLP": (
            lambda s: cosine_adam(cnn_parts.pixel_mlp(MNIST["mlp_hidden"], seed=s)),
            split,
            images_test,
            MNIST,
        ),
        "LeNet-style CNN": (
            lambda s: cosine_adam(cnn_parts.lenet(seed=s)),
            split,
            images_test,
            MNIST,
        ),
        f"GRU({MNIST['gru_units']}) over rows": (
            lambda s: compile_adam(gru_rows(MNIST["gru_units"]), MNIST["gru_rate"]),
            rows_split,
            x_test,
            {
                **MNIST,
                "max_epochs": MNIST["gru_max_epochs"],
                "patience": MNIST["gru_patience"],
            },
        ),
    }
    runs: dict[str, list] = {}
    for seed in SEEDS:
        row = logistic(
            (flat[0], split.y_train),
            (flat[1], split.y_test),
            (flat_test, y_test),
            "mnist",
            seed,
        )
        runs.setdefault("logistic regression (pixels)", []).append(row)
        print("mnist logistic", seed, row, flush=True)
        for name, (build, part, inputs_test, settings) in networks.items():
            training.set_seed(seed)
            model = build(seed)
            run = early_stopped(model, part, (part.x_test, part.y_test), settings)
            run["accuracy"] = training.accuracy(model, inputs_test, y_test)
            run["parameters"] = trainable_count(model)
            runs.setdefault(name, []).append(run)
            print("mnist", name, seed, run, flush=True)
        run = dbn_run(split, binary_test, y_test, seed)
        runs.setdefault("DBN (2 RBMs, fine-tuned)", []).append(run)
        print("mnist DBN", seed, run, flush=True)
        pair = dsn_and_elm(
            (flat[0].astype(np.float64), split.y_train),
            (flat[1].astype(np.float64), split.y_test),
            (flat_test.astype(np.float64), y_test),
            DIGITS,
            MNIST,
            seed,
        )
        runs.setdefault("DSN, random lower weights", []).append(pair["dsn"])
        runs.setdefault("ELM, width of the DSN", []).append(pair["elm"])
        print("mnist DSN/ELM", seed, pair, flush=True)
    return runs


def summary(runs: dict[str, list]) -> dict[str, dict[str, Any]]:
    """Per model: accuracies per seed, their mean and spread, parameters, seconds."""
    table = {}
    for name, per_seed in runs.items():
        accuracies = [float(run["accuracy"]) for run in per_seed]
        table[name] = {
            "accuracy": accuracies,
            "mean": float(np.mean(accuracies)),
            "std": float(np.std(accuracies, ddof=1)),
            "parameters": int(max(run["parameters"] for run in per_seed)),
            "seconds": float(np.mean([run["seconds"] for run in per_seed])),
            "per_seed": [
                {k: v for k, v in run.items() if k not in ("accuracy", "seconds")}
                for run in per_seed
            ],
        }
    return table


def main() -> None:
    """Train every model of both tasks for every seed; save the table."""
    started = time.perf_counter()
    tasks = {"vowels": summary(vowels_task()), "mnist": summary(mnist_task())}
    results.save(
        "course_table",
        {
            "seeds": list(SEEDS),
            "split_seed": SPLIT_SEED,
            "test_examples": {"vowels": 370, "mnist": 1000},
            "settings": {
                "vowels": VOWELS,
                "mnist": MNIST,
                "logistic_C": LOGISTIC_C,
                "dsn_lambdas": list(DSN_LAMBDAS),
                "dsn_max_modules": DSN_MAX_MODULES,
            },
            "tasks": tasks,
            "wall_seconds": time.perf_counter() - started,
            "notes": [
                "std is the sample standard deviation (ddof=1) over the seeds.",
                "seconds: mean wall time to train the selected model once (for the "
                "networks, the early-stopped run; for the DBN, pre-training included; "
                "for logistic regression and the DSN/ELM, the refit of the chosen "
                "setting; model selection itself excluded).",
                "parameters: the learnt parameters (the DSN's and ELM's random lower "
                "weights are not learnt and are not counted).",
                "logistic regression is deterministic: its seeds give one value.",
                "Timings were taken on a shared, loaded machine of two cores; compare "
                "them with each other, not with other machines.",
            ],
        },
        command="make results (or .venv/bin/python results/make_course_table.py)",
        script=__file__,
    )


if __name__ == "__main__":
    main()
