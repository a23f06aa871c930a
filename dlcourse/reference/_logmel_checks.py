"""The argument checks of :mod:`dlcourse.reference.logmel`, out of the cores.

Each validator receives a core's arguments by name, raises ``TypeError`` or
``ValueError`` naming the parameter, what was expected and what was given, and returns
the arguments converted to NumPy.
"""

from __future__ import annotations

from typing import Any

from dlcourse._checks import check_allocation, check_array, check_float, check_int

#: The longest frame and FFT the reference accepts (samples).
MAX_FRAME = 1 << 16
#: The most mel filters the reference builds.
MAX_MEL_BINS = 512


def power_spectrogram(
    signal: Any, frame_length: Any, frame_step: Any, fft_length: Any
) -> dict[str, Any]:
    frame_length = check_int("frame_length", frame_length, minimum=2, maximum=MAX_FRAME)
    frame_step = check_int("frame_step", frame_step, minimum=1, maximum=MAX_FRAME)
    fft_length = check_int(
        "fft_length", fft_length, minimum=frame_length, maximum=MAX_FRAME
    )
    signal = check_array("signal", signal, ndim=1)
    if len(signal) < frame_length:
        raise ValueError(
            f"`signal` must hold at least `frame_length` ({frame_length}) samples, "
            f"got {len(signal)}"
        )
    frames = 1 + (len(signal) - frame_length) // frame_step
    check_allocation(("signal", "frame_step", "fft_length"), (frames, fft_length))
    return {
        "signal": signal,
        "frame_length": frame_length,
        "frame_step": frame_step,
        "fft_length": fft_length,
    }


def mel_filterbank(
    mel_bins: Any,
    spectrogram_bins: Any,
    sample_rate: Any,
    lower_hertz: Any,
    upper_hertz: Any,
) -> dict[str, Any]:
    mel_bins = check_int("mel_bins", mel_bins, minimum=1, maximum=MAX_MEL_BINS)
    spectrogram_bins = check_int(
        "spectrogram_bins", spectrogram_bins, minimum=3, maximum=MAX_FRAME // 2 + 1
    )
    sample_rate = check_float("sample_rate", sample_rate, minimum=1.0, maximum=1e6)
    nyquist = sample_rate / 2
    lower_hertz = check_float("lower_hertz", lower_hertz, minimum=0.0, maximum=nyquist)
    upper_hertz = check_float("upper_hertz", upper_hertz, minimum=0.0, maximum=nyquist)
    if upper_hertz <= lower_hertz:
        raise ValueError(
            f"`upper_hertz` must be above `lower_hertz` ({lower_hertz}), "
            f"got {upper_hertz}"
        )
    return {
        "mel_bins": mel_bins,
        "spectrogram_bins": spectrogram_bins,
        "sample_rate": sample_rate,
        "lower_hertz": lower_hertz,
        "upper_hertz": upper_hertz,
    }


def log_mel(power: Any, filterbank: Any) -> dict[str, Any]:
    power = check_array("power", power, ndim=2)
    filterbank = check_array("filterbank", filterbank, ndim=2)
    if power.shape[1] != filterbank.shape[0]:
        raise ValueError(
            f"`filterbank` must have one row per column of `power` ({power.shape[1]}), "
            f"got shape {filterbank.shape}"
        )
    if power.min() < 0:
        raise ValueError("`power` must not be negative (it is a squared magnitude)")
    return {"power": power, "filterbank": filterbank}
