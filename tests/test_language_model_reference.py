"""The language-model chapter's NumPy cores against Keras, the n-gram's per-character
bits, the Keras parts, and the errors for bad inputs."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dlcourse.keras_parts import language_model as parts  # noqa: E402
from dlcourse.reference import language_model as lm  # noqa: E402
from dlcourse.reference import ngram  # noqa: E402

pytestmark = pytest.mark.language_model


def test_bits_per_character_is_keras_cross_entropy_in_bits():
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=3.0, size=(4, 7, 11)).astype(np.float32)
    targets = rng.integers(0, 11, size=(4, 7))
    nats = keras.ops.convert_to_numpy(
        keras.losses.sparse_categorical_crossentropy(targets, logits, from_logits=True)
    )
    assert abs(lm.bits_per_character(logits, targets) - nats.mean() / np.log(2)) < 1e-5
    surprise = lm.surprise_bits(logits, targets)
    assert surprise.shape == (4, 7) and np.allclose(
        surprise, nats / np.log(2), atol=1e-5
    )


def test_uniform_logits_cost_log2_of_the_alphabet_and_perplexity_is_its_size():
    bits = lm.bits_per_character(np.zeros((3, 16)), np.array([0, 5, 15]))
    assert abs(bits - 4.0) < 1e-12
    assert abs(lm.perplexity(bits) - 16.0) < 1e-9


def test_temperature_probabilities_are_keras_softmax_of_scaled_logits():
    logits = np.random.default_rng(1).normal(size=(5, 9))
    for temperature in (0.3, 1.0, 2.5):
        expected = keras.ops.convert_to_numpy(keras.ops.softmax(logits / temperature))
        got = lm.temperature_probabilities(logits, temperature)
        assert np.allclose(got, expected, atol=1e-6)


def test_low_temperature_is_greedy_and_high_temperature_is_uniform():
    logits = np.random.default_rng(2).normal(size=(6, 8))
    cold = lm.temperature_probabilities(logits, 0.01)
    assert np.array_equal(cold.argmax(-1), logits.argmax(-1)) and cold.max() > 0.99
    hot = lm.temperature_probabilities(logits, 1000.0)
    assert np.allclose(hot, 1 / 8, atol=1e-3)


def test_the_sampler_draws_with_the_tempered_frequencies():
    rng = np.random.default_rng(3)
    logits = np.tile([[2.0, 0.0, -1.0, 1.0]], (40_000, 1))
    draws = lm.sample_with_temperature(logits, 0.7, rng.random(40_000))
    frequencies = np.bincount(draws, minlength=4) / len(draws)
    assert np.allclose(
        frequencies, lm.temperature_probabilities(logits[0], 0.7), atol=0.01
    )
    assert draws.dtype.kind == "i"


def test_ngram_surprise_averages_to_its_bits_per_character():
    rng = np.random.default_rng(4)
    train, test = rng.integers(0, 5, 300), rng.integers(0, 5, 80)
    for order in range(4):
        surprise = ngram.ngram_surprise_bits(train, test, order, 5)
        assert surprise.shape == (80 - order,)
        mean = ngram.ngram_bits_per_character(train, test, order, 5)
        assert abs(surprise.mean() - mean) < 1e-12


@pytest.mark.parametrize(
    ("function", "arguments", "error", "words"),
    [
        (
            lm.bits_per_character,
            (np.zeros((2, 3)), np.array([0, 3])),
            ValueError,
            "targets",
        ),
        (lm.bits_per_character, (np.zeros((2, 3)), np.array([0])), ValueError, "shape"),
        (
            lm.bits_per_character,
            (np.zeros((2, 1)), np.array([0, 0])),
            ValueError,
            "logits",
        ),
        (lm.perplexity, (-1.0,), ValueError, "bits"),
        (lm.perplexity, ("2",), TypeError, "bits"),
        (lm.temperature_probabilities, (np.zeros(3), 0.0), ValueError, "temperature"),
        (
            lm.sample_with_temperature,
            (np.zeros((2, 3)), 1.0, np.array([0.5, 1.0])),
            ValueError,
            "uniform",
        ),
        (
            lm.sample_with_temperature,
            (np.zeros((2, 3)), 1.0, np.array([0.5])),
            ValueError,
            "uniform",
        ),
    ],
)
def test_bad_inputs_are_refused_naming_the_parameter(function, arguments, error, words):
    with pytest.raises(error, match=words):
        function(*arguments)


def test_the_keras_model_windows_and_sampler_fit_together():
    keras.utils.set_random_seed(0)
    model = parts.char_language_model(6, 4, 3)
    codes = np.arange(60) % 6
    inputs, targets = parts.training_windows(codes, 5, 7, np.random.default_rng(0))
    assert inputs.shape == targets.shape == (7, 5)
    assert np.array_equal(inputs[:, 1:], targets[:, :-1])
    logits, held_targets = parts.held_out_logits(model, codes, 3)
    assert logits.shape == (3, 19, 6) and held_targets.shape == (3, 19)
    written = parts.sample_text(
        model, np.array([1, 2]), np.array([0.5, 1.5]), 4, np.random.default_rng(0)
    )
    assert written.shape == (2, 4) and written.min() >= 0 and written.max() < 6
    with pytest.raises(TypeError, match="model"):
        parts.held_out_logits("model", codes, 3)
    with pytest.raises(ValueError, match="temperatures"):
        parts.sample_text(
            model, np.array([1]), np.array([0.0]), 4, np.random.default_rng(0)
        )


def test_the_recorder_keeps_the_weights_of_the_lowest_validation_rate():
    keras.utils.set_random_seed(0)
    model = parts.char_language_model(6, 8, 3)
    model.compile(
        optimizer=keras.optimizers.Adam(0.05),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    codes = np.arange(300) % 6
    inputs, targets = parts.training_windows(codes, 8, 64, np.random.default_rng(0))
    recorder = parts.learning_recorder(
        validation_codes=codes[:60],
        pieces=2,
        every=2,
        sample_at=(),
        prompt_codes=np.array([0]),
        temperatures=(1.0,),
        sample_length=3,
        seed=0,
    )
    model.fit(inputs, targets, batch_size=8, verbose=0, callbacks=[recorder])
    best = int(np.argmin(recorder.bits))
    assert recorder.best_step == recorder.steps[best]
    assert recorder.best_bits == min(recorder.bits)
    model.set_weights(recorder.best_weights)
    logits, held_targets = parts.held_out_logits(model, codes[:60], 2)
    assert np.isclose(lm.bits_per_character(logits, held_targets), recorder.best_bits)
