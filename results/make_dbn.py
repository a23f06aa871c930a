"""Several seeds of the deep-belief-network chapter's comparison with all labels.

Writes ``results/dbn.json``: for each seed in ``SEEDS`` (the seed of the RBMs' weights
and random streams, of the networks' initial weights and of the batch order), the test
accuracy on the chapter's MNIST-5k split of the DBN (two RBMs pre-trained, then
fine-tuned as an MLP), of the same sigmoid MLP from a random start, of a ReLU MLP of
the same shape, of scikit-learn's BernoulliRBM + logistic regression, and the epoch
early stopping kept for each network; and logistic regression on the pixels
(deterministic, one value). For each seed it also trains the first RBM with persistent
CD-1 beside the CD-1 one and estimates both RBMs' test log-likelihood by annealed
importance sampling (independent AIS runs, with each run's spread over its chains).
It also fine-tunes a DBN with labels the way Hinton, Osindero & Teh (2006) did, by the
up-down algorithm: the same first RBM, a top RBM over its hidden units joined to the
labels (trained greedily on the labelled fit split), then up-down epochs, the epoch kept
chosen on the validation split; its test accuracy before and after, and the seconds of
each stage beside those of backpropagation fine-tuning.
Everything uses the chapter's quick-mode settings, recorded
in the file so that the chapter can check that they agree with its own. Run
``.venv/bin/python results/make_dbn.py``; it runs the seeds in parallel processes and
takes a few minutes on two cores.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.neural_network import BernoulliRBM  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from dlcourse import data, results, training  # noqa: E402
from dlcourse.keras_parts.rbm import RBM, classifier_from_rbms  # noqa: E402
from dlcourse.reference import rbm as reference  # noqa: E402
from dlcourse.reference import updown  # noqa: E402

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
#: Annealed importance sampling of the first RBMs' log Z (Salakhutdinov & Murray 2008).
AIS = {"chains": 100, "steps": 1000, "runs": 2}
#: The up-down comparison: the top RBM's greedy training, then the up-down epochs.
UPDOWN = {
    "top_units": 256,
    "top_epochs": 30,
    "top_learning_rate": 0.1,
    "top_gibbs_steps": 1,
    "batch": 64,
    "max_epochs": 20,
    "gibbs_steps": 3,
    "learning_rate": 0.05,
}
#: The networks fine-tuned for every seed, by the chapter's names.
NETWORKS = ("dbn", "sigmoid_random", "relu_random")


def train_rbm(
    inputs: np.ndarray, units: int, seed: int, persistent: bool = False
) -> RBM:
    """One RBM as the chapter trains it (CD-1 or persistent CD-1, plain SGD)."""
    chains = SETTINGS["rbm_batch"] if persistent else None
    rbm = RBM(units, seed=seed, persistent_chains=chains)
    rbm.compile(optimizer=keras.optimizers.SGD(SETTINGS["cd_learning_rate"]))
    rbm.train_epochs(inputs, SETTINGS["rbm_epochs"], SETTINGS["rbm_batch"])
    return rbm


def ais_log_likelihood(
    rbm: RBM, base_bias: np.ndarray, test: np.ndarray, seed: int
) -> dict[str, list[float]]:
    """Test log-likelihood per image from independent AIS runs of log Z.

    For each run: the estimate, and the estimate with log Z moved by three standard
    errors of the run's importance weights (the interval Salakhutdinov & Murray give).
    """
    weights = reference.RBMWeights(*(w.astype(np.float64) for w in rbm.get_weights()))
    minus_free_energy = float(-reference.free_energy(test, weights).mean())
    betas = np.linspace(0.0, 1.0, AIS["steps"] + 1)
    estimates, low, high = [], [], []
    for run in range(AIS["runs"]):
        ais = reference.ais_log_partition(
            weights,
            base_visible_bias=base_bias,
            betas=betas,
            chains=AIS["chains"],
            seed=1000 * seed + run,
        )
        w = np.exp(ais.log_weights - ais.log_weights.max())
        error = 3.0 * w.std() / np.sqrt(len(w))
        log_mean = np.log(w.mean())
        shift_low = np.log(max(w.mean() - error, 1e-300)) - log_mean
        shift_high = np.log(w.mean() + error) - log_mean
        estimates.append(minus_free_energy - ais.log_partition)
        low.append(minus_free_energy - ais.log_partition - shift_high)
        high.append(minus_free_energy - ais.log_partition - shift_low)
    return {"estimate": estimates, "low": low, "high": high}


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


def updown_run(rbm1: RBM, split: tuple, test: tuple, seed: int) -> dict:
    """A greedy stack with labels, then up-down (epoch chosen on validation)."""
    x_fit, y_fit, x_validation, y_validation = split
    rng = np.random.default_rng(10_000 + seed)
    first = reference.RBMWeights(*rbm1.get_weights())
    visible = first.kernel.shape[1] + 10
    top = reference.init_weights(visible, UPDOWN["top_units"], seed=seed + 1)
    top = reference.RBMWeights(*(w.astype(np.float32) for w in top))
    penultimate = reference.hidden_probabilities(x_fit, first)
    with training.Stopwatch() as greedy_watch:
        for _ in range(UPDOWN["top_epochs"]):
            top = updown.top_cd_epoch(
                penultimate,
                y_fit,
                top,
                batch=UPDOWN["batch"],
                gibbs_steps=UPDOWN["top_gibbs_steps"],
                learning_rate=UPDOWN["top_learning_rate"],
                rng=rng,
            )
    weights = updown.untie([first], top)

    def accuracy(weights, x, y) -> float:
        return float(np.mean(updown.classify(x, weights) == y))

    greedy = weights
    validation = [accuracy(weights, x_validation, y_validation)]
    best, best_epoch = weights, 0
    with training.Stopwatch() as updown_watch:
        for epoch in range(1, UPDOWN["max_epochs"] + 1):
            weights = updown.updown_epoch(
                x_fit,
                y_fit,
                weights,
                batch=UPDOWN["batch"],
                gibbs_steps=UPDOWN["gibbs_steps"],
                learning_rate=UPDOWN["learning_rate"],
                rng=rng,
            )
            validation.append(accuracy(weights, x_validation, y_validation))
            if validation[-1] > validation[best_epoch]:
                best, best_epoch = weights, epoch
    return {
        "greedy_accuracy": accuracy(greedy, *test),
        "updown_accuracy": accuracy(best, *test),
        "best_epoch": best_epoch,
        "validation_accuracy": validation,
        "greedy_seconds": greedy_watch.seconds,
        "updown_seconds": updown_watch.seconds,
    }


def load_split() -> tuple:
    """The chapter's binarised MNIST-5k split, and its validation split."""
    x_train, y_train, x_test, y_test = data.load_mnist5k(seed=SETTINGS["split_seed"])
    binary_train = (x_train.reshape(len(x_train), -1) > 0.5).astype(np.float32)
    binary_test = (x_test.reshape(len(x_test), -1) > 0.5).astype(np.float32)
    split = data.stratified_split(
        binary_train,
        y_train,
        test_fraction=SETTINGS["validation_fraction"],
        seed=SETTINGS["split_seed"],
    )
    return binary_train, y_train, binary_test, y_test, split


def run_seed(seed: int) -> dict:
    """Every model of one seed: accuracies, epochs kept and AIS log-likelihoods."""
    threadpool_limits(limits=1, user_api="blas")
    binary_train, y_train, binary_test, y_test, split = load_split()
    steps = int(np.ceil(len(split.x_train) / SETTINGS["finetune_batch"]))
    training.set_seed(seed)
    rbm1 = train_rbm(binary_train, SETTINGS["rbm_units"], seed)
    hidden1 = rbm1.predict(binary_train, batch_size=1000, verbose=0)
    rbm2 = train_rbm(hidden1, SETTINGS["rbm2_units"], seed + 1)
    pcd_rbm = train_rbm(binary_train, SETTINGS["rbm_units"], seed, persistent=True)
    base_bias = reference.base_rate_visible_bias(binary_train)
    likelihood = {
        name: ais_log_likelihood(rbm, base_bias, binary_test, seed)
        for name, rbm in (("cd1", rbm1), ("pcd1", pcd_rbm))
    }
    networks = {
        "dbn": classifier_from_rbms([rbm1, rbm2], 10, pretrained=True, seed=seed),
        "sigmoid_random": classifier_from_rbms(
            [rbm1, rbm2], 10, pretrained=False, seed=seed
        ),
        "relu_random": relu_mlp(),
    }
    accuracy, epochs, seconds = {}, {}, {}
    for name, model in networks.items():
        with training.Stopwatch() as watch:
            epochs[name] = fine_tune(model, split, steps)
        seconds[name] = watch.seconds
        accuracy[name] = training.accuracy(model, binary_test, y_test)
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
    accuracy["sklearn_pipeline"] = float(
        pipeline.score(sklearn_rbm.transform(binary_test), y_test)
    )
    up_down = updown_run(rbm1, split, (binary_test, y_test), seed)
    up_down["backprop_seconds"] = seconds["dbn"]
    print(seed, accuracy, likelihood, up_down, flush=True)
    return {
        "accuracy": accuracy,
        "epochs": epochs,
        "likelihood": likelihood,
        "updown": up_down,
    }


def main() -> None:
    """Run the seeds in parallel processes (one BLAS thread each); save the results."""
    threadpool_limits(limits=1, user_api="blas")
    binary_train, y_train, binary_test, y_test, _ = load_split()
    raw = LogisticRegression(max_iter=1000, tol=1e-4).fit(binary_train, y_train)
    context = multiprocessing.get_context("spawn")  # no fork of a running TensorFlow
    with ProcessPoolExecutor(len(SEEDS), mp_context=context) as pool:
        runs = list(pool.map(run_seed, SEEDS))
    accuracy = {
        name: [run["accuracy"][name] for run in runs]
        for name in (*NETWORKS, "sklearn_pipeline")
    }
    epochs = {name: [run["epochs"][name] for run in runs] for name in NETWORKS}
    likelihood = {
        name: [run["likelihood"][name] for run in runs] for name in ("cd1", "pcd1")
    }
    results.save(
        "dbn",
        {
            "seeds": list(SEEDS),
            "settings": SETTINGS,
            "test_digits": len(y_test),
            "accuracy": accuracy,
            "best_epoch": epochs,
            "logistic_regression": float(raw.score(binary_test, y_test)),
            "ais": AIS,
            "ais_test_log_likelihood": likelihood,
            "updown_settings": UPDOWN,
            "updown": {
                key: [run["updown"][key] for run in runs] for key in runs[0]["updown"]
            },
        },
        command="make results (or .venv/bin/python results/make_dbn.py)",
        script=__file__,
    )


if __name__ == "__main__":
    main()
