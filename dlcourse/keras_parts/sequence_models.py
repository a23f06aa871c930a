"""Next-step predictors and a pen-stroke generator in Keras (the sequence-models
chapter).

Built here so that the notebook (one live seed) and
``results/make_01b_sequence_models.py`` (several seeds) train exactly the same models:

* :func:`jordan_pair` - one :class:`~dlcourse.keras_parts.jordan.JordanCell` in two
  models that share its weights: fed the true previous value (teacher forcing) or its
  own last output (free running);
* :func:`mixture_nll` and :class:`MixtureLoss` - the mixture-density loss in
  ``keras.ops``, the twin of :func:`dlcourse.reference.generation.mixture_nll`;
* :func:`pen_generator`, :func:`generator_inputs`, :func:`generator_targets` and
  :func:`generate_strokes` - a GRU conditioned on the letter that predicts the next
  pen movement, and the loop that samples from it one step at a time.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import keras
import numpy as np

from dlcourse._checks import (
    check_array,
    check_float,
    check_int,
    describe,
)
from dlcourse.keras_parts.jordan import JordanCell
from dlcourse.reference import generation
from dlcourse.reference._generation_checks import (
    MAX_STEPS,
    components_count,
)
from dlcourse.reference._rnn_checks import MAX_UNITS


class JordanPair(NamedTuple):
    """Two compiled models sharing one Jordan cell.

    Args:
        teacher_forced: inputs ``previous (batch, time, outputs)``, the true values
            ``d_0 ... d_{T-1}``; outputs the predictions ``y_1 ... y_T``.
        free_running: inputs ``first (batch, outputs)`` and ``steps (batch, time, 1)``
            (zeros, which only set the length); outputs the rollout ``y_1 ... y_T``.
        cell: the shared :class:`~dlcourse.keras_parts.jordan.JordanCell`.
    """

    teacher_forced: keras.Model
    free_running: keras.Model
    cell: JordanCell


@keras.saving.register_keras_serializable(package="dlcourse")
class FedBackJordan(keras.layers.Layer):
    """Every step of a Jordan cell with the given values in place of its fed-back
    output, all at once (the steps do not depend on each other).

    Args:
        cell: a :class:`~dlcourse.keras_parts.jordan.JordanCell` with one input feature
            (the input is zero: the cell is driven by what is fed back).
        **kwargs: passed to ``keras.layers.Layer``.
    """

    def __init__(self, cell: JordanCell, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(cell, dict):
            cell = keras.saving.deserialize_keras_object(cell)
        if not isinstance(cell, JordanCell):
            raise TypeError(f"`cell` must be a JordanCell, got {describe(cell)}")
        self.cell = cell

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        """Build the cell for one (zero) input feature.

        Args:
            input_shape: ``(batch, time, outputs)``.
        """
        if not self.cell.built:
            self.cell.build((None, 1))

    def call(self, previous: Any) -> Any:
        """y_t = g(f(0 W + d_{t-1} F + b) V + c) for every t.

        Args:
            previous: ``(batch, time, outputs)``.

        Returns:
            ``(batch, time, outputs)``.
        """
        shape = keras.ops.shape(previous)
        flat = keras.ops.reshape(previous, (-1, self.cell.output_units))
        zeros = keras.ops.zeros((keras.ops.shape(flat)[0], 1), dtype=flat.dtype)
        y_t, _ = self.cell(zeros, [flat])
        return keras.ops.reshape(y_t, shape)

    def compute_output_shape(
        self, input_shape: tuple[int | None, ...]
    ) -> tuple[int | None, ...]:
        """The output has the input's shape.

        Args:
            input_shape: ``(batch, time, outputs)``.
        """
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        """The cell's configuration, for saving.

        Returns:
            the base layer's configuration and the cell's.
        """
        return {
            **super().get_config(),
            "cell": keras.saving.serialize_keras_object(self.cell),
        }


def jordan_pair(units: int, outputs: int, *, learning_rate: float = 1e-2) -> JordanPair:
    """A Jordan network trainable with teacher forcing or free running.

    Both models are compiled with the mean squared error and Adam (gradient norm
    clipped at 1); training either one changes the shared cell.

    Args:
        units: hidden units.
        outputs: output units, the values fed back.
        learning_rate: Adam's step size.

    Returns:
        a :class:`JordanPair`.
    """
    units = check_int("units", units, minimum=1, maximum=MAX_UNITS)
    outputs = check_int("outputs", outputs, minimum=1, maximum=MAX_UNITS)
    learning_rate = check_float(
        "learning_rate", learning_rate, minimum=0.0, exclusive_minimum=True
    )
    cell = JordanCell(units, outputs, name="jordan_cell")
    previous = keras.Input(shape=(None, outputs), name="previous")
    teacher = keras.Model(
        previous, FedBackJordan(cell, name="fed_true")(previous), name="teacher"
    )
    first = keras.Input(shape=(outputs,), name="first")
    steps = keras.Input(shape=(None, 1), name="steps")
    rollout = keras.layers.RNN(cell, return_sequences=True, name="rollout")(
        steps, initial_state=[first]
    )
    free = keras.Model([first, steps], rollout, name="free_running")
    for model in (teacher, free):
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0), loss="mse"
        )
    return JordanPair(teacher, free, cell)


def mixture_nll(outputs: Any, movements: Any, stops: Any, components: int) -> Any:
    """-log p(movement, stop) at every step, in ``keras.ops`` (differentiable).

    The twin of :func:`dlcourse.reference.generation.mixture_nll`, same layout.

    Args:
        outputs: ``(..., 5 K + 1)`` tensors.
        movements: ``(..., 2)``.
        stops: ``(...)``, 1 where the stroke ended after the movement.
        components: ``K``.

    Returns:
        the negative log-likelihood of each step, ``(...)``.
    """
    K = components_count(components)
    ops = keras.ops
    log_pi = ops.log_softmax(outputs[..., :K], axis=-1)
    mu = ops.reshape(outputs[..., K : 3 * K], (*ops.shape(outputs)[:-1], K, 2))
    log_sigma = ops.reshape(
        outputs[..., 3 * K : 5 * K], (*ops.shape(outputs)[:-1], K, 2)
    )
    z = (ops.expand_dims(movements, -2) - mu) * ops.exp(-log_sigma)
    log_gaussian = -ops.sum(log_sigma + 0.5 * z**2, axis=-1) - math.log(2 * math.pi)
    log_mixture = ops.logsumexp(log_pi + log_gaussian, axis=-1)
    stop_logit = outputs[..., 5 * K]
    log_stop = stops * ops.log_sigmoid(stop_logit) + (1 - stops) * ops.log_sigmoid(
        -stop_logit
    )
    return -(log_mixture + log_stop)


@keras.saving.register_keras_serializable(package="dlcourse")
class MixtureLoss(keras.losses.Loss):
    """The mixture-density loss over the real steps of padded strokes.

    ``y_true`` is ``(batch, time, 4)``: ``dx, dy``, the end-of-stroke bit and a mask
    (1 on real steps, 0 on padding), as :func:`generator_targets` builds it; the loss
    of a sequence is the mean negative log-likelihood of its real steps.

    Args:
        components: ``K``.
        **kwargs: passed to ``keras.losses.Loss``.
    """

    def __init__(self, components: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.components = components_count(components)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        """The loss of each sequence in the batch.

        Args:
            y_true: ``(batch, time, 4)``.
            y_pred: ``(batch, time, 5 K + 1)``.

        Returns:
            ``(batch,)``.
        """
        mask = y_true[..., 3]
        step_nll = mixture_nll(y_pred, y_true[..., :2], y_true[..., 2], self.components)
        return keras.ops.sum(step_nll * mask, axis=-1) / keras.ops.maximum(
            keras.ops.sum(mask, axis=-1), 1.0
        )

    def get_config(self) -> dict[str, Any]:
        """The arguments that rebuild this loss.

        Returns:
            the base loss's configuration and ``components``.
        """
        return {**super().get_config(), "components": self.components}


def pen_generator(
    classes: int,
    *,
    units: int = 64,
    components: int = 5,
    learning_rate: float = 5e-3,
) -> keras.Model:
    """A GRU that reads the last movement and the letter, and outputs a mixture.

    Input at step t: the previous movement ``(dx, dy)`` and the one-hot letter,
    ``(batch, time, 2 + classes)``; output: the mixture layout of
    :mod:`dlcourse.reference.generation`, ``(batch, time, 5 K + 1)``. Compiled with
    :class:`MixtureLoss` and Adam (gradient norm clipped at 1).

    Args:
        classes: the number of letters.
        units: GRU units.
        components: mixture components ``K``.
        learning_rate: Adam's step size.
    """
    classes = check_int("classes", classes, minimum=1, maximum=MAX_UNITS)
    units = check_int("units", units, minimum=1, maximum=MAX_UNITS)
    components = components_count(components)
    learning_rate = check_float(
        "learning_rate", learning_rate, minimum=0.0, exclusive_minimum=True
    )
    inputs = keras.Input(shape=(None, 2 + classes), name="last_movement_and_letter")
    hidden = keras.layers.GRU(units, return_sequences=True, name="gru")(inputs)
    outputs = keras.layers.Dense(generation.mixture_size(components), name="mixture")(
        hidden
    )
    model = keras.Model(inputs, outputs, name="pen_generator")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0),
        loss=MixtureLoss(components),
    )
    return model


def _one_hot(labels: np.ndarray, classes: int, steps: int) -> np.ndarray:
    return np.repeat(np.eye(classes)[labels][:, None], steps, axis=1)


def generator_inputs(movements: Any, labels: Any, classes: int) -> np.ndarray:
    """Teacher-forced inputs: the previous true movement and the letter at every step.

    Args:
        movements: the strokes, ``(n, time, 2)``, zero-padded.
        labels: the letter of each stroke, ``(n,)``.
        classes: the number of letters.

    Returns:
        float32 ``(n, time, 2 + classes)``.
    """
    movements = check_array("movements", movements, ndim=3)
    classes = check_int("classes", classes, minimum=1, maximum=MAX_UNITS)
    labels = check_array("labels", labels, shape=(movements.shape[0],), dtype="int")
    if np.any(labels < 0) or np.any(labels >= classes):
        raise ValueError(f"`labels` must lie between 0 and {classes - 1}")
    shifted = generation.teacher_forcing_inputs(movements)
    letters = _one_hot(labels, classes, movements.shape[1])
    return np.concatenate([shifted, letters], axis=-1).astype(np.float32)


def generator_targets(movements: Any, lengths: Any) -> np.ndarray:
    """The targets of :class:`MixtureLoss`: movement, end-of-stroke bit and mask.

    Args:
        movements: the strokes, ``(n, time, 2)``, zero-padded.
        lengths: the true length of each stroke, ``(n,)``.

    Returns:
        float32 ``(n, time, 4)``.
    """
    movements = check_array("movements", movements, ndim=3)
    steps = movements.shape[1]
    lengths = check_array("lengths", lengths, shape=(movements.shape[0],), dtype="int")
    if np.any(lengths < 1) or np.any(lengths > steps):
        raise ValueError(f"`lengths` must lie between 1 and {steps}")
    t = np.arange(steps)[None, :]
    stops = (t == lengths[:, None] - 1).astype(np.float64)
    mask = (t < lengths[:, None]).astype(np.float64)
    return np.concatenate(
        [movements * mask[..., None], stops[..., None], mask[..., None]], axis=-1
    ).astype(np.float32)


class GeneratedStrokes(NamedTuple):
    """Strokes sampled by :func:`generate_strokes`.

    Args:
        movements: ``(n, steps, 2)``, zero after each stroke's end.
        lengths: the movements drawn before the end-of-stroke bit, ``(n,)``.
        mixtures: the mixture outputs at every step, ``(n, steps, 5 K + 1)``.
    """

    movements: np.ndarray
    lengths: np.ndarray
    mixtures: np.ndarray


def generate_strokes(
    model: keras.Model,
    labels: Any,
    classes: int,
    components: int,
    *,
    steps: int = 40,
    bias: float = 0.0,
    seed: int = 0,
) -> GeneratedStrokes:
    """Sample strokes from a :func:`pen_generator`, one step at a time.

    Each sampled movement is fed back as the next input (free running); a stroke ends
    when its end-of-stroke bit is drawn, or after ``steps`` movements.

    Args:
        model: a trained :func:`pen_generator` (layers ``gru`` and ``mixture``).
        labels: the letter of each stroke to draw, ``(n,)``.
        classes: the number of letters.
        components: ``K``, as the model was built.
        steps: the most movements per stroke.
        bias: Graves's sampling bias (0: sample the model as trained).
        seed: the seed of the draws.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"`model` must be a keras.Model, got {describe(model)}")
    classes = check_int("classes", classes, minimum=1, maximum=MAX_UNITS)
    labels = check_array("labels", labels, ndim=1, dtype="int")
    if np.any(labels < 0) or np.any(labels >= classes):
        raise ValueError(f"`labels` must lie between 0 and {classes - 1}")
    components = components_count(components)
    steps = check_int("steps", steps, minimum=1, maximum=MAX_STEPS)
    bias = check_float("bias", bias, minimum=0.0, maximum=10.0)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    gru, readout = model.get_layer("gru"), model.get_layer("mixture")
    n = len(labels)
    letters = np.eye(classes, dtype=np.float32)[labels]
    h = np.zeros((n, gru.units), dtype=np.float32)
    last = np.zeros((n, 2), dtype=np.float32)
    movements = np.zeros((n, steps, 2))
    mixtures = np.zeros((n, steps, generation.mixture_size(components)))
    lengths = np.full(n, steps)
    running = np.ones(n, dtype=bool)
    for t in range(steps):
        x_t = np.concatenate([last, letters], axis=1)
        h_tensor, _ = gru.cell(x_t, [h])
        h = keras.ops.convert_to_numpy(h_tensor)
        mixtures[:, t] = keras.ops.convert_to_numpy(readout(h))
        draw = generation.sample_mixture(mixtures[:, t], components, rng, bias=bias)
        movements[:, t] = np.where(running[:, None], draw.movement, 0.0)
        last = draw.movement.astype(np.float32)
        ended = running & (draw.stop == 1)
        lengths[ended] = t + 1
        running &= ~ended
    return GeneratedStrokes(movements, lengths, mixtures)
