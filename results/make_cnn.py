"""Several seeds of the convolutional-network chapter's digit comparison: an ablation.

Writes ``results/cnn.json``. On the chapter's MNIST-5k split, for each seed in
``SEEDS`` (the seed of the initial weights, the batch order and the random shifts):

- the LeNet-style CNN as the chapter trains it, and the same CNN without augmentation
  and without batch normalisation;
- the MLP of about the CNN's parameter count with one hidden layer, as the chapter
  trains it;
- an MLP of the CNN's depth (as many weight layers: two in place of the convolutions,
  then the CNN's dense layers of 120, 84 and 10 units), with batch normalisation after
  the first two as the CNN has after its convolutions, the same random shifts,
  optimiser and schedule, in two widths: one with about the CNN's parameter count, and
  one much wider;

and logistic regression on the pixels (deterministic, one value). Every network trains
for ``EPOCHS`` epochs with Adam and a cosine schedule over them, then keeps the
weights of its epoch of lowest validation loss (early stopping whose patience is the
whole run: a shorter one stopped a run without augmentation after its first epochs,
while batch normalisation's moving statistics still made the validation loss jump);
the validation split is carved out of the training digits, and the test digits are
used once, to score. For every run the file records
the test accuracy, the parameters, the training seconds and the best epoch.

Run ``.venv/bin/python results/make_cnn.py``; it takes several minutes on two cores.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

from collections.abc import Callable, Sequence  # noqa: E402
from typing import Any  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from dlcourse import data, results, training  # noqa: E402
from dlcourse.keras_parts import cnn as parts  # noqa: E402

#: The seeds of the networks' initial weights, batch order and random shifts.
SEEDS = (0, 1, 2, 3, 4)
#: The seed of the data split, as in the chapter.
SPLIT_SEED = 0
#: The chapter's quick-mode training: epochs, batch size, validation share.
EPOCHS, BATCH_SIZE, VALIDATION_FRACTION = 12, 64, 0.1
#: Epochs without a lower validation loss before training would stop: the whole run.
PATIENCE = EPOCHS
#: Hidden units of the one-hidden-layer MLP: about the CNN's parameter count.
MLP_HIDDEN = 56
#: The CNN's dense layers after its two convolutions (the last one is the output).
CNN_DENSE = (120, 84, 10)
#: Widths of the equal-depth MLP's first two layers: about the CNN's parameter count.
DEEP_NARROW = (35, 35)
#: Widths of the wider equal-depth MLP's first two layers.
DEEP_WIDE = (512, 256)


def deep_mlp(
    first_widths: Sequence[int], *, shift: float = parts.SHIFT, seed: int = 0
) -> keras.Model:
    """An MLP with as many weight layers as the LeNet-style CNN.

    Two dense layers stand where the CNN has its two convolutions, each followed, as
    there, by batch normalisation (so without a bias) and ReLU; then the CNN's dense
    layers of 120 and 84 ReLU units and 10 softmax classes. The same random shifts as
    the CNN come first.

    Args:
        first_widths: the units of the two layers in place of the convolutions.
        shift: the largest random shift, as for ``parts.lenet``; 0 turns it off.
        seed: the seed of the random shifts.
    """
    images = keras.Input(shape=(28, 28, 1), name="digit")
    tensor = images
    if shift > 0:
        tensor = keras.layers.RandomTranslation(
            shift, shift, fill_mode="constant", seed=seed, name="shift"
        )(tensor)
    tensor = keras.layers.Flatten(name="pixels")(tensor)
    for index, units in enumerate(first_widths, start=1):
        tensor = keras.layers.Dense(units, use_bias=False, name=f"d{index}")(tensor)
        tensor = keras.layers.BatchNormalization(name=f"d{index}_norm")(tensor)
        tensor = keras.layers.Activation("relu", name=f"d{index}_relu")(tensor)
    *hidden, classes = CNN_DENSE
    for index, units in enumerate(hidden, start=len(first_widths) + 1):
        tensor = keras.layers.Dense(units, activation="relu", name=f"f{index}")(tensor)
    output = keras.layers.Dense(classes, activation="softmax", name="classes")(tensor)
    return keras.Model(images, output, name="deep_mlp")


def weight_layers(model: keras.Model) -> int:
    """The layers with a kernel: convolutions and dense layers."""
    kinds = (keras.layers.Conv2D, keras.layers.Dense)
    return sum(isinstance(layer, kinds) for layer in model.layers)


#: The variants trained for every seed, by the name the chapter reads.
VARIANTS: dict[str, Callable[[int], Any]] = {
    "cnn": lambda seed: parts.lenet(seed=seed),
    "cnn_no_augmentation": lambda seed: parts.lenet(shift=0.0, seed=seed),
    "cnn_no_batch_norm": lambda seed: parts.lenet(batch_norm=False, seed=seed),
    "mlp": lambda seed: parts.pixel_mlp(MLP_HIDDEN, seed=seed),
    "mlp_equal_depth": lambda seed: deep_mlp(DEEP_NARROW, seed=seed),
    "mlp_equal_depth_wide": lambda seed: deep_mlp(DEEP_WIDE, seed=seed),
}


def train_once(build: Callable[[int], Any], seed: int, split: data.DataSplit, test):
    """One run: build, fit, keep the best validation epoch, score on the test."""
    training.set_seed(seed)
    model = build(seed)
    parts.compile_adam(model, EPOCHS * int(np.ceil(len(split.x_train) / BATCH_SIZE)))
    stopper = keras.callbacks.EarlyStopping(
        patience=PATIENCE, restore_best_weights=True
    )
    fitted = training.fit(
        model,
        split.x_train,
        split.y_train,
        epochs=EPOCHS,
        batch_size=BATCH_SIZE,
        validation_data=(split.x_test, split.y_test),
        callbacks=[stopper],
        progress=False,
    )
    return {
        "accuracy": training.accuracy(model, *test),
        "seconds": round(fitted.seconds, 2),
        "best_epoch": int(stopper.best_epoch) + 1,
        "parameters": int(model.count_params()),
        "weight_layers": weight_layers(model),
    }


def main() -> None:
    """Train every variant for every seed and save the test accuracies."""
    x_train, y_train, x_test, y_test = data.load_mnist5k(seed=SPLIT_SEED)
    split = data.stratified_split(
        x_train[..., None],
        y_train,
        test_fraction=VALIDATION_FRACTION,
        seed=SPLIT_SEED,
    )
    logistic = LogisticRegression(max_iter=300, tol=1e-3)
    logistic.fit(split.x_train.reshape(len(split.x_train), -1), split.y_train)
    accuracy: dict[str, Any] = {
        "logistic_regression": float(
            logistic.score(x_test.reshape(len(x_test), -1), y_test)
        )
    }
    runs: dict[str, dict[str, list]] = {}
    for name, build in VARIANTS.items():
        columns: dict[str, list] = {}
        for seed in SEEDS:
            run = train_once(build, seed, split, (x_test[..., None], y_test))
            for key, value in run.items():
                columns.setdefault(key, []).append(value)
            print(name, seed, run, flush=True)
        accuracy[name] = columns.pop("accuracy")
        runs[name] = columns
    results.save(
        "cnn",
        {
            "seeds": list(SEEDS),
            "epochs": EPOCHS,
            "patience": PATIENCE,
            "test_digits": len(y_test),
            "validation_digits": len(split.y_test),
            "accuracy": accuracy,
            "runs": runs,
            "widths": {
                "mlp": [MLP_HIDDEN, CNN_DENSE[-1]],
                "mlp_equal_depth": [*DEEP_NARROW, *CNN_DENSE],
                "mlp_equal_depth_wide": [*DEEP_WIDE, *CNN_DENSE],
            },
        },
        command="make results (or .venv/bin/python results/make_cnn.py)",
        script=__file__,
    )


if __name__ == "__main__":
    main()
