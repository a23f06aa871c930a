"""The log-mel front end against tf.signal, and the gated classifiers' parts
(chapter "Gated networks at work")."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest

from dlcourse.keras_parts import gated_classifiers
from dlcourse.reference import logmel

pytestmark = pytest.mark.gated_uses

RATE = 16000  # samples per second of the test signals


def _signal(samples: int = 4000) -> np.ndarray:
    return np.random.default_rng(0).normal(size=samples)


@pytest.mark.parametrize(("length", "step", "fft"), [(400, 160, 512), (256, 256, 256)])
def test_power_spectrogram_equals_tf_signal(length, step, fft):
    import tensorflow as tf

    signal = _signal()
    ours = logmel.power_spectrogram(signal, length, step, fft)
    theirs = tf.abs(tf.signal.stft(tf.constant(signal), length, step, fft)) ** 2
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-9, atol=1e-9)


def test_mel_filterbank_and_log_mel_equal_tf_signal():
    import tensorflow as tf

    filterbank = logmel.mel_filterbank(20, 257, RATE, 60.0, 7000.0)
    theirs = tf.signal.linear_to_mel_weight_matrix(
        20, 257, RATE, 60.0, 7000.0, tf.float64
    ).numpy()
    np.testing.assert_allclose(filterbank, theirs, atol=1e-12)
    assert np.all(filterbank[0] == 0)  # the DC bin carries no weight
    power = logmel.power_spectrogram(_signal(), 512, 256, 512)
    np.testing.assert_allclose(
        logmel.log_mel(power, filterbank), np.log(power @ theirs + logmel.LOG_FLOOR)
    )


def test_a_pure_tone_lands_in_the_band_around_its_frequency():
    seconds = np.arange(RATE // 4) / RATE
    tone = np.sin(2 * np.pi * 1000.0 * seconds)
    filterbank = logmel.mel_filterbank(16, 257, RATE, 80.0, 7600.0)
    energies = logmel.log_mel(logmel.power_spectrogram(tone, 512, 256, 512), filterbank)
    centres = filterbank.argmax(axis=0) * RATE / 512  # each filter's peak, in Hz
    loudest = energies.mean(axis=0).argmax()
    assert abs(centres[loudest] - 1000.0) < 200.0


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        ({"signal": np.zeros(100), "frame_length": 400}, "`signal`"),
        ({"fft_length": 256}, "`fft_length`"),
        ({"frame_step": 0}, "`frame_step`"),
        ({"signal": np.zeros((2, 4000))}, "`signal`"),
    ],
)
def test_power_spectrogram_refuses_bad_inputs(arguments, words):
    valid = {"signal": _signal(), "frame_length": 400, "frame_step": 160}
    with pytest.raises((TypeError, ValueError), match=words):
        logmel.power_spectrogram(**{**valid, "fft_length": 512, **arguments})


def test_mel_filterbank_and_log_mel_refuse_bad_inputs():
    with pytest.raises(ValueError, match="`upper_hertz`"):
        logmel.mel_filterbank(8, 257, RATE, 4000.0, 1000.0)
    with pytest.raises(ValueError, match="`upper_hertz`"):
        logmel.mel_filterbank(8, 257, RATE, 100.0, 9000.0)  # above Nyquist
    with pytest.raises(ValueError, match="`filterbank`"):
        logmel.log_mel(np.ones((3, 257)), np.ones((256, 8)))
    with pytest.raises(ValueError, match="`power`"):
        logmel.log_mel(-np.ones((3, 257)), np.ones((257, 8)))


def test_gated_classifier_masks_the_padding():
    model = gated_classifiers.gated_classifier("GRU", 2, 3, units=4)
    x = np.random.default_rng(1).normal(size=(2, 5, 2)).astype(np.float32)
    padded = np.concatenate([x, np.zeros((2, 3, 2), np.float32)], axis=1)
    np.testing.assert_allclose(model(x), model(padded), atol=1e-6)
    assert model.output_shape == (None, 3)


def test_train_for_steps_makes_exactly_the_steps_asked_for():
    model = gated_classifiers.gated_classifier("LSTM", 2, 2, units=3)
    x = np.random.default_rng(2).normal(size=(10, 4, 2)).astype(np.float32)
    y = np.arange(10) % 2
    loss = gated_classifiers.train_for_steps(model, x, y, steps=7, batch_size=4, seed=0)
    assert np.isfinite(loss)
    assert int(model.optimizer.iterations.numpy()) == 7
    with pytest.raises(ValueError, match="`x`"):
        gated_classifiers.train_for_steps(
            model, x[:, :, :1], y, steps=1, batch_size=2, seed=0
        )
    with pytest.raises(ValueError, match="`batch_size`"):
        gated_classifiers.train_for_steps(model, x, y, steps=1, batch_size=11, seed=0)
    with pytest.raises(ValueError, match="`layer`"):
        gated_classifiers.gated_classifier("SimpleRNN", 2, 2)


def test_resampled_gestures_are_standardised_with_the_given_scale():
    x = np.zeros((2, 6, 1))
    x[0, :3, 0] = [1.0, 2.0, 3.0]
    x[1, :, 0] = np.arange(6.0)
    out = gated_classifiers.resampled_gestures(
        x, np.array([3, 6]), 5, mean=1.0, spread=2.0
    )
    assert out.shape == (2, 5, 1) and out.dtype == np.float32
    np.testing.assert_allclose(out[0, :, 0], (np.linspace(1, 3, 5) - 1.0) / 2.0)
    with pytest.raises(ValueError, match="`lengths`"):
        gated_classifiers.resampled_gestures(
            x, np.array([0, 6]), 5, mean=0.0, spread=1.0
        )
