"""A deep stacking network in Keras 3, introduced in Chapter 5 ("Deep stacking networks").

* :class:`DSNModule` - one module: ``sigmoid(x @ kernel + bias) @ upper``. The lower weights (``kernel``,
  ``bias``) are ordinary trainable weights; the upper weights ``upper`` are *not* trained by gradient: they
  are set by the closed form ``(H^T H + lam I)^-1 H^T T`` with ``keras.ops`` linear algebra.
* :class:`DeepStackingNetwork` - a stack of modules in which module ``k`` reads the raw input concatenated
  with the outputs of modules ``1 .. k-1``; :meth:`DeepStackingNetwork.fit_modules` trains it module by module.

The Gram matrix and the solve run in float64 (a sum of ``n`` products is where float32 loses digits); the
weights are stored in the layer's own dtype. Refining the lower weights differentiates through the closed
form with ``tf.GradientTape``, so that part needs the TensorFlow backend.
"""

from __future__ import annotations

import time
from typing import Any

import keras
import numpy as np

from dlcourse._checks import check_array, check_float, check_int, check_same_length

#: Entries of a random lower weight matrix are N(0, (WEIGHT_SCALE**2) / inputs), as in dlcourse.reference.dsn.
WEIGHT_SCALE = 4.0


@keras.saving.register_keras_serializable(package="dlcourse")
class DSNModule(keras.layers.Layer):
    """One DSN module with ``units`` sigmoid hidden units and ``outputs`` linear outputs. Chapter 5.

    ``lam`` is the ridge penalty of the closed-form upper weights. Call :meth:`solve_upper` (or
    :meth:`set_upper_from_statistics`) to set them; until then they are zero.
    """

    def __init__(
        self,
        units: int,
        outputs: int,
        lam: float = 1.0,
        weight_scale: float = WEIGHT_SCALE,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.units = check_int("units", units, minimum=1)
        self.outputs = check_int("outputs", outputs, minimum=1)
        self.lam = check_float("lam", lam, minimum=0.0)
        self.weight_scale = check_float(
            "weight_scale", weight_scale, minimum=0.0, exclusive_minimum=True
        )
        self.seed = None if seed is None else check_int("seed", seed, minimum=0)

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        """Create ``kernel`` (inputs, units), ``bias`` (units,) and the non-trainable ``upper`` (units, outputs)."""
        inputs = int(input_shape[-1])
        self.kernel = self.add_weight(
            name="kernel",
            shape=(inputs, self.units),
            initializer=keras.initializers.RandomNormal(
                stddev=self.weight_scale / np.sqrt(inputs), seed=self.seed
            ),
        )
        self.bias = self.add_weight(
            name="bias", shape=(self.units,), initializer="zeros"
        )
        # Not trainable: set by the closed form, never by an optimizer.
        self.upper = self.add_weight(
            name="upper",
            shape=(self.units, self.outputs),
            initializer="zeros",
            trainable=False,
        )

    def hidden(self, x: Any) -> Any:
        """The sigmoid hidden layer ``sigmoid(x @ kernel + bias)``."""
        return keras.ops.sigmoid(keras.ops.matmul(x, self.kernel) + self.bias)

    def call(self, x: Any) -> Any:
        """The module's linear output ``hidden(x) @ upper``."""
        return keras.ops.matmul(self.hidden(x), self.upper)

    def statistics(self, x: Any, targets: Any) -> tuple[Any, Any]:
        """``H^T H`` and ``H^T T`` for this batch, in float64: add them over shards for the full-batch sums."""
        hidden = keras.ops.cast(self.hidden(x), "float64")
        targets = keras.ops.cast(targets, "float64")
        return keras.ops.matmul(keras.ops.transpose(hidden), hidden), keras.ops.matmul(
            keras.ops.transpose(hidden), targets
        )

    def closed_form_upper(self, gram: Any, cross: Any) -> Any:
        """``(gram + lam I)^-1 cross`` in float64 (differentiable, so gradients can flow through it)."""
        eye = keras.ops.eye(self.units, dtype="float64")
        return keras.ops.solve(gram + self.lam * eye, cross)

    def set_upper_from_statistics(self, gram: Any, cross: Any) -> None:
        """Set the upper weights from accumulated ``H^T H`` and ``H^T T``."""
        upper = self.closed_form_upper(
            keras.ops.cast(gram, "float64"), keras.ops.cast(cross, "float64")
        )
        self.upper.assign(keras.ops.cast(upper, self.upper.dtype))

    def solve_upper(self, x: Any, targets: Any) -> None:
        """Set the upper weights to the ridge-regression solution on ``(x, targets)`` (full batch)."""
        x, targets = _check_xy(x, targets, self.outputs)
        if not self.built:
            self.build(x.shape)
        self.set_upper_from_statistics(*self.statistics(x, targets))

    def objective(self, x: Any, targets: Any, *, through_solve: bool = True) -> Any:
        """``0.5 ||H U - T||^2 + 0.5 lam ||U||^2`` (float64) with ``U`` the closed form on ``(x, targets)``.

        With ``through_solve=False`` gradients treat ``U`` as a constant. At the closed form both give the same
        gradient for the lower weights (the envelope theorem); the constant version is cheaper.
        """
        hidden = keras.ops.cast(self.hidden(x), "float64")
        targets = keras.ops.cast(targets, "float64")
        ht = keras.ops.transpose(hidden)
        upper = self.closed_form_upper(
            keras.ops.matmul(ht, hidden), keras.ops.matmul(ht, targets)
        )
        if not through_solve:
            upper = keras.ops.stop_gradient(upper)
        residual = keras.ops.matmul(hidden, upper) - targets
        return 0.5 * keras.ops.sum(residual**2) + 0.5 * self.lam * keras.ops.sum(
            upper**2
        )

    def lower_gradients(
        self, x: Any, targets: Any, *, through_solve: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """Gradients of :meth:`objective` for ``kernel`` and ``bias`` by automatic differentiation (TensorFlow)."""
        import tensorflow as tf

        x, targets = _check_xy(x, targets, self.outputs)
        if not self.built:
            self.build(x.shape)
        with tf.GradientTape() as tape:
            value = self.objective(
                tf.constant(x), tf.constant(targets), through_solve=through_solve
            )
        grad_kernel, grad_bias = tape.gradient(
            value, [self.kernel.value, self.bias.value]
        )
        return grad_kernel.numpy().astype(np.float64), grad_bias.numpy().astype(
            np.float64
        )

    def refine_lower(
        self, x: Any, targets: Any, steps: int, learning_rate: float
    ) -> list[float]:
        """Full-batch gradient descent on the lower weights, with the upper weights in closed form at every step.

        Each step moves ``kernel`` and ``bias`` by ``learning_rate`` times the per-sample mean gradient of
        :meth:`objective`; returns the objective before each step. Needs the TensorFlow backend.
        """
        import tensorflow as tf

        x, targets = _check_xy(x, targets, self.outputs)
        steps = check_int("steps", steps, minimum=0)
        learning_rate = check_float(
            "learning_rate", learning_rate, minimum=0.0, exclusive_minimum=True
        )
        if not self.built:
            self.build(x.shape)
        x = tf.constant(x, dtype=self.compute_dtype)
        targets = tf.constant(targets, dtype=self.compute_dtype)
        step_size = learning_rate / x.shape[0]

        @tf.function
        def step() -> Any:
            with tf.GradientTape() as tape:
                value = self.objective(x, targets, through_solve=False)
            grad_kernel, grad_bias = tape.gradient(
                value, [self.kernel.value, self.bias.value]
            )
            self.kernel.assign_sub(step_size * tf.cast(grad_kernel, self.kernel.dtype))
            self.bias.assign_sub(step_size * tf.cast(grad_bias, self.bias.dtype))
            return value

        return [float(step()) for _ in range(steps)]

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, so that Keras can save and rebuild the layer."""
        config = super().get_config()
        config.update(
            units=self.units,
            outputs=self.outputs,
            lam=self.lam,
            weight_scale=self.weight_scale,
            seed=self.seed,
        )
        return config


def _check_xy(x: Any, targets: Any, outputs: int) -> tuple[np.ndarray, np.ndarray]:
    x = check_array("x", x, ndim=2)
    targets = check_array("targets", targets, ndim=2)
    check_same_length(("x", "targets"), x, targets)
    if targets.shape[1] != outputs:
        raise ValueError(
            f"`targets` must have {outputs} columns, one per output; got shape {targets.shape}"
        )
    return x.astype(np.float32), targets.astype(np.float32)


@keras.saving.register_keras_serializable(package="dlcourse")
class DeepStackingNetwork(keras.Model):
    """A stack of ``num_modules`` :class:`DSNModule` layers; module ``k`` reads ``[x, y_1, ..., y_{k-1}]``.

    Its output is the last module's; ``all_outputs(x)`` returns every module's. Train it with
    :meth:`fit_modules`, not ``fit``. Chapter 5.
    """

    def __init__(
        self,
        input_dim: int,
        outputs: int,
        units: int,
        num_modules: int,
        lam: float = 1.0,
        weight_scale: float = WEIGHT_SCALE,
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.input_dim = check_int("input_dim", input_dim, minimum=1)
        self.outputs = check_int("outputs", outputs, minimum=1)
        self.units = check_int("units", units, minimum=1)
        self.num_modules = check_int("num_modules", num_modules, minimum=1)
        self.lam = check_float("lam", lam, minimum=0.0)
        self.weight_scale = check_float(
            "weight_scale", weight_scale, minimum=0.0, exclusive_minimum=True
        )
        self.seed = check_int("seed", seed, minimum=0)
        self.stack = [
            DSNModule(
                units, outputs, lam, weight_scale, seed + k, name=f"module_{k + 1}"
            )
            for k in range(num_modules)
        ]

    def build(self, input_shape: tuple[int | None, ...] | None = None) -> None:
        """Build every module for its stacked input width ``input_dim + k * outputs``."""
        for k, module in enumerate(self.stack):
            module.build((None, self.input_dim + k * self.outputs))
        self.built = True

    def all_outputs(self, x: Any) -> list[Any]:
        """Every module's output, bottom to top."""
        outputs: list[Any] = []
        for module in self.stack:
            outputs.append(
                module(keras.ops.concatenate([x, *outputs], axis=-1) if outputs else x)
            )
        return outputs

    def call(self, x: Any) -> Any:
        """The top module's output: the network's prediction."""
        return self.all_outputs(x)[-1]

    def fit_modules(
        self, x: Any, targets: Any, *, refine_steps: int = 0, learning_rate: float = 1.0
    ) -> list[float]:
        """Train the modules one after another on the full batch; return each module's seconds.

        For each module: build its stacked input from ``x`` and the (fixed) outputs of the modules below,
        take ``refine_steps`` gradient steps on its lower weights through the closed form, then set its
        upper weights in closed form.
        """
        x, targets = _check_xy(x, targets, self.outputs)
        if x.shape[1] != self.input_dim:
            raise ValueError(
                f"`x` must have {self.input_dim} columns (input_dim); got shape {x.shape}"
            )
        refine_steps = check_int("refine_steps", refine_steps, minimum=0)
        learning_rate = check_float(
            "learning_rate", learning_rate, minimum=0.0, exclusive_minimum=True
        )
        if not self.built:
            self.build((None, self.input_dim))
        seconds: list[float] = []
        module_x = x
        for module in self.stack:
            started = time.perf_counter()
            if refine_steps:
                module.refine_lower(module_x, targets, refine_steps, learning_rate)
            module.solve_upper(module_x, targets)
            output = keras.ops.convert_to_numpy(module(module_x))
            seconds.append(time.perf_counter() - started)
            module_x = np.concatenate([module_x, output], axis=1)
        return seconds

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, so that ``keras.saving.load_model`` can rebuild the stack."""
        return {
            "name": self.name,
            "input_dim": self.input_dim,
            "outputs": self.outputs,
            "units": self.units,
            "num_modules": self.num_modules,
            "lam": self.lam,
            "weight_scale": self.weight_scale,
            "seed": self.seed,
        }
