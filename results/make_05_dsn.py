"""Several seeds of the deep-stacking-network chapter's comparisons, at equal budgets.

Writes ``results/05_dsn.json``. On the chapter's MNIST-5k split (4,000 training digits,
of which a stratified fifth is the validation part, and 1,000 test digits), for each
seed in ``SEEDS`` (the seed of the random lower weights, of the RBMs and of the
networks' initial weights and batch order):

* a stack of ``DEEPEST`` random-``W`` modules of ``UNITS`` units, the validation and
  test accuracy at every depth;
* at the budget of ``BUDGET_MODULES`` modules (``BUDGET_MODULES * UNITS`` hidden units):
  the random stack, the same stack with ``W`` refined by ``REFINE_STEPS`` full-batch
  steps through the closed form, the stack with lower weights initialised from RBMs
  (the original deep convex network, Deng & Yu 2011), one random module of the whole
  width (an extreme learning machine, Huang et al. 2006), the same with direct links
  from the input to the output (a random-vector functional-link net, Pao, Park &
  Sobajic 1994), the stack's own architecture (sigmoid hidden layers, linear outputs,
  squared error) trained end to end by backpropagation, and a ReLU MLP of the whole
  width with a softmax, early-stopped on the validation part;
* the ReLU MLP of one module's width, as the chapter trains it live.

Every ridge penalty is chosen on the validation part from ``LAMBDAS``; every network
stops early on the validation loss (the epoch cap is never reached). The test part is
used once per model. Run ``.venv/bin/python results/make_05_dsn.py``; it takes a few
minutes on two cores.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import time  # noqa: E402
from typing import Any  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from dlcourse import data, results, training  # noqa: E402
from dlcourse.keras_parts.rbm import RBM  # noqa: E402
from dlcourse.reference import dsn as reference  # noqa: E402
from dlcourse.reference.rbm import RBMWeights  # noqa: E402

#: The seeds of every model (random features, RBMs, initial weights, batch order).
SEEDS = (0, 1, 2)
#: The chapter's quick-mode settings (the chapter asserts that its own agree).
SETTINGS = {
    "split_seed": 0,
    "validation_fraction": 0.2,
    "units": 500,
    "budget_modules": 3,
    "deepest": 10,
    "lambdas": [0.01, 0.1, 1.0, 10.0, 100.0],
    "refine_steps": 4,
    "refine_rate": 1000.0,
    "rbm_epochs": 10,
    "rbm_batch": 64,
    "cd_learning_rate": 0.05,
    "max_epochs": 200,
    "patience": 5,
    "batch": 128,
    "learning_rate": 1e-3,
}
PIXELS, CLASSES = 28 * 28, 10


def accuracy_of(outputs: np.ndarray, labels: np.ndarray) -> float:
    """The fraction of rows whose largest output is the right class."""
    return training.label_accuracy(labels, np.asarray(outputs).argmax(axis=1))


def ridge_on_validation(
    features: tuple[np.ndarray, np.ndarray, np.ndarray], t_fit: np.ndarray, split: dict
) -> dict[str, Any]:
    """Closed-form output weights on fixed features, lambda chosen on validation."""
    h_fit, h_val, h_test = features
    statistics = reference.upper_statistics(h_fit, t_fit)
    scores = {}
    for lam in SETTINGS["lambdas"]:
        upper = reference.upper_from_statistics(*statistics, lam)
        scores[lam] = accuracy_of(h_val @ upper, split["y_val"])
    lam = max(scores, key=scores.get)
    upper = reference.upper_from_statistics(*statistics, lam)
    return {
        "validation": scores[lam],
        "test": accuracy_of(h_test @ upper, split["y_test"]),
        "lambda": lam,
    }


def stack_scores(modules: list, split: dict) -> dict[str, list[float]]:
    """Validation and test accuracy of every depth of a fitted stack."""
    return {
        part: [
            accuracy_of(y, split[f"y_{part}"])
            for y in reference.predict_dsn(split[f"x_{part}"], modules)
        ]
        for part in ("val", "test")
    }


def first_module_lambda(split: dict, t_fit: np.ndarray, seed: int) -> float:
    """The penalty of the random stacks: chosen on validation for their first module."""
    weights = reference.init_module(PIXELS, SETTINGS["units"], CLASSES, seed=seed)
    features = tuple(
        reference.hidden_layer(split[f"x_{part}"], weights.kernel, weights.bias)
        for part in ("fit", "val", "test")
    )
    return ridge_on_validation(features, t_fit, split)["lambda"]


def random_features(split: dict, units: int, seed: int, direct: bool) -> tuple:
    """One random module's hidden layer on each part; with the input beside it when
    ``direct`` (the functional-link net's direct links)."""
    weights = reference.init_module(PIXELS, units, CLASSES, seed=seed)
    parts = []
    for part in ("fit", "val", "test"):
        x = split[f"x_{part}"]
        h = reference.hidden_layer(x, weights.kernel, weights.bias)
        parts.append(np.concatenate([h, x], axis=1) if direct else h)
    return tuple(parts)


def train_rbm(inputs: np.ndarray, seed: int) -> RBMWeights:
    """One RBM of ``units`` hidden units on the pixel intensities (CD-1, Chapter 4)."""
    rbm = RBM(SETTINGS["units"], seed=seed)
    rbm.compile(
        optimizer=keras.optimizers.SGD(SETTINGS["cd_learning_rate"]),
        steps_per_execution=int(np.ceil(len(inputs) / SETTINGS["rbm_batch"])),
    )
    rbm.fit(
        inputs.astype(np.float32),
        epochs=SETTINGS["rbm_epochs"],
        batch_size=SETTINGS["rbm_batch"],
        verbose=0,
    )
    return RBMWeights(*(np.asarray(w, np.float64) for w in rbm.get_weights()))


def rbm_stack(split: dict, t_fit: np.ndarray, lam: float, seed: int) -> list:
    """The deep convex network: each module's rows that read the pixels start from an
    RBM trained on them (one RBM per module, its own seed), the rows that read the
    modules below start random; then the closed form, as for the random stack."""
    modules, outputs = [], []
    for k in range(SETTINGS["budget_modules"]):
        rbm = train_rbm(split["x_fit"], seed + k)
        start = reference.init_module(
            PIXELS + k * CLASSES, SETTINGS["units"], CLASSES, seed=seed + k
        )  # the random stack's start, of which the rows reading the modules are kept
        below = start.kernel[PIXELS:]
        kernel = np.concatenate([rbm.kernel, below], axis=0)
        x_k = reference.stacked_input(split["x_fit"], outputs)
        h = reference.hidden_layer(x_k, kernel, rbm.hidden_bias)
        upper = reference.upper_weights(h, t_fit, lam)
        modules.append(reference.DSNModuleWeights(kernel, rbm.hidden_bias, upper))
        outputs.append(h @ upper)
    return modules


def early_stopped(model: keras.Model, split: dict, targets: tuple) -> dict[str, Any]:
    """Adam with early stopping on the validation loss; test accuracy, epochs, time."""
    stopper = keras.callbacks.EarlyStopping(
        patience=SETTINGS["patience"], restore_best_weights=True
    )
    result = training.fit(
        model,
        split["x_fit"],
        targets[0],
        epochs=SETTINGS["max_epochs"],
        batch_size=SETTINGS["batch"],
        validation_data=(split["x_val"], targets[1]),
        callbacks=[stopper],
        progress=False,
    )
    assert result.epochs < SETTINGS["max_epochs"], "early stopping must end training"
    return {
        "validation": accuracy_of(
            model.predict(split["x_val"], verbose=0), split["y_val"]
        ),
        "test": accuracy_of(model.predict(split["x_test"], verbose=0), split["y_test"]),
        "epochs": stopper.best_epoch + 1,
        "seconds": result.seconds,
    }


def relu_mlp(units: int) -> keras.Model:
    """One ReLU hidden layer and a softmax, on cross-entropy (the chapter's MLP)."""
    inputs = keras.Input(shape=(PIXELS,))
    hidden = keras.layers.Dense(units, activation="relu")(inputs)
    outputs = keras.layers.Dense(CLASSES, activation="softmax")(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(
        optimizer=keras.optimizers.Adam(SETTINGS["learning_rate"]),
        loss="sparse_categorical_crossentropy",
    )
    return model


def end_to_end_stack() -> keras.Model:
    """The stack's architecture - module k reads [x, y_1 .. y_{k-1}], sigmoid hidden
    units, linear outputs without bias - trained end to end on the squared error of the
    top output (Keras's default initial weights)."""
    inputs = keras.Input(shape=(PIXELS,))
    outputs: list = []
    for _ in range(SETTINGS["budget_modules"]):
        module_input = (
            keras.layers.Concatenate()([inputs, *outputs]) if outputs else inputs
        )
        hidden = keras.layers.Dense(SETTINGS["units"], activation="sigmoid")(
            module_input
        )
        outputs.append(keras.layers.Dense(CLASSES, use_bias=False)(hidden))
    model = keras.Model(inputs, outputs[-1])
    model.compile(
        optimizer=keras.optimizers.Adam(SETTINGS["learning_rate"]), loss="mse"
    )
    return model


def one_seed(split: dict, seed: int) -> dict[str, Any]:
    """Every model of the comparison for one seed."""
    t_fit = reference.one_hot(split["y_fit"], CLASSES)
    units, budget = SETTINGS["units"], SETTINGS["budget_modules"]
    width = units * budget
    run: dict[str, Any] = {}
    lam = first_module_lambda(split, t_fit, 10 * seed)
    run["stack_lambda"] = lam
    started = time.perf_counter()
    deep = reference.fit_dsn(
        split["x_fit"], t_fit, SETTINGS["deepest"], units, lam, seed=10 * seed
    )
    run["stack_seconds"] = time.perf_counter() - started
    run["stack"] = stack_scores(deep, split)
    started = time.perf_counter()
    refined = reference.fit_dsn(
        split["x_fit"],
        t_fit,
        budget,
        units,
        lam,
        refine_steps=SETTINGS["refine_steps"],
        learning_rate=SETTINGS["refine_rate"],
        seed=10 * seed,
    )
    run["refined_seconds"] = time.perf_counter() - started
    run["refined"] = stack_scores(refined, split)
    training.set_seed(seed)
    started = time.perf_counter()
    run["rbm"] = stack_scores(rbm_stack(split, t_fit, lam, 10 * seed), split)
    run["rbm_seconds"] = time.perf_counter() - started
    for name, direct in (("elm", False), ("rvfl", True)):
        started = time.perf_counter()
        features = random_features(split, width, 10 * seed, direct)
        run[name] = ridge_on_validation(features, t_fit, split)
        run[name]["seconds"] = time.perf_counter() - started
    onehot = (t_fit, reference.one_hot(split["y_val"], CLASSES))
    training.set_seed(seed)
    run["end_to_end"] = early_stopped(end_to_end_stack(), split, onehot)
    labels = (split["y_fit"], split["y_val"])
    for name, hidden in (("mlp_wide", width), ("mlp", units)):
        training.set_seed(seed)
        run[name] = early_stopped(relu_mlp(hidden), split, labels)
    return run


def the_split() -> dict[str, np.ndarray]:
    """The chapter's split: fitting, validation and test parts, pixels as rows."""
    x_train, y_train, x_test, y_test = data.load_mnist5k(seed=SETTINGS["split_seed"])
    x_train = x_train.reshape(len(x_train), PIXELS).astype(np.float64)
    x_fit, x_val, y_fit, y_val = train_test_split(
        x_train,
        y_train,
        test_size=SETTINGS["validation_fraction"],
        random_state=SETTINGS["split_seed"],
        stratify=y_train,
    )
    return {
        "x_fit": x_fit,
        "y_fit": y_fit,
        "x_val": x_val,
        "y_val": y_val,
        "x_test": x_test.reshape(len(x_test), PIXELS).astype(np.float64),
        "y_test": y_test,
    }


def main() -> None:
    """Every model for every seed; save them with their settings."""
    started = time.perf_counter()
    split = the_split()
    runs = []
    with threadpool_limits(limits=1, user_api="blas"):
        for seed in SEEDS:
            runs.append(one_seed(split, seed))
            print("seed", seed, "done", f"{time.perf_counter() - started:.0f} s")
    results.save(
        "05_dsn",
        {
            "seeds": list(SEEDS),
            "settings": SETTINGS,
            "test_examples": int(len(split["y_test"])),
            "validation_examples": int(len(split["y_val"])),
            "runs": runs,
            "wall_seconds": time.perf_counter() - started,
            "notes": [
                "stack, refined, rbm: accuracy per depth (1 .. modules), for the "
                "validation and the test part; the stacks' lambda is chosen on "
                "validation for the first random module of each seed.",
                "elm, rvfl: one random module of units * budget_modules hidden units "
                "(rvfl: the input beside it), lambda chosen on validation.",
                "end_to_end, mlp_wide, mlp: Adam, early stopping on the validation "
                "loss, best weights restored; epochs is the epoch kept.",
                "Timings were taken on a shared, loaded machine of two cores.",
            ],
        },
        command="make results (or .venv/bin/python results/make_05_dsn.py)",
        script=__file__,
    )


if __name__ == "__main__":
    main()
