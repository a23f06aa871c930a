"""Several seeds of Chapter 3b, "After LeNet": digits, words and clips.

Writes ``results/modern_cnns.json``:

* ``digits``: the test accuracy on the MNIST-5k split of Chapter 3 (validation split
  from the training part) of LeNet, LeNet with 3x3 stacks, the small residual network
  and the same network without skip connections, each for every seed in ``SEEDS`` with
  the chapter's quick-mode training; and of the residual network with the full-mode
  training. With each: parameters,
  multiply-adds per digit and training seconds.
* ``words``: for each seed (of the split and of the network), TF-IDF + logistic
  regression (its C chosen on validation) and the 1-D convolution over words (its
  epoch chosen on validation), on the help-paragraph families.
* ``clips``: for each seed (of the clips and of the network), the 3-D CNN and the
  per-frame 2-D CNN on generated moving-shape clips (epoch chosen on validation).

The trainings are independent; they run in ``WORKERS`` processes. Run
``.venv/bin/python results/make_modern_cnns.py`` (``make results``); it takes about
ten minutes on two quiet cores.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from dlcourse import data, results, training  # noqa: E402
from dlcourse.keras_parts import cnn as parts  # noqa: E402
from dlcourse.synthetic import clips, help_families  # noqa: E402

#: The seeds of the networks (and, for words and clips, of the data).
SEEDS = (0, 1, 2)
#: The seed of the digit split, as in Chapters 3 and 3b.
SPLIT_SEED = 0
VALIDATION_FRACTION = 0.1  # share of the training digits held out
#: The chapter's training of the digit networks: (epochs, batch size) per scale.
LENET_TRAINING = {"quick": (12, 64)}
RESNET_TRAINING = {"quick": (12, 128), "full": (30, 128)}
#: The digit networks, trained at the quick scale for every seed.
DIGIT_VARIANTS = {
    "lenet": (lambda seed: parts.lenet(seed=seed), LENET_TRAINING),
    "lenet_3x3": (lambda seed: parts.lenet_3x3(seed=seed), LENET_TRAINING),
    "resnet": (lambda seed: parts.small_resnet(seed=seed), RESNET_TRAINING),
    "resnet_no_skip": (
        lambda seed: parts.small_resnet(skip=False, seed=seed),
        {"quick": RESNET_TRAINING["quick"]},
    ),
}
#: The processes the trainings run in.
WORKERS = 3
#: Words: the split (train, validation, test) shares, the words kept per paragraph,
#: the candidate C of logistic regression, the network's most epochs and batch.
WORD_SHARES = (0.6, 0.2, 0.2)
WORD_LENGTH = 100
WORD_C = (1.0, 10.0, 100.0, 1000.0)
WORD_EPOCHS, WORD_BATCH = 30, 32
#: Clips: how many for training, validation and test; the networks' epochs and batch.
CLIP_COUNTS = (1200, 300, 600)
CLIP_EPOCHS, CLIP_BATCH = 15, 32


class _Best(keras.callbacks.Callback):
    """Keeps the weights of the epoch with the best validation accuracy."""

    def on_train_begin(self, logs=None):
        self.best, self.epoch, self.weights = -1.0, 0, None

    def on_epoch_end(self, epoch, logs=None):
        if logs["val_accuracy"] > self.best:
            self.best, self.epoch = logs["val_accuracy"], epoch + 1
            self.weights = self.model.get_weights()

    def on_train_end(self, logs=None):
        self.model.set_weights(self.weights)


def digit_run(name: str, scale: str, seed: int) -> dict:
    """Train one digit network for one seed; its test accuracy, seconds and size."""
    x_train, y_train, x_test, y_test = data.load_mnist5k(seed=SPLIT_SEED)
    x_fit, y_fit, _, _ = data.stratified_split(
        x_train[..., None], y_train, test_fraction=VALIDATION_FRACTION, seed=SPLIT_SEED
    )
    build, scales = DIGIT_VARIANTS[name]
    epochs, batch = scales[scale]
    training.set_seed(seed)
    model = build(seed)
    parts.compile_adam(model, epochs * int(np.ceil(len(x_fit) / batch)))
    fitted = training.fit(
        model, x_fit, y_fit, epochs=epochs, batch_size=batch, progress=False
    )
    accuracy = training.accuracy(model, x_test[..., None], y_test)
    print(name, scale, seed, accuracy, flush=True)
    return {
        "accuracy": accuracy,
        "seconds": fitted.seconds,
        "epochs": epochs,
        "batch_size": batch,
        "parameters": model.count_params(),
        "multiply_adds": parts.multiply_adds(model),
    }


def digits(runs: dict) -> dict:
    """Gather the digit runs into one row per network and scale."""
    table: dict = {}
    for name, scales in DIGIT_VARIANTS.items():
        for scale in scales[1]:
            rows = [runs[("digits", name, scale, seed)] for seed in SEEDS]
            table[f"{name}_{scale}"] = {
                "accuracy": [row["accuracy"] for row in rows],
                "seconds": [row["seconds"] for row in rows],
                **{k: rows[0][k] for k in ("epochs", "batch_size", "parameters")},
                "multiply_adds": rows[0]["multiply_adds"],
            }
    return table


def _word_split(seed: int) -> tuple:
    paragraphs = help_families.help_paragraphs()
    indices = np.arange(len(paragraphs.y))
    rest, test = data.stratified_split(
        indices[:, None], paragraphs.y, test_fraction=WORD_SHARES[2], seed=seed
    )[::2]
    rest = rest[:, 0]
    fit, validation = data.stratified_split(
        rest[:, None],
        paragraphs.y[rest],
        test_fraction=WORD_SHARES[1] / (1 - WORD_SHARES[2]),
        seed=seed,
    )[::2]
    return paragraphs, fit[:, 0], validation[:, 0], test[:, 0]


def word_run(seed: int) -> dict:
    """TF-IDF + logistic regression and the 1-D CNN on one split of the paragraphs."""
    paragraphs, fit, validation, test = _word_split(seed)
    text = np.array(paragraphs.text, dtype=object)
    y = paragraphs.y
    vectorizer = TfidfVectorizer(
        tokenizer=help_families.tokenize,
        lowercase=False,
        token_pattern=None,
        min_df=2,
    )
    tf_fit = vectorizer.fit_transform(text[fit])
    tf_validation = vectorizer.transform(text[validation])
    scored = []
    for c in WORD_C:
        model = LogisticRegression(C=c, max_iter=2000).fit(tf_fit, y[fit])
        scored.append((model.score(tf_validation, y[validation]), -c, model))
    _, minus_c, best = max(scored, key=lambda row: row[:2])
    vocabulary = help_families.build_vocabulary(list(text[fit]))
    encoded = help_families.encode(list(text), vocabulary, WORD_LENGTH)
    training.set_seed(seed)
    model = parts.text_cnn(
        len(vocabulary) + 2, WORD_LENGTH, len(help_families.FAMILIES)
    )
    parts.compile_adam(model, WORD_EPOCHS * int(np.ceil(len(fit) / WORD_BATCH)))
    keeper = _Best()
    training.fit(
        model,
        encoded[fit],
        y[fit],
        epochs=WORD_EPOCHS,
        batch_size=WORD_BATCH,
        validation_data=(encoded[validation], y[validation]),
        progress=False,
        callbacks=[keeper],
    )
    row = {
        "tfidf_logistic": float(best.score(vectorizer.transform(text[test]), y[test])),
        "text_cnn": training.accuracy(model, encoded[test], y[test]),
        "chosen_c": -minus_c,
        "epochs": keeper.epoch,
        "test_paragraphs": len(test),
        "majority_share": float(np.bincount(y[test]).max() / len(test)),
    }
    print("words", seed, row["tfidf_logistic"], row["text_cnn"], flush=True)
    return row


def clip_sets(seed: int) -> tuple:
    """Training, validation and test clips for ``seed`` (each from its own seed)."""
    return tuple(
        clips.moving_shapes(count, seed=1000 * seed + part)
        for part, count in enumerate(CLIP_COUNTS)
    )


CLIP_MODELS = {"cnn_3d": parts.clip_cnn_3d, "cnn_per_frame": parts.clip_cnn_per_frame}


def clip_run(name: str, seed: int) -> dict:
    """Train one clip network for one seed; its test accuracy and seconds."""
    fit, validation, test = clip_sets(seed)
    training.set_seed(seed)
    model = CLIP_MODELS[name](fit.x.shape[1:4], len(clips.DIRECTIONS))
    parts.compile_adam(model, CLIP_EPOCHS * int(np.ceil(len(fit.y) / CLIP_BATCH)))
    fitted = training.fit(
        model,
        fit.x,
        fit.y,
        epochs=CLIP_EPOCHS,
        batch_size=CLIP_BATCH,
        validation_data=(validation.x, validation.y),
        progress=False,
        callbacks=[_Best()],
    )
    accuracy = training.accuracy(model, test.x, test.y)
    print(name, seed, accuracy, flush=True)
    return {"accuracy": accuracy, "seconds": fitted.seconds}


def _run(job: tuple) -> dict:
    kind, *arguments = job
    return {"digits": digit_run, "words": word_run, "clips": clip_run}[kind](*arguments)


def main() -> None:
    """Run every training for every seed, in ``WORKERS`` processes, and save them."""
    jobs = [
        ("digits", name, scale, seed)
        for name, (_, scales) in DIGIT_VARIANTS.items()
        for scale in scales
        for seed in SEEDS
    ]
    jobs += [("clips", name, seed) for name in CLIP_MODELS for seed in SEEDS]
    jobs += [("words", seed) for seed in SEEDS]
    # The longest trainings first, so that the workers finish together.
    jobs.sort(key=lambda job: job[:3] != ("digits", "resnet", "full"))
    with ProcessPoolExecutor(WORKERS, mp_context=get_context("spawn")) as pool:
        runs = dict(zip(jobs, pool.map(_run, jobs), strict=True))
    word_rows = [runs[("words", seed)] for seed in SEEDS]
    computed = {
        "digits": digits(runs),
        "words": {
            key: [row[key] for row in word_rows]
            for key in ("tfidf_logistic", "text_cnn", "chosen_c", "epochs")
        }
        | {k: word_rows[0][k] for k in ("test_paragraphs", "majority_share")},
        "clips": {
            **{
                name: [runs[("clips", name, seed)]["accuracy"] for seed in SEEDS]
                for name in CLIP_MODELS
            },
            **{
                f"seconds_{name}": [runs[("clips", name, s)]["seconds"] for s in SEEDS]
                for name in CLIP_MODELS
            },
            "test_clips": CLIP_COUNTS[2],
        },
    }
    results.save(
        "modern_cnns",
        {"seeds": list(SEEDS), **computed},
        command="make results (or .venv/bin/python results/make_modern_cnns.py)",
        script=__file__,
    )


if __name__ == "__main__":
    main()
