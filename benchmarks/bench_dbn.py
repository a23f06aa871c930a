"""Benchmark of Chapter 4: our Keras CD-1 against scikit-learn's BernoulliRBM.

The same binarised MNIST-5k training images (4,000), 256 hidden units, batches of 64,
learning rate 0.05 and 10 epochs for both, timed in the same process, best of two runs
each (compilation excluded for Keras: ``RBM.train_epochs``, one compiled call an epoch),
in wall seconds and in CPU seconds of the process. Prints a Markdown section for
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


def ours(x: np.ndarray) -> tuple[float, float, RBM]:
    """Wall and CPU seconds of our compiled CD-1 epochs, and the trained RBM."""
    rbm = RBM(UNITS, seed=0)
    rbm.compile(optimizer=keras.optimizers.SGD(LEARNING_RATE))
    rbm.train_epochs(x, 1, BATCH)  # compile outside the timing
    started, cpu = time.perf_counter(), time.process_time()
    rbm.train_epochs(x, EPOCHS, BATCH)
    return time.perf_counter() - started, time.process_time() - cpu, rbm


def sklearn(x: np.ndarray, epochs: int = EPOCHS) -> tuple[float, float, BernoulliRBM]:
    """Wall and CPU seconds of scikit-learn's BernoulliRBM, and the trained model."""
    model = BernoulliRBM(
        n_components=UNITS,
        learning_rate=LEARNING_RATE,
        batch_size=BATCH,
        n_iter=epochs,
        random_state=0,
    )
    started, cpu = time.perf_counter(), time.process_time()
    model.fit(x)
    return time.perf_counter() - started, time.process_time() - cpu, model


def main() -> None:
    training.set_seed(0)
    x_train, _, x_test, _ = data.load_mnist5k(seed=0)
    x = (x_train.reshape(len(x_train), -1) > 0.5).astype(np.float32)
    test = (x_test.reshape(len(x_test), -1) > 0.5).astype(np.float32)
    ours_times, one_thread_times = [], []
    for _ in range(REPEATS):
        wall, cpu, our_rbm = ours(x)
        ours_times.append((wall, cpu))
        with threadpool_limits(limits=1, user_api="blas"):
            wall, cpu, sk_rbm = sklearn(x)
        one_thread_times.append((wall, cpu))
    probe = sklearn(x, epochs=1)[0]
    default_seconds = None
    if probe < PROBE_LIMIT_SECONDS:
        default_seconds = min(sklearn(x)[0] for _ in range(REPEATS))
    (best_ours, ours_cpu), (best_one, one_cpu) = min(ours_times), min(one_thread_times)
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
        "| implementation | seconds | CPU seconds | ours is ... times as fast "
        "| test pseudo-log-likelihood |",
        "|---|---:|---:|---:|---:|",
        "| Keras RBM (`RBM.train_epochs`, one tf.function per epoch, float32) "
        f"| {best_ours:.2f} | {ours_cpu:.2f} | 1.0 | {our_pll:.1f} |",
        "| scikit-learn BernoulliRBM, 1 BLAS thread "
        f"| {best_one:.2f} | {one_cpu:.2f} | {ratio_one:.1f} | {sk_pll:.1f} |",
    ]
    if default_seconds is None:
        lines.append(
            "| scikit-learn BernoulliRBM, default BLAS threads "
            f"| skipped: one epoch took {probe:.1f} s (thread contention) | | | |"
        )
    else:
        lines.append(
            "| scikit-learn BernoulliRBM, default BLAS threads "
            f"| {default_seconds:.2f} | | {default_seconds / best_ours:.1f} | |"
        )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
