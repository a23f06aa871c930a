"""A Jordan recurrent cell for ``keras.layers.RNN``: the network's *output*, not its hidden layer, is fed
back.

Jordan (1986) fed the output units back into "state units" that joined the next input; Elman (1990) fed back
the hidden units instead, which is what ``keras.layers.SimpleRNN`` does. This cell computes

    h_t = activation(x_t @ kernel + y_{t-1} @ feedback_kernel + bias)
    y_t = output_activation(h_t @ output_kernel + output_bias),        y_0 = 0,

and carries ``y_t`` as its state. Jordan's state units also had a decaying self-connection; this cell leaves
it out, so its state is exactly the last output. Introduced in the recurrent-network chapter.
"""

from __future__ import annotations

from typing import Any

import keras

from dlcourse._checks import check_int

_OUTPUT_ACTIVATIONS = ("linear", "tanh", "sigmoid", "softmax", "relu")


@keras.saving.register_keras_serializable(package="dlcourse")
class JordanCell(keras.layers.Layer):
    """A Jordan cell with ``units`` hidden and ``output_units`` output units; wrap it in ``keras.layers.RNN``.

    ``get_weights()`` returns ``kernel (features, units)``, ``feedback_kernel (output_units, units)``,
    ``bias (units,)``, ``output_kernel (units, output_units)`` and ``output_bias (output_units,)``, the
    order of :class:`dlcourse.reference.rnn.JordanParameters`. Introduced in the recurrent-network chapter.
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
        self.units = check_int("units", units, minimum=1)
        self.output_units = check_int("output_units", output_units, minimum=1)
        if not isinstance(activation, str):
            raise TypeError(
                f"`activation` must be the name of an activation such as 'tanh', got {activation!r}"
            )
        if output_activation not in _OUTPUT_ACTIVATIONS:
            raise ValueError(
                f"`output_activation` must be one of {', '.join(_OUTPUT_ACTIVATIONS)}; "
                f"got {output_activation!r}"
            )
        self.activation = keras.activations.get(activation)
        self.activation_name = activation
        self.output_activation = keras.activations.get(output_activation)
        self.output_activation_name = output_activation
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.feedback_initializer = keras.initializers.get(feedback_initializer)
        # keras.layers.RNN reads these two to size the carried state and the output.
        self.state_size = self.output_units
        self.output_size = self.output_units

    def build(self, input_shape: Any) -> None:
        features = input_shape[-1]
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
        previous_output = states[0] if isinstance(states, list | tuple) else states
        hidden = self.activation(
            keras.ops.matmul(inputs, self.kernel)
            + keras.ops.matmul(previous_output, self.feedback_kernel)
            + self.bias
        )
        output = self.output_activation(
            keras.ops.matmul(hidden, self.output_kernel) + self.output_bias
        )
        return output, [output]

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "output_units": self.output_units,
                "activation": self.activation_name,
                "output_activation": self.output_activation_name,
                "kernel_initializer": keras.initializers.serialize(
                    self.kernel_initializer
                ),
                "feedback_initializer": keras.initializers.serialize(
                    self.feedback_initializer
                ),
            }
        )
        return config
