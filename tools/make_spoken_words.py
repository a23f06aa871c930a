"""Synthesise the spoken digits "zero" to "nine" and keep their log-mel frames.

Writes ``data/spoken_words.npz`` (no pickles), the data of the chapter "Gated networks
at work". Every word is spoken by Debian's ``espeak-ng`` synthesiser in two accents
(``en-us``, ``en-gb``) and in each of the ``VARIANTS`` (espeak-ng's own voice variants:
male, female, Klatt-synthesised, croaky, whispered ...), twice, at a speed and pitch
drawn from ``SPEEDS`` and ``PITCHES`` with a fixed seed. A voice is one variant in both
accents; the ``HELD_OUT`` voices are kept for testing, so that the test is on unheard
voices. Each clip is trimmed of its silence and turned into log-mel frames with
:mod:`dlcourse.reference.logmel`; the frames are stored as float16, one block after the
other, with each clip's length.

espeak-ng is needed only to regenerate the file (``apt-get install espeak-ng``), never
to run the course. Run ``.venv/bin/python tools/make_spoken_words.py``, then record the
printed SHA-256 in ``dlcourse/data.py`` (``KNOWN_SHA256["course/spoken_words.npz"]``).
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from dlcourse.reference import logmel  # noqa: E402

OUTPUT = ROOT / "data" / "spoken_words.npz"
WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
ACCENTS = ("en-us", "en-gb")
#: espeak-ng's voice variants, one "voice" each (in both accents).
VARIANTS = (
    "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1",
    "f2", "f3", "f4", "f5", "klatt", "klatt2", "croak", "whisper",
)  # fmt: skip
#: The voices never heard in training: two male, a female, one Klatt voice.
HELD_OUT = ("m6", "m7", "f4", "klatt2")
SPEEDS = (140, 170, 200)  # words per minute
PITCHES = (30, 50, 70)  # espeak-ng's pitch, 0-99
TAKES = 2  # clips of every word by every voice in every accent
SEED = 0  # of the speeds and pitches drawn
SAMPLE_RATE = 22050  # espeak-ng's output rate
FRAME_LENGTH = 512  # 23 ms
FRAME_STEP = 441  # 20 ms
FFT_LENGTH = 512
MEL_BINS = 16
LOWER_HERTZ, UPPER_HERTZ = 80.0, 7600.0
SILENCE = 0.02  # samples below this share of the clip's peak count as silence


def espeak_version() -> str:
    return subprocess.run(
        ["espeak-ng", "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()


def speak(word: str, voice: str, speed: int, pitch: int) -> np.ndarray:
    """The samples of one spoken word, as floats in [-1, 1]."""
    command = ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout"]
    audio = subprocess.run([*command, word], capture_output=True, check=True).stdout
    with wave.open(io.BytesIO(audio)) as clip:
        assert clip.getframerate() == SAMPLE_RATE, clip.getframerate()
        samples = np.frombuffer(clip.readframes(clip.getnframes()), dtype=np.int16)
    return samples.astype(np.float64) / 32768.0


def trim(samples: np.ndarray) -> np.ndarray:
    loud = np.flatnonzero(np.abs(samples) > SILENCE * np.abs(samples).max())
    return samples[loud[0] : loud[-1] + 1]


def main() -> None:
    rng = np.random.default_rng(SEED)
    filterbank = logmel.mel_filterbank(
        MEL_BINS, FFT_LENGTH // 2 + 1, SAMPLE_RATE, LOWER_HERTZ, UPPER_HERTZ
    )
    blocks, lengths, words, voices, speeds, pitches = [], [], [], [], [], []
    for voice_index, variant in enumerate(VARIANTS):
        for accent in ACCENTS:
            for word_index, word in enumerate(WORDS):
                for _ in range(TAKES):
                    speed, pitch = int(rng.choice(SPEEDS)), int(rng.choice(PITCHES))
                    samples = trim(speak(word, f"{accent}+{variant}", speed, pitch))
                    power = logmel.power_spectrogram(
                        samples, FRAME_LENGTH, FRAME_STEP, FFT_LENGTH
                    )
                    blocks.append(logmel.log_mel(power, filterbank))
                    lengths.append(len(power))
                    words.append(word_index)
                    voices.append(voice_index)
                    speeds.append(speed)
                    pitches.append(pitch)
    np.savez_compressed(
        OUTPUT,
        frames=np.concatenate(blocks).astype(np.float16),
        lengths=np.array(lengths, dtype=np.int16),
        word=np.array(words, dtype=np.int8),
        voice=np.array(voices, dtype=np.int8),
        speed=np.array(speeds, dtype=np.int16),
        pitch=np.array(pitches, dtype=np.int8),
        words=np.array(WORDS),
        voices=np.array(VARIANTS),
        held_out=np.array([variant in HELD_OUT for variant in VARIANTS]),
        accents=np.array(ACCENTS),
        synthesiser=np.array(espeak_version()),
        settings=np.array(
            [SAMPLE_RATE, FRAME_LENGTH, FRAME_STEP, FFT_LENGTH, MEL_BINS],
            dtype=np.int32,
        ),
        band_hertz=np.array([LOWER_HERTZ, UPPER_HERTZ]),
    )
    digest = hashlib.sha256(OUTPUT.read_bytes()).hexdigest()
    print(
        f"{len(lengths)} clips, {sum(lengths)} frames (lengths {min(lengths)}-"
        f"{max(lengths)}), {OUTPUT.stat().st_size:,} bytes"
    )
    print(f"SHA-256 {digest}")


if __name__ == "__main__":
    main()
