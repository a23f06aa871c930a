"""The sequence-models cores: NumPy against Keras, and what each core promises."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import numpy as np
import pytest

from dlcourse.keras_parts import sequence_models
from dlcourse.reference import generation
from dlcourse.reference.rnn import JordanWeights
from dlcourse.synthetic import orbit

pytestmark = pytest.mark.sequence_models

K = 3


def _outputs(rng, shape):
    return rng.normal(size=(*shape, generation.mixture_size(K)))


def test_mixture_nll_matches_keras_and_a_direct_sum():
    rng = np.random.default_rng(0)
    outputs = _outputs(rng, (4, 6))
    movements = rng.normal(size=(4, 6, 2))
    stops = (rng.random((4, 6)) < 0.2).astype(float)
    numpy_nll = generation.mixture_nll(outputs, movements, stops, K)
    keras_nll = keras.ops.convert_to_numpy(
        sequence_models.mixture_nll(
            outputs.astype("float32"),
            movements.astype("float32"),
            stops.astype("float32"),
            K,
        )
    )
    assert np.max(np.abs(numpy_nll - keras_nll)) < 1e-4
    # A direct density: weights times Gaussian densities, summed, then the stop term.
    mix = generation.split_mixture(outputs, K)
    z = (movements[..., None, :] - mix.means) / mix.scales
    density = np.exp(-0.5 * np.sum(z**2, axis=-1)) / (
        2 * np.pi * np.prod(mix.scales, axis=-1)
    )
    q = 1 / (1 + np.exp(-mix.stop_logit))
    direct = -np.log(np.sum(np.exp(mix.log_weights) * density, axis=-1)) - np.log(
        np.where(stops == 1, q, 1 - q)
    )
    np.testing.assert_allclose(numpy_nll, direct, atol=1e-10)


def test_sampling_with_a_large_bias_follows_the_most_likely_component():
    rng = np.random.default_rng(1)
    outputs = _outputs(rng, (200,))
    outputs[:, :K] = [5.0, 0.0, 0.0]
    draw = generation.sample_mixture(outputs, K, rng, bias=10.0)
    means = generation.split_mixture(outputs, K).means[:, 0]
    assert np.max(np.abs(draw.movement - means)) < 0.01
    assert set(np.unique(draw.stop)) <= {0.0, 1.0}


def test_teacher_forcing_inputs_shift_by_one_step():
    targets = np.arange(12.0).reshape(1, 6, 2)
    inputs = generation.teacher_forcing_inputs(targets)
    np.testing.assert_array_equal(inputs[0, 0], [0, 0])
    np.testing.assert_array_equal(inputs[0, 1:], targets[0, :-1])


def test_jordan_pair_matches_the_numpy_cores():
    pair = sequence_models.jordan_pair(8, 2)
    paths = orbit.orbits(3, 10, seed=0).observed
    teacher = keras.ops.convert_to_numpy(pair.teacher_forced(paths[:, :-1]))
    free = keras.ops.convert_to_numpy(
        pair.free_running([paths[:, 0], np.zeros((3, 10, 1), "float32")])
    )
    weights = JordanWeights(*[w.astype(np.float64) for w in pair.cell.get_weights()])
    assert (
        np.max(
            np.abs(teacher - generation.teacher_forced_jordan(paths[:, :-1], weights))
        )
        < 1e-5
    )
    assert (
        np.max(np.abs(free - generation.free_running_jordan(paths[:, 0], weights, 10)))
        < 1e-5
    )
    # Fed its own first output, the teacher-forced step is the free-running one.
    np.testing.assert_allclose(
        generation.teacher_forced_jordan(paths[:, :1], weights)[:, 0],
        generation.free_running_jordan(paths[:, 0], weights, 1)[:, 0],
    )


def test_baseline_fits_each_class_and_step():
    movements = np.zeros((4, 3, 2))
    movements[:2, :, 0] = [[1, 2, 0], [3, 4, 0]]
    movements[2:, :, 1] = 5.0
    lengths = np.array([2, 2, 3, 3])
    labels = np.array([0, 0, 1, 1])
    outputs = generation.step_gaussian_outputs(movements, lengths, labels, 2)
    assert outputs.shape == (2, 3, 6)
    np.testing.assert_allclose(outputs[0, 0, 1:3], [2.0, 0.0])
    np.testing.assert_allclose(outputs[0, 2], outputs[0, 1])  # past the longest
    np.testing.assert_allclose(outputs[1, :, 2], 5.0)


def test_generator_targets_and_generation():
    strokes = np.ones((2, 5, 2))
    targets = sequence_models.generator_targets(strokes, np.array([3, 5]))
    np.testing.assert_array_equal(targets[:, :, 2], [[0, 0, 1, 0, 0], [0, 0, 0, 0, 1]])
    np.testing.assert_array_equal(targets[0, :, 3], [1, 1, 1, 0, 0])
    np.testing.assert_array_equal(targets[0, 3:, :2], 0)
    model = sequence_models.pen_generator(3, units=4, components=2)
    drawn = sequence_models.generate_strokes(model, [0, 1, 2], 3, 2, steps=6)
    assert drawn.movements.shape == (3, 6, 2) and drawn.mixtures.shape == (3, 6, 11)
    for row, length in enumerate(drawn.lengths):
        assert np.all(drawn.movements[row, length:] == 0)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (
            lambda: generation.mixture_nll(
                np.zeros((2, 7)), np.zeros((2, 2)), [0, 0], 2
            ),
            "outputs",
        ),
        (
            lambda: generation.mixture_nll(
                np.zeros((2, 11)), np.zeros((2, 3)), [0, 0], 2
            ),
            "movements",
        ),
        (
            lambda: generation.mixture_nll(
                np.zeros((2, 11)), np.zeros((2, 2)), [0, 2], 2
            ),
            "stops",
        ),
        (lambda: generation.sample_mixture(np.zeros((2, 11)), 2, 0), "rng"),
        (lambda: generation.teacher_forcing_inputs(np.zeros((2, 3))), "targets"),
        (
            lambda: generation.free_running_jordan(np.zeros((1, 2)), [1, 2], 3),
            "weights",
        ),
        (
            lambda: sequence_models.generator_targets(np.zeros((2, 3, 2)), [0, 9]),
            "lengths",
        ),
        (lambda: orbit.orbits(0, 5), "count"),
    ],
)
def test_bad_inputs_name_the_parameter(call, words):
    with pytest.raises((TypeError, ValueError), match=words):
        call()
