"""Several seeds of the sequence-models chapter's two experiments.

Writes ``results/01b_sequence_models.json``:

* **teacher forcing against free running**: a Jordan network
  (``dlcourse.keras_parts.sequence_models.jordan_pair``) trained on noisy observed
  orbits (``dlcourse.synthetic.orbit``) either way, for each seed in ``SEEDS``; for
  each, the one-step error with true inputs and the error along a free-running
  rollout of ``HORIZON`` steps, both against the clean curve of held-out orbits;
* **the pen-stroke generator**: the letter-conditioned GRU with a mixture-density
  output, trained at the chapter's full scale for each seed; its held-out negative
  log-likelihood per step beside the one-Gaussian-per-step baseline, and the share of
  sampled letters that a classifier trained on real strokes recognises, at each
  sampling bias in ``BIASES``.

Run ``.venv/bin/python results/make_01b_sequence_models.py``; it takes about four
minutes of processor time on two cores.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from dlcourse import results, training  # noqa: E402
from dlcourse.keras_parts import sequence_classifiers as classifiers  # noqa: E402
from dlcourse.keras_parts import sequence_models  # noqa: E402
from dlcourse.reference import generation  # noqa: E402
from dlcourse.synthetic import orbit, pen  # noqa: E402

#: The seeds of the data, the initial weights and the batch order: five for the cheap
#: Jordan experiment, the first three for the pen generator.
SEEDS, PEN_SEEDS = (0, 1, 2, 3, 4), (0, 1, 2)
#: Jordan experiment: training orbits, steps per orbit, hidden units, epochs, batch.
ORBITS, ORBIT_STEPS, JORDAN_UNITS, JORDAN_EPOCHS, JORDAN_BATCH = 640, 40, 32, 30, 64
#: Held-out orbits and the length of their free-running rollout.
TEST_ORBITS, HORIZON = 50, 100
#: The seed of the held-out orbits (apart from every training seed).
TEST_SEED = 1000
#: Pen generator at the chapter's full scale: samples per letter, epochs, batch size.
PER_LETTER, PEN_EPOCHS, PEN_BATCH = 200, 60, 32
#: GRU units and mixture components of the generator; pen movements are scaled by
#: PEN_SCALE (about unit size), as in the recurrent-network chapter.
PEN_UNITS, COMPONENTS, PEN_SCALE = 64, 5, 5.0
#: Epochs of the recognising classifier (the recurrent-network chapter's Elman network).
CLASSIFIER_EPOCHS = 15
#: Sampling biases at which generated letters are recognised; samples per letter.
BIASES, SAMPLES_PER_LETTER = (0.0, 1.0, 2.0), 20


def jordan_run(seed: int) -> dict:
    """Train both ways from the same start; errors against the clean held-out curve."""
    paths = orbit.orbits(ORBITS, ORBIT_STEPS, seed=seed).observed
    test = orbit.orbits(TEST_ORBITS, HORIZON, noise=0.0, seed=TEST_SEED).clean
    record = {}
    for mode in ("teacher_forced", "free_running"):
        training.set_seed(seed)
        pair = sequence_models.jordan_pair(JORDAN_UNITS, 2)
        if mode == "teacher_forced":
            x = paths[:, :-1]
            model = pair.teacher_forced
        else:
            x = [paths[:, 0], np.zeros((ORBITS, ORBIT_STEPS, 1), np.float32)]
            model = pair.free_running
        model.fit(
            x, paths[:, 1:], epochs=JORDAN_EPOCHS, batch_size=JORDAN_BATCH, verbose=0
        )
        weights = [w.astype(np.float64) for w in pair.cell.get_weights()]
        one_step = generation.teacher_forced_jordan(test[:, :-1], weights)
        rollout = generation.free_running_jordan(test[:, 0], weights, HORIZON)
        record[mode] = {
            "one_step_error": float(
                np.linalg.norm(one_step - test[:, 1:], axis=-1).mean()
            ),
            "rollout_error": np.linalg.norm(rollout - test[:, 1:], axis=-1)
            .mean(axis=0)
            .tolist(),
        }
        print(seed, mode, record[mode]["one_step_error"], flush=True)
    return record


def masked_mean(values: np.ndarray, mask: np.ndarray) -> float:
    """The mean of ``values`` over the real (unpadded) steps."""
    return float((values * mask).sum() / mask.sum())


def pen_run(seed: int) -> dict:
    """Train the generator and the classifier; score held-out strokes and samples."""
    strokes = pen.pen_trajectories(PER_LETTER, seed=seed)
    classes = len(pen.LETTERS)
    x_train, x_test = strokes.x_train * PEN_SCALE, strokes.x_test * PEN_SCALE
    training.set_seed(seed)
    model = sequence_models.pen_generator(
        classes, units=PEN_UNITS, components=COMPONENTS
    )
    training.fit(
        model,
        sequence_models.generator_inputs(x_train, strokes.y_train, classes),
        sequence_models.generator_targets(x_train, strokes.lengths_train),
        epochs=PEN_EPOCHS,
        batch_size=PEN_BATCH,
        progress=False,
    )
    targets = sequence_models.generator_targets(x_test, strokes.lengths_test)
    outputs = keras.ops.convert_to_numpy(
        model(sequence_models.generator_inputs(x_test, strokes.y_test, classes))
    )
    mask = targets[..., 3]
    nll = generation.mixture_nll(outputs, targets[..., :2], targets[..., 2], COMPONENTS)
    baseline = generation.step_gaussian_outputs(
        x_train, strokes.lengths_train, strokes.y_train, classes
    )[strokes.y_test]
    baseline_nll = generation.mixture_nll(
        baseline, targets[..., :2], targets[..., 2], 1
    )
    classifier = classifiers.sequence_classifier("elman", 2, classes)
    training.fit(
        classifier,
        x_train,
        strokes.y_train,
        epochs=CLASSIFIER_EPOCHS,
        batch_size=64,
        progress=False,
    )
    labels = np.repeat(np.arange(classes), SAMPLES_PER_LETTER)
    recognised = {}
    for bias in BIASES:
        drawn = sequence_models.generate_strokes(
            model, labels, classes, COMPONENTS, bias=bias, seed=seed
        )
        recognised[str(bias)] = training.accuracy(
            classifier, drawn.movements.astype(np.float32), labels
        )
    record = {
        "generator_nll": masked_mean(nll, mask),
        "baseline_nll": masked_mean(baseline_nll, mask),
        "real_accuracy": training.accuracy(classifier, x_test, strokes.y_test),
        "recognised": recognised,
    }
    print(seed, record, flush=True)
    return record


def main() -> None:
    """Run both experiments for every seed and save them."""
    jordan = [jordan_run(seed) for seed in SEEDS]
    pens = [pen_run(seed) for seed in PEN_SEEDS]
    results.save(
        "01b_sequence_models",
        {
            "seeds": list(SEEDS),
            "pen_seeds": list(PEN_SEEDS),
            "jordan": {
                "settings": {
                    "orbits": ORBITS,
                    "orbit_steps": ORBIT_STEPS,
                    "units": JORDAN_UNITS,
                    "epochs": JORDAN_EPOCHS,
                    "batch_size": JORDAN_BATCH,
                    "horizon": HORIZON,
                },
                "teacher_forced": [run["teacher_forced"] for run in jordan],
                "free_running": [run["free_running"] for run in jordan],
            },
            "pen": {
                "settings": {
                    "per_letter": PER_LETTER,
                    "epochs": PEN_EPOCHS,
                    "batch_size": PEN_BATCH,
                    "units": PEN_UNITS,
                    "components": COMPONENTS,
                    "classifier_epochs": CLASSIFIER_EPOCHS,
                    "samples_per_letter": SAMPLES_PER_LETTER,
                },
                "biases": list(BIASES),
                "runs": pens,
            },
        },
        command=".venv/bin/python results/make_01b_sequence_models.py",
        script=__file__,
    )


if __name__ == "__main__":
    main()
