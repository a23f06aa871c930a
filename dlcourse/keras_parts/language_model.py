"""The character-level language model of the language-model chapter, its training
windows and the callback that watches it learn.

:func:`char_language_model` is an embedding, a GRU and a dense layer of next-character
logits (Functional API). :func:`training_windows` cuts random windows from a coded text
for teacher forcing: the input is a window, the target the same window one character
later. ``LearningRecorder`` measures the held-out code length every few steps and
writes samples at several temperatures with the NumPy references, so the chapter can
show the model learning.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from dlcourse._checks import check_array, check_int
from dlcourse.reference import gru as reference_gru
from dlcourse.reference import language_model as reference_lm
from dlcourse.reference._language_model_checks import MAX_TEMPERATURE, MIN_TEMPERATURE
from dlcourse.reference.gru import GRUWeights

#: The most characters one evaluation or one sample may hold.
MAX_TEXT = 10_000_000


def _check_model(model: Any) -> Any:
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"`model` must be a keras.Model, got {type(model).__name__}")
    return model


def _check_rng(rng: Any) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"`rng` must be a numpy Generator, got {type(rng).__name__}")
    return rng


def char_language_model(alphabet_size: int, units: int, embedding: int) -> Any:
    """Embedding, GRU (Keras's default ``reset_after=True``), dense logits.

    Args:
        alphabet_size: ``V``, the number of distinct character codes.
        units: the GRU's state size.
        embedding: the size of each character's learned vector.
    """
    import keras

    alphabet_size = check_int("alphabet_size", alphabet_size, minimum=2, maximum=65536)
    units = check_int("units", units, minimum=1, maximum=4096)
    embedding = check_int("embedding", embedding, minimum=1, maximum=4096)
    characters = keras.Input(shape=(None,), dtype="int32", name="characters")
    vectors = keras.layers.Embedding(alphabet_size, embedding, name="embedding")(
        characters
    )
    states = keras.layers.GRU(units, return_sequences=True, name="gru")(vectors)
    logits = keras.layers.Dense(alphabet_size, name="next_character")(states)
    return keras.Model(characters, logits, name="char_language_model")


def training_windows(
    codes: Any, window: int, count: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` random windows of ``codes`` and their targets, one character later.

    Args:
        codes: the training text as integer codes, ``(characters,)``.
        window: characters per window.
        count: how many windows.
        rng: the generator that picks the starts.

    Returns:
        ``(inputs, targets)``, each ``(count, window)`` int32.
    """
    codes = check_array("codes", codes, ndim=1, dtype="int", max_size=MAX_TEXT)
    window = check_int("window", window, minimum=1, maximum=len(codes) - 1)
    count = check_int("count", count, minimum=1, maximum=MAX_TEXT // window)
    rng = _check_rng(rng)
    starts = rng.integers(0, len(codes) - window, size=count)
    rows = codes[starts[:, None] + np.arange(window + 1)].astype(np.int32)
    return rows[:, :-1], rows[:, 1:]


def held_out_logits(model: Any, codes: Any, pieces: int) -> tuple[np.ndarray, ...]:
    """The model's logits over ``codes`` read as ``pieces`` contiguous parallel pieces.

    Each piece starts from a zero state, so its first characters have less context.

    Returns:
        ``(logits, targets)``: ``(pieces, length, alphabet)`` and ``(pieces, length)``.
    """
    model = _check_model(model)
    codes = check_array(
        "codes", codes, ndim=1, dtype="int", min_size=2, max_size=MAX_TEXT
    )
    pieces = check_int("pieces", pieces, minimum=1, maximum=len(codes) - 1)
    length = (len(codes) - 1) // pieces
    used = pieces * length
    inputs = codes[:used].reshape(pieces, length).astype(np.int32)
    targets = codes[1 : used + 1].reshape(pieces, length)
    logits = model.predict(inputs, batch_size=pieces, verbose=0)
    return logits, targets


def model_weights(model: Any) -> tuple[np.ndarray, GRUWeights, np.ndarray, np.ndarray]:
    """The trained arrays, for the NumPy references: embedding, GRU, dense kernel and
    bias."""
    model = _check_model(model)
    embedding = model.get_layer("embedding").get_weights()[0]
    gru = GRUWeights(*model.get_layer("gru").get_weights())
    kernel, bias = model.get_layer("next_character").get_weights()
    return embedding, gru, kernel, bias


def sample_text(
    model: Any,
    prompt_codes: Any,
    temperatures: Any,
    length: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Read the prompt, then write ``length`` codes, one row per temperature.

    Each step runs ``dlcourse.reference.gru.gru_step`` and draws with
    ``dlcourse.reference.language_model.sample_with_temperature``.

    Returns:
        ``(len(temperatures), length)`` codes.
    """
    embedding, gru, kernel, bias = model_weights(model)
    prompt_codes = check_array(
        "prompt_codes", prompt_codes, ndim=1, dtype="int", max_size=MAX_TEXT
    )
    if prompt_codes.min() < 0 or prompt_codes.max() >= len(embedding):
        raise ValueError(
            f"`prompt_codes` must hold codes in [0, {len(embedding)}), got values "
            f"from {prompt_codes.min()} to {prompt_codes.max()}"
        )
    temperatures = check_array("temperatures", temperatures, ndim=1, max_size=1000)
    if temperatures.min() < MIN_TEMPERATURE or temperatures.max() > MAX_TEMPERATURE:
        raise ValueError(
            f"`temperatures` must lie in [{MIN_TEMPERATURE}, {MAX_TEMPERATURE}], got "
            f"values from {temperatures.min()} to {temperatures.max()}"
        )
    length = check_int("length", length, minimum=1, maximum=MAX_TEXT)
    rng = _check_rng(rng)
    rows = len(temperatures)
    state = np.zeros((rows, gru.recurrent_kernel.shape[0]))
    for code in prompt_codes[:-1]:
        state = reference_gru.gru_step(embedding[[code] * rows], state, gru)
    current = np.full(rows, prompt_codes[-1])
    written = np.zeros((rows, length), dtype=np.int64)
    for step in range(length):
        state = reference_gru.gru_step(embedding[current], state, gru)
        logits = state @ kernel + bias
        uniform = rng.random(rows)
        current = np.array(
            [
                reference_lm.sample_with_temperature(row[None], t, u[None])[0]
                for row, t, u in zip(logits, temperatures, uniform, strict=True)
            ]
        )
        written[:, step] = current
    return written


def _recorder_class() -> type:
    import keras

    class LearningRecorder(keras.callbacks.Callback):
        """Every ``every`` steps: held-out bits per character, seconds, and samples.

        It also keeps the weights of the lowest validation rate so far
        (``best_weights``, after ``best_step`` steps, at ``best_bits``), so that
        training can stop on the validation text: ``model.set_weights(best_weights)``.

        Args:
            validation_codes: the text the curve is measured on (never the test text).
            pieces: the validation text is read as this many parallel pieces.
            every: steps between measurements.
            sample_at: the steps after which samples are written.
            prompt_codes: the prompt every sample starts from.
            temperatures: one sample per temperature.
            sample_length: characters per sample.
            seed: seeds the sampler.
        """

        def __init__(
            self,
            validation_codes: np.ndarray,
            pieces: int,
            every: int,
            sample_at: tuple[int, ...],
            prompt_codes: np.ndarray,
            temperatures: tuple[float, ...],
            sample_length: int,
            seed: int,
        ) -> None:
            super().__init__()
            self.validation_codes = validation_codes
            self.pieces = pieces
            self.every = every
            self.sample_at = tuple(sample_at)
            self.prompt_codes = prompt_codes
            self.temperatures = tuple(temperatures)
            self.sample_length = sample_length
            self.rng = np.random.default_rng(seed)
            self.steps: list[int] = []
            self.seconds: list[float] = []
            self.bits: list[float] = []
            self.samples: dict[int, np.ndarray] = {}
            self.best_step = 0
            self.best_bits = float("inf")
            self.best_weights: list[np.ndarray] | None = None
            self._step = 0
            self._training_seconds = 0.0
            self._started = 0.0

        def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
            self._started = time.perf_counter()

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            self._training_seconds += time.perf_counter() - self._started
            self._step += 1
            if self._step % self.every == 0:
                logits, targets = held_out_logits(
                    self.model, self.validation_codes, self.pieces
                )
                self.steps.append(self._step)
                self.seconds.append(self._training_seconds)
                self.bits.append(reference_lm.bits_per_character(logits, targets))
                if self.bits[-1] < self.best_bits:  # the best validation checkpoint
                    self.best_step, self.best_bits = self._step, self.bits[-1]
                    self.best_weights = self.model.get_weights()
            if self._step in self.sample_at:
                self.samples[self._step] = sample_text(
                    self.model,
                    self.prompt_codes,
                    np.array(self.temperatures),
                    self.sample_length,
                    self.rng,
                )

    return LearningRecorder


def learning_recorder(
    validation_codes: Any,
    pieces: int,
    every: int,
    sample_at: tuple[int, ...],
    prompt_codes: Any,
    temperatures: tuple[float, ...],
    sample_length: int,
    seed: int,
) -> Any:
    """A ``LearningRecorder`` Keras callback: every ``every`` training steps it measures
    the bits per character of ``validation_codes``, with the seconds of training so
    far; after each step in ``sample_at`` it writes one sample per temperature. It
    keeps the weights of the lowest validation rate in ``best_weights`` (after
    ``best_step`` steps, at ``best_bits`` bits per character).

    Args:
        validation_codes: the text the curve is measured on (never the test text).
        pieces: the validation text is read as this many parallel pieces.
        every: steps between measurements.
        sample_at: the steps after which samples are written.
        prompt_codes: the prompt every sample starts from.
        temperatures: one sample per temperature.
        sample_length: characters per sample.
        seed: seeds the sampler.
    """
    validation_codes = check_array(
        "validation_codes",
        validation_codes,
        ndim=1,
        dtype="int",
        min_size=2,
        max_size=MAX_TEXT,
    )
    pieces = check_int("pieces", pieces, minimum=1, maximum=len(validation_codes) - 1)
    every = check_int("every", every, minimum=1, maximum=MAX_TEXT)
    sample_at = check_array(
        "sample_at", sample_at, ndim=1, dtype="int", min_size=0, max_size=1000
    )
    if sample_at.size and sample_at.min() < 1:
        raise ValueError(
            f"`sample_at` must hold steps from 1 on, got {sample_at.min()}"
        )
    prompt_codes = check_array(
        "prompt_codes", prompt_codes, ndim=1, dtype="int", max_size=MAX_TEXT
    )
    temperatures = check_array("temperatures", temperatures, ndim=1, max_size=1000)
    if temperatures.min() < MIN_TEMPERATURE or temperatures.max() > MAX_TEMPERATURE:
        raise ValueError(
            f"`temperatures` must lie in [{MIN_TEMPERATURE}, {MAX_TEMPERATURE}], got "
            f"values from {temperatures.min()} to {temperatures.max()}"
        )
    sample_length = check_int(
        "sample_length", sample_length, minimum=1, maximum=MAX_TEXT
    )
    seed = check_int("seed", seed, minimum=0)
    return _recorder_class()(
        validation_codes,
        pieces,
        every,
        tuple(int(step) for step in sample_at),
        prompt_codes,
        tuple(float(t) for t in temperatures),
        sample_length,
        seed,
    )
