"""Chapter 5's ``ClosedFormModule`` trained by ``fit`` under a distribution strategy.

The closed form needs only the sums H^T H and H^T T, so ``fit`` on two replicas must
give the same upper weights (and the same refined lower weights) as ``fit`` on one
device. A child process splits the CPU into two logical devices (TensorFlow allows
that only before it has run anything, and it would change every other test's devices),
fits the module on one device and under ``tf.distribute.MirroredStrategy``, and
reports the weights as JSON.

``keras.distribution.DataParallel`` is tried as well. With the TensorFlow backend of
the pinned Keras it is accepted but distributes nothing: the variables stay ordinary
single-device variables and ``fit`` runs on one device (Keras's distribution guide
lists JAX and PyTorch as the supported backends, TensorFlow as in development). The
test pins that down, so that the docstrings stay true: if a future Keras shards on
TensorFlow, the last test fails and should become an equality under sharding.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.dsn, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
TOLERANCE = 1e-5  # the course's tolerance between two implementations
SAMPLES = 233.0  # the child's training set

CHILD = r"""
import json, os
import numpy as np
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration()] * 2
)
tf.get_logger().setLevel("ERROR")
import keras

from dlcourse.keras_parts import dsn as dsn_keras
from dlcourse.reference import dsn as reference

SAMPLES, INPUTS, UNITS, CLASSES = 233, 6, 8, 3
# 233 = 5 * 46 + 3: a short last batch, split 2 + 1 between the replicas. The first
# batch must split evenly: Keras averages its two halves to build the model.
BATCH = 46

rng = np.random.default_rng(11)
x = rng.random((SAMPLES, INPUTS))
targets = reference.one_hot(rng.integers(0, CLASSES, size=SAMPLES), CLASSES)
CASES = {
    "solve_float64": dict(dtype="float64"),
    "solve_float32": dict(dtype="float32"),
    "refine_float64": dict(dtype="float64", refine_steps=2, learning_rate=4.0),
}


def make(case):
    return dsn_keras.ClosedFormModule(
        INPUTS, UNITS, CLASSES, lam=0.4, seed=3, **CASES[case]
    )


def fit(model):
    dtype = model.module.kernel.dtype
    data = (x.astype(dtype), targets.astype(dtype))
    model.fit(
        *data, batch_size=BATCH, epochs=model.epochs_needed,
        callbacks=[dsn_keras.SolveAtEpochEnd()], shuffle=False, verbose=0,
    )
    weights = [np.asarray(w, np.float64).tolist() for w in model.module.get_weights()]
    copies = getattr(model.samples.value, "values", [model.samples.value])
    return {
        "weights": weights,
        "samples": float(keras.ops.convert_to_numpy(model.samples)),
        "samples_per_copy": [float(np.asarray(copy)) for copy in copies],
        "gram_type": type(model.gram.value).__name__,
        "kernel_type": type(model.module.kernel.value).__name__,
        "kernel_device": model.module.kernel.value.device,
    }


report = {"devices": len(tf.config.list_logical_devices("CPU")), "cases": {}}
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
report["replicas"] = strategy.num_replicas_in_sync
for case in CASES:
    single = make(case)
    single.compile()
    with strategy.scope():
        mirrored = make(case)
        mirrored.compile()
    report["cases"][case] = {"single": fit(single), "mirrored": fit(mirrored)}

keras.distribution.set_distribution(
    keras.distribution.DataParallel(devices=keras.distribution.list_devices("cpu"))
)
data_parallel = make("solve_float64")
data_parallel.compile()
report["data_parallel"] = fit(data_parallel)
print("REPORT" + json.dumps(report))
"""


@pytest.fixture(scope="module")
def report() -> dict:
    environment = {
        **os.environ,
        "KERAS_BACKEND": "tensorflow",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "TF_ENABLE_ONEDNN_OPTS": "0",
    }
    finished = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    line = [row for row in finished.stdout.splitlines() if row.startswith("REPORT")]
    assert line, finished.stdout[-3000:]
    return json.loads(line[-1][len("REPORT") :])


def _largest_gap(first: list, second: list) -> float:
    return max(
        float(np.max(np.abs(np.asarray(a) - np.asarray(b))))
        for a, b in zip(first, second, strict=True)
    )


def test_the_child_runs_two_replicas(report):
    assert report["devices"] == 2 and report["replicas"] == 2


@pytest.mark.parametrize("case", ["solve_float64", "solve_float32", "refine_float64"])
def test_mirrored_fit_gives_the_single_device_weights(report, case):
    single, mirrored = (report["cases"][case][k] for k in ("single", "mirrored"))
    assert mirrored["samples"] == single["samples"] == SAMPLES
    assert _largest_gap(single["weights"], mirrored["weights"]) <= TOLERANCE


@pytest.mark.parametrize("case", ["solve_float64", "refine_float64"])
def test_each_replica_sees_only_its_part_of_every_batch(report, case):
    mirrored = report["cases"][case]["mirrored"]
    copies = mirrored["samples_per_copy"]
    assert mirrored["gram_type"] == "SyncOnReadVariable"
    assert mirrored["kernel_type"] == "MirroredVariable"
    assert len(copies) == 2 and all(0 < part < SAMPLES for part in copies)
    assert sum(copies) == SAMPLES


def test_refinement_moves_the_lower_weights_identically(report):
    case = report["cases"]["refine_float64"]
    start = report["cases"]["solve_float64"]["single"]["weights"][0]
    refined = case["mirrored"]["weights"][0]
    assert _largest_gap([start], [refined]) > 1e-3  # the steps did move W
    assert _largest_gap([case["single"]["weights"][0]], [refined]) <= TOLERANCE


def test_data_parallel_on_tensorflow_runs_on_one_device(report):
    data_parallel = report["data_parallel"]
    single = report["cases"]["solve_float64"]["single"]
    assert _largest_gap(single["weights"], data_parallel["weights"]) <= TOLERANCE
    # Not sharded: plain variables on the first device, one copy of the sums.
    assert data_parallel["kernel_type"] == "ResourceVariable"
    assert data_parallel["kernel_device"].endswith("CPU:0")
    assert data_parallel["samples_per_copy"] == [SAMPLES]
