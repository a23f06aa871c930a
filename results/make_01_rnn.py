"""Several seeds of the recurrent-network chapter's speaker comparison.

Writes ``results/01_rnn.json``: the test accuracy on JapaneseVowels of the mean-frame
logistic regression (deterministic, one value) and of the Elman and Jordan networks
(``dlcourse.keras_parts.sequence_classifiers``, the chapter's quick-mode training)
for each seed in ``SEEDS``, all on standardised frames. Run
``.venv/bin/python results/make_01_rnn.py``; it takes a few minutes on two cores.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

from sklearn.linear_model import LogisticRegression  # noqa: E402

from dlcourse import data, results, training  # noqa: E402
from dlcourse.keras_parts import sequence_classifiers as classifiers  # noqa: E402

#: The seeds of the networks' initial weights and batch order.
SEEDS = (0, 1, 2, 3, 4)
#: The chapter's quick-mode training: epochs, batch size.
EPOCHS, BATCH_SIZE = 25, 64
#: Speakers in JapaneseVowels.
SPEAKERS = 9


def main() -> None:
    """Train every network for every seed and save the accuracies."""
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
    results.save(
        "01_rnn",
        {"seeds": list(SEEDS), "epochs": EPOCHS, "test_accuracy": accuracies},
        command=".venv/bin/python results/make_01_rnn.py",
        script=__file__,
    )


if __name__ == "__main__":
    main()
