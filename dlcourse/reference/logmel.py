"""A speech front end in NumPy: framing, the power spectrum, mel filters, the log.

Introduced in the chapter "Gated networks at work" (``chapters/02c_gated_uses``), where
it turns synthesised spoken words into the log-mel frames a GRU reads, and where it is
checked against ``tf.signal``. ``tools/make_spoken_words.py`` computes the course's
``data/spoken_words.npz`` with these very functions.
"""

from __future__ import annotations

import numpy as np

from dlcourse._checks import checked
from dlcourse.reference import _logmel_checks as checks

#: The floor added to the mel power before the log, so silence gives a finite number.
LOG_FLOOR = 1e-6


def _hertz_to_mel(frequency: np.ndarray) -> np.ndarray:
    """The mel scale of O'Shaughnessy (1987), in the natural-log form tf.signal uses."""
    return 1127.0 * np.log1p(frequency / 700.0)


@checked(checks.power_spectrogram)
def power_spectrogram(
    signal: np.ndarray, frame_length: int, frame_step: int, fft_length: int
) -> np.ndarray:
    """``|FFT(window * frame)|^2`` of every frame: ``(frames, fft_length // 2 + 1)``.

    Args:
        signal: the samples, a 1-D array at least ``frame_length`` long.
        frame_length: samples per frame.
        frame_step: samples between the starts of two frames.
        fft_length: the FFT size, at least ``frame_length`` (frames are zero-padded).
    """
    starts = np.arange(0, len(signal) - frame_length + 1, frame_step)
    frames = signal[starts[:, None] + np.arange(frame_length)]
    n = np.arange(frame_length)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * n / frame_length)  # periodic Hann
    spectrum = np.fft.rfft(frames * window, n=fft_length)
    return np.abs(spectrum) ** 2


@checked(checks.mel_filterbank)
def mel_filterbank(
    mel_bins: int,
    spectrogram_bins: int,
    sample_rate: float,
    lower_hertz: float,
    upper_hertz: float,
) -> np.ndarray:
    """Triangular filters, evenly spaced in mel: ``(spectrogram_bins, mel_bins)``.

    Filter m rises from edge m to its centre m + 1 and falls to edge m + 2, the
    ``mel_bins + 2`` edges evenly spaced in mel between the two limits. The DC bin
    gets no weight.

    Args:
        mel_bins: the number of filters.
        spectrogram_bins: ``fft_length // 2 + 1``.
        sample_rate: samples per second of the signal.
        lower_hertz: the lowest edge.
        upper_hertz: the highest edge, at most the Nyquist frequency.
    """
    bin_hertz = np.linspace(0.0, sample_rate / 2, spectrogram_bins)[1:]
    bin_mel = _hertz_to_mel(bin_hertz)[:, None]
    edges = np.linspace(
        _hertz_to_mel(lower_hertz), _hertz_to_mel(upper_hertz), mel_bins + 2
    )
    lower, centre, upper = edges[:-2], edges[1:-1], edges[2:]
    rising = (bin_mel - lower) / (centre - lower)
    falling = (upper - bin_mel) / (upper - centre)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return np.vstack([np.zeros((1, mel_bins)), weights])  # no weight on the DC bin


@checked(checks.log_mel)
def log_mel(power: np.ndarray, filterbank: np.ndarray) -> np.ndarray:
    """log(power @ filterbank + floor): ``(frames, mel_bins)``.

    Args:
        power: a power spectrogram, ``(frames, spectrogram_bins)``.
        filterbank: from :func:`mel_filterbank`, ``(spectrogram_bins, mel_bins)``.
    """
    return np.log(power @ filterbank + LOG_FLOOR)
