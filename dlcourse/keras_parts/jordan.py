"""A Jordan recurrent cell for ``keras.layers.RNN`` (the recurrent-network chapter).

The network's *output*, not its hidden layer, is fed back. Jordan (1986) fed the output
units back into "state units" that joined the next input; Elman (1990) fed back the
hidden units instead, which is what ``keras.layers.SimpleRNN`` does. This cell computes

    h_t = f(x_t W + y_{t-1} F + b)
    y_t = g(h_t V + c),        y_0 = 0,

and carries ``y_t`` as its state. Jordan's state units also had a decaying
self-connection (each state unit kept a fraction of its own last value); this cell
leaves it out, so its state is exactly the last output. The NumPy twin is
:func:`dlcourse.reference.rnn.jordan_sequence`.
"""

from __future__ import annotations

from typing import Any

import keras

from dlcourse._checks import check_choice, check_int, describe
from dlcourse.reference._rnn_checks import (
    LAYER_ACTIVATIONS,
    MAX_UNITS,
    OUTPUT_ACTIVATIONS,
)


def _initializer(name: str, value: Any) -> Any:
    """A Keras initializer from its name, config or object; refuse anything else."""
    if value is None or isinstance(value, bool | int | float | bytes | list | tuple):
        raise TypeError(
            f"`{name}` must be a Keras initializer or its name ('glorot_uniform'), "
            f"got {describe(value)}"
        )
    try:
        return keras.initializers.get(value)
    except (ValueError, TypeError):
        raise ValueError(
            f"`{name}` must be a Keras initializer or its name ('glorot_uniform'), "
            f"got {describe(value)}"
        ) from None


@keras.saving.register_keras_serializable(package="dlcourse")
class JordanCell(keras.layers.Layer):
    """A Jordan cell; wrap it in ``keras.layers.RNN``.

    ``get_weights()`` returns ``kernel (features, units)``, ``feedback_kernel
    (output_units, units)``, ``bias (units,)``, ``output_kernel (units, output_units)``
    and ``output_bias (output_units,)``, the fields of
    :class:`dlcourse.reference.rnn.JordanWeights`.

    Args:
        units: hidden units.
        output_units: output units, which are also the state fed back.
        activation: the hidden layer's nonlinearity ``f``, by name.
        output_activation: the output's nonlinearity ``g``, by name.
        kernel_initializer: initializer of ``kernel`` and ``output_kernel``.
        feedback_initializer: initializer of ``feedback_kernel``.
        **kwargs: passed to ``keras.layers.Layer`` (``name``, ``dtype``, ...).

    Example:
        >>> layer = keras.layers.RNN(JordanCell(16, 3), return_sequences=True)
    """

    def __init__(
        self,
        units: int,
        output_units: int,
        activation: str = "tanh",
        output_activation: str = "linear",
        kernel_initializer: Any = "glorot_uniform",
        feedback_initializer: Any = "glorot_uniform",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.units = check_int("units", units, minimum=1, maximum=MAX_UNITS)
        self.output_units = check_int(
            "output_units", output_units, minimum=1, maximum=MAX_UNITS
        )
        check_choice("activation", activation, LAYER_ACTIVATIONS)
        check_choice("output_activation", output_activation, OUTPUT_ACTIVATIONS)
        self.activation = keras.activations.get(activation)
        self.output_activation = keras.activations.get(output_activation)
        self.kernel_initializer = _initializer("kernel_initializer", kernel_initializer)
        self.feedback_initializer = _initializer(
            "feedback_initializer", feedback_initializer
        )
        # keras.layers.RNN reads these two to size the carried state and the output.
        self.state_size = self.output_units
        self.output_size = self.output_units

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        """Create the five weights.

        Args:
            input_shape: the shape of one step's input, ``(batch, features)``.
        """
        features = input_shape[-1]
        if features is None:
            raise ValueError(
                "`input_shape` must give the number of features (its last entry), "
                f"got {input_shape}"
            )
        self.kernel = self.add_weight(
            shape=(features, self.units),
            initializer=self.kernel_initializer,
            name="kernel",
        )
        self.feedback_kernel = self.add_weight(
            shape=(self.output_units, self.units),
            initializer=self.feedback_initializer,
            name="feedback_kernel",
        )
        self.bias = self.add_weight(
            shape=(self.units,), initializer="zeros", name="bias"
        )
        self.output_kernel = self.add_weight(
            shape=(self.units, self.output_units),
            initializer=self.kernel_initializer,
            name="output_kernel",
        )
        self.output_bias = self.add_weight(
            shape=(self.output_units,), initializer="zeros", name="output_bias"
        )

    def call(
        self, inputs: Any, states: Any, training: bool | None = None
    ) -> tuple[Any, list[Any]]:
        """One step: h_t = f(x_t W + y_{t-1} F + b), y_t = g(h_t V + c).

        Args:
            inputs: ``x_t``, ``(batch, features)``.
            states: ``[y_{t-1}]`` (or ``y_{t-1}`` alone), ``(batch, output_units)``.
            training: unused (the cell has no dropout); part of the cell interface.

        Returns:
            ``(y_t, [y_t])``: the output and the new state, which are the same.
        """
        y_prev = states[0] if isinstance(states, list | tuple) else states
        h_t = self.activation(
            keras.ops.matmul(inputs, self.kernel)
            + keras.ops.matmul(y_prev, self.feedback_kernel)
            + self.bias
        )
        y_t = self.output_activation(
            keras.ops.matmul(h_t, self.output_kernel) + self.output_bias
        )
        return y_t, [y_t]

    def compute_output_shape(
        self, input_shape: tuple[int | None, ...]
    ) -> tuple[int | None, ...]:
        """The shape of one step's output.

        Args:
            input_shape: ``(batch, features)``.

        Returns:
            ``(batch, output_units)``.
        """
        return (input_shape[0], self.output_units)

    def get_config(self) -> dict[str, Any]:
        """The arguments that rebuild this cell (for saving and ``from_config``).

        Returns:
            the base layer's configuration and this cell's arguments.
        """
        return {
            **super().get_config(),
            "units": self.units,
            "output_units": self.output_units,
            "activation": keras.activations.serialize(self.activation),
            "output_activation": keras.activations.serialize(self.output_activation),
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "feedback_initializer": keras.initializers.serialize(
                self.feedback_initializer
            ),
        }
