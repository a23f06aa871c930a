"""Several seeds of the deep-belief-network chapter's comparison with all labels.

Writes ``results/dbn.json``: for each seed in ``SEEDS`` (the seed of the RBMs' weights
and random streams, of the networks' initial weights and of the batch order), the test
accuracy on the chapter's MNIST-5k split of the DBN (two RBMs pre-trained, then
fine-tuned as an MLP), of the same sigmoid MLP from a random start, of a ReLU MLP of
the same shape, of scikit-learn's BernoulliRBM + logistic regression, and the epoch
early stopping kept for each network; and logistic regression on the pixels
(deterministic, one value). Everything uses the chapter's quick-mode settings, recorded
in the file so that the chapter can check that they agree with its own. Run
``.venv/bin/python results/make_dbn.py``; it takes a few minutes on two cores.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.neural_network import BernoulliRBM  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from dlcourse import data, results, training  # noqa: E402
from dlcourse.keras_parts.rbm import RBM, classifier_from_rbms  # noqa: E402

#: The seeds of the RBMs, the networks' initial weights and the batch order.
SEEDS = (0, 1, 2)
#: The chapter's quick-mode settings (the chapter asserts that its own agree).
SETTINGS = {
    "split_seed": 0,
    "validation_fraction": 0.125,
    "rbm_units": 256,
    "rbm2_units": 256,
    "rbm_batch": 64,
    "cd_learning_rate": 0.05,
    "rbm_epochs": 10,
    "max_epochs": 40,
    "patience": 3,
    "finetune_batch": 64,
    "finetune_learning_rate": 1e-3,
}
#: The networks fine-tuned for every seed, by the chapter's names.
NETWORKS = ("dbn", "sigmoid_random", "relu_random")


def train_rbm(inputs: np.ndarray, units: int, seed: int) -> RBM:
    """One RBM as the chapter trains it (CD-1, plain SGD)."""
    rbm = RBM(units, seed=seed)
    rbm.compile(
        optimizer=keras.optimizers.SGD(SETTINGS["cd_learning_rate"]),
        steps_per_execution=int(np.ceil(len(inputs) / SETTINGS["rbm_batch"])),
    )
    rbm.fit(
        inputs,
        epochs=SETTINGS["rbm_epochs"],
        batch_size=SETTINGS["rbm_batch"],
        verbose=0,
    )
    return rbm


def relu_mlp() -> keras.Model:
    """The ReLU network of the DBN classifier's shape."""
    return keras.Sequential(
        [
            keras.Input((784,)),
            keras.layers.Dense(SETTINGS["rbm_units"], activation="relu"),
            keras.layers.Dense(SETTINGS["rbm2_units"], activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def fine_tune(model: keras.Model, split: tuple, steps: int) -> int:
    """Adam, early stopping on the validation split; returns the epoch kept."""
    x_fit, y_fit, x_validation, y_validation = split
    model.compile(
        optimizer=keras.optimizers.Adam(SETTINGS["finetune_learning_rate"]),
        loss="sparse_categorical_crossentropy",
        steps_per_execution=steps,
    )
    stopper = keras.callbacks.EarlyStopping(
        patience=SETTINGS["patience"], restore_best_weights=True
    )
    training.fit(
        model,
        x_fit,
        y_fit,
        epochs=SETTINGS["max_epochs"],
        batch_size=SETTINGS["finetune_batch"],
        validation_data=(x_validation, y_validation),
        callbacks=[stopper],
        progress=False,
    )
    return stopper.best_epoch + 1


def main() -> None:
    """Pre-train, fine-tune and score every model for every seed; save the results."""
    threadpool_limits(limits=1, user_api="blas")
    x_train, y_train, x_test, y_test = data.load_mnist5k(seed=SETTINGS["split_seed"])
    binary_train = (x_train.reshape(len(x_train), -1) > 0.5).astype(np.float32)
    binary_test = (x_test.reshape(len(x_test), -1) > 0.5).astype(np.float32)
    split = data.stratified_split(
        binary_train,
        y_train,
        test_fraction=SETTINGS["validation_fraction"],
        seed=SETTINGS["split_seed"],
    )
    steps = int(np.ceil(len(split.x_train) / SETTINGS["finetune_batch"]))
    raw = LogisticRegression(max_iter=1000, tol=1e-4).fit(binary_train, y_train)
    accuracy: dict = {name: [] for name in (*NETWORKS, "sklearn_pipeline")}
    epochs: dict = {name: [] for name in NETWORKS}
    for seed in SEEDS:
        training.set_seed(seed)
        rbm1 = train_rbm(binary_train, SETTINGS["rbm_units"], seed)
        hidden1 = rbm1.predict(binary_train, batch_size=1000, verbose=0)
        rbm2 = train_rbm(hidden1, SETTINGS["rbm2_units"], seed + 1)
        networks = {
            "dbn": classifier_from_rbms([rbm1, rbm2], 10, pretrained=True, seed=seed),
            "sigmoid_random": classifier_from_rbms(
                [rbm1, rbm2], 10, pretrained=False, seed=seed
            ),
            "relu_random": relu_mlp(),
        }
        for name, model in networks.items():
            epochs[name].append(fine_tune(model, split, steps))
            accuracy[name].append(training.accuracy(model, binary_test, y_test))
        sklearn_rbm = BernoulliRBM(
            n_components=SETTINGS["rbm_units"],
            learning_rate=SETTINGS["cd_learning_rate"],
            batch_size=SETTINGS["rbm_batch"],
            n_iter=SETTINGS["rbm_epochs"],
            random_state=seed,
        ).fit(binary_train)
        pipeline = LogisticRegression(max_iter=1000, tol=1e-4).fit(
            sklearn_rbm.transform(binary_train), y_train
        )
        accuracy["sklearn_pipeline"].append(
            float(pipeline.score(sklearn_rbm.transform(binary_test), y_test))
        )
        print(seed, {name: values[-1] for name, values in accuracy.items()}, flush=True)
    results.save(
        "dbn",
        {
            "seeds": list(SEEDS),
            "settings": SETTINGS,
            "test_digits": len(y_test),
            "accuracy": accuracy,
            "best_epoch": epochs,
            "logistic_regression": float(raw.score(binary_test, y_test)),
        },
        command="make results (or .venv/bin/python results/make_dbn.py)",
        script=__file__,
    )


if __name__ == "__main__":
    main()
