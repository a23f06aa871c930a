"""Several seeds of the convolutional-network chapter's digit comparison, and ablations.

Writes ``results/cnn.json``: the test accuracy on the chapter's MNIST-5k split of the
LeNet-style CNN as the chapter trains it, of the same CNN without augmentation and
without batch normalisation, and of the MLP of about the same size, for each seed in
``SEEDS`` (the seed of the initial weights, the batch order and the random shifts), all
with the chapter's quick-mode training; and of logistic regression (deterministic, one
value). Run ``.venv/bin/python results/make_cnn.py``; it takes a few minutes on two
cores.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from dlcourse import data, results, training  # noqa: E402
from dlcourse.keras_parts import cnn as parts  # noqa: E402

#: The seeds of the networks' initial weights, batch order and random shifts.
SEEDS = (0, 1, 2)
#: The seed of the data split, as in the chapter.
SPLIT_SEED = 0
#: The chapter's quick-mode training: epochs, batch size, validation share.
EPOCHS, BATCH_SIZE, VALIDATION_FRACTION = 12, 64, 0.1
#: Hidden units of the MLP: about the CNN's parameter count.
MLP_HIDDEN = 56
#: The variants trained for every seed.
VARIANTS = {
    "cnn": lambda seed: parts.lenet(seed=seed),
    "cnn_no_augmentation": lambda seed: parts.lenet(shift=0.0, seed=seed),
    "cnn_no_batch_norm": lambda seed: parts.lenet(batch_norm=False, seed=seed),
    "mlp": lambda seed: parts.pixel_mlp(MLP_HIDDEN, seed=seed),
}


def main() -> None:
    """Train every variant for every seed and save the test accuracies."""
    x_train, y_train, x_test, y_test = data.load_mnist5k(seed=SPLIT_SEED)
    x_fit, y_fit, _, _ = data.stratified_split(
        x_train[..., None],
        y_train,
        test_fraction=VALIDATION_FRACTION,
        seed=SPLIT_SEED,
    )
    logistic = LogisticRegression(max_iter=300, tol=1e-3)
    logistic.fit(x_fit.reshape(len(x_fit), -1), y_fit)
    accuracies: dict = {
        "logistic_regression": float(
            logistic.score(x_test.reshape(len(x_test), -1), y_test)
        )
    }
    steps = EPOCHS * int(np.ceil(len(x_fit) / BATCH_SIZE))
    for name, build in VARIANTS.items():
        accuracies[name] = []
        for seed in SEEDS:
            training.set_seed(seed)
            model = build(seed)
            parts.compile_adam(model, steps)
            training.fit(
                model,
                x_fit,
                y_fit,
                epochs=EPOCHS,
                batch_size=BATCH_SIZE,
                progress=False,
            )
            accuracies[name].append(training.accuracy(model, x_test[..., None], y_test))
            print(name, seed, accuracies[name][-1], flush=True)
    results.save(
        "cnn",
        {
            "seeds": list(SEEDS),
            "epochs": EPOCHS,
            "test_digits": len(y_test),
            "accuracy": accuracies,
        },
        command="make results (or .venv/bin/python results/make_cnn.py)",
        script=__file__,
    )


if __name__ == "__main__":
    main()
