"""Benchmark of Chapter 4: our Keras CD-1 against scikit-learn's BernoulliRBM.

The same binarised MNIST-5k training images (4,000), 256 hidden units, batches of 64,
learning rate 0.05 and 10 epochs for both, timed in the same process, best of two runs
each (compilation excluded for Keras). Prints a Markdown section for
``benchmarks/results.md``. scikit-learn runs twice: with OpenBLAS's default threads
(what a user gets) and with one BLAS thread (what the chapter uses); the default-thread
run is skipped when a one-epoch probe shows the threads fighting over busy cores.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.neural_network import BernoulliRBM  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from dlcourse import data, training  # noqa: E402
from dlcourse.keras_parts.rbm import RBM  # noqa: E402
from dlcourse.reference import rbm as reference  # noqa: E402

UNITS, BATCH, LEARNING_RATE, EPOCHS, REPEATS = 256, 64, 0.05, 10, 2
#: A default-thread epoch slower than this: OpenBLAS threads fight over busy cores.
PROBE_LIMIT_SECONDS = 2.0


def ours(x: np.ndarray) -> tuple[float, RBM]:
    rbm = RBM(UNITS, seed=0)
    rbm.compile(
        optimizer=keras.optimizers.SGD(LEARNING_RATE),
        steps_per_execution=int(np.ceil(len(x) / BATCH)),
    )
    rbm.fit(x, epochs=1, batch_size=BATCH, verbose=0)  # compile outside the timing
    started = time.perf_counter()
    rbm.fit(x, epochs=EPOCHS, batch_size=BATCH, verbose=0)
    return time.perf_counter() - started, rbm


def sklearn(x: np.ndarray, epochs: int = EPOCHS) -> tuple[float, BernoulliRBM]:
    model = BernoulliRBM(
        n_components=UNITS,
        learning_rate=LEARNING_RATE,
        batch_size=BATCH,
        n_iter=epochs,
        random_state=0,
    )
    started = time.perf_counter()
    model.fit(x)
    return time.perf_counter() - started, model


def main() -> None:
    training.set_seed(0)
    x_train, _, x_test, _ = data.load_mnist5k(seed=0)
    x = (x_train.reshape(len(x_train), -1) > 0.5).astype(np.float32)
    test = (x_test.reshape(len(x_test), -1) > 0.5).astype(np.float32)
    ours_times, one_thread_times = [], []
    for _ in range(REPEATS):
        seconds, our_rbm = ours(x)
        ours_times.append(seconds)
        with threadpool_limits(limits=1, user_api="blas"):
            seconds, sk_rbm = sklearn(x)
        one_thread_times.append(seconds)
    probe, _ = sklearn(x, epochs=1)
    default_seconds = None
    if probe < PROBE_LIMIT_SECONDS:
        default_seconds = min(sklearn(x)[0] for _ in range(REPEATS))
    best_ours, best_one = min(ours_times), min(one_thread_times)
    flips = np.random.default_rng(0).integers(0, x.shape[1], len(test))
    our_weights = reference.RBMWeights(*our_rbm.get_weights())
    sklearn_weights = reference.RBMWeights(
        sk_rbm.components_.T, sk_rbm.intercept_visible_, sk_rbm.intercept_hidden_
    )
    our_pll = reference.pseudo_log_likelihood(
        test, our_weights, flip_indices=flips
    ).mean()
    sk_pll = reference.pseudo_log_likelihood(
        test, sklearn_weights, flip_indices=flips
    ).mean()
    load = os.getloadavg()[0]
    ratio_one = best_one / best_ours
    lines = [
        "## Deep belief networks: CD-1 against scikit-learn's BernoulliRBM",
        "",
        f"Binarised MNIST-5k (4,000 images), {UNITS} hidden units, batch {BATCH}, "
        f"learning rate {LEARNING_RATE}, {EPOCHS} epochs, best of {REPEATS}; "
        f"load average {load:.1f} when it finished.",
        "",
        "| implementation | seconds | ours is ... times as fast "
        "| test pseudo-log-likelihood |",
        "|---|---:|---:|---:|",
        "| Keras RBM (`dlcourse.keras_parts.rbm`, tf.function, float32) "
        f"| {best_ours:.2f} | 1.0 | {our_pll:.1f} |",
        "| scikit-learn BernoulliRBM, 1 BLAS thread "
        f"| {best_one:.2f} | {ratio_one:.1f} | {sk_pll:.1f} |",
    ]
    if default_seconds is None:
        lines.append(
            "| scikit-learn BernoulliRBM, default BLAS threads "
            f"| skipped: one epoch took {probe:.1f} s (thread contention) | | |"
        )
    else:
        lines.append(
            "| scikit-learn BernoulliRBM, default BLAS threads "
            f"| {default_seconds:.2f} | {default_seconds / best_ours:.1f} | |"
        )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
