"""A deep stacking network in Keras 3, introduced in Chapter 5 ("Deep stacking
networks").

* :class:`DSNModule` - one module, ``sigmoid(x @ kernel + bias) @ upper``. The lower
  weights ``kernel`` and ``bias`` are ordinary trainable weights; the upper weights
  ``upper`` are *not* trained by gradient: :meth:`DSNModule.solve_upper` sets them to
  the closed form ``(H^T H + lam I)^-1 H^T T`` with ``keras.ops`` linear algebra.
* :class:`DeepStackingNetwork` - a stack of modules in which module ``k`` reads the raw
  input followed by the outputs of modules ``1 .. k-1``;
  :meth:`DeepStackingNetwork.fit_modules` trains it module by module.
* :class:`ClosedFormModule` - one module that ``model.fit`` trains: its ``train_step``
  accumulates H^T H and H^T T over an epoch's batches, and :class:`SolveAtEpochEnd`
  solves for ``U`` (or steps the lower weights) when the epoch ends. Built under a
  ``tf.distribute`` strategy's scope, ``fit`` runs on every replica and the sums are
  added across them (``tests/test_dsn_distribution.py``).

The weight names and their order are those of
:class:`dlcourse.reference.dsn.DSNModuleWeights`, so
``DSNModuleWeights(*module.get_weights())`` hands a module to the NumPy reference. The
Gram matrix and the solve run in float64 (a sum of ``N`` products is where float32 loses
digits); the weights are stored in the layer's own dtype. Everything but
:meth:`DSNModule.autodiff_lower_gradient` (which uses ``tf.GradientTape`` to check the
analytic gradient) is written in ``keras.ops``.
"""

from __future__ import annotations

import time
from typing import Any

import keras
import numpy as np

from dlcourse._checks import check_array, check_float, check_int, check_same_length
from dlcourse.reference._dsn_checks import (
    MAX_CLASSES,
    MAX_INPUTS,
    MAX_MODULES,
    MAX_REFINE_STEPS,
    MAX_UNITS,
)
from dlcourse.reference.dsn import WEIGHT_SCALE, LowerGradient, UpperStatistics


def _check_common(
    units: Any, outputs: Any, lam: Any, weight_scale: Any
) -> tuple[int, int, float, float]:
    return (
        check_int("units", units, minimum=1, maximum=MAX_UNITS),
        check_int("outputs", outputs, minimum=1, maximum=MAX_CLASSES),
        check_float("lam", lam, minimum=0.0),
        check_float("weight_scale", weight_scale, minimum=0.0, exclusive_minimum=True),
    )


def _check_xy(x: Any, targets: Any, outputs: int) -> tuple[np.ndarray, np.ndarray]:
    x = check_array("x", x, ndim=2).astype(np.float64, copy=False)
    targets = check_array("targets", targets, ndim=2).astype(np.float64, copy=False)
    check_same_length(("x", "targets"), x, targets)
    if targets.shape[1] != outputs:
        raise ValueError(
            f"`targets` must have {outputs} columns, one per output; got shape "
            f"{targets.shape}"
        )
    return x, targets


def _check_refinement(
    steps: Any, learning_rate: Any, steps_name: str = "steps"
) -> tuple[int, float]:
    return (
        check_int(steps_name, steps, minimum=0, maximum=MAX_REFINE_STEPS),
        check_float(
            "learning_rate", learning_rate, minimum=0.0, exclusive_minimum=True
        ),
    )


@keras.saving.register_keras_serializable(package="dlcourse")
class DSNModule(keras.layers.Layer):
    """One DSN module: ``units`` sigmoid hidden units, ``outputs`` linear outputs.

    ``get_weights()`` returns ``kernel (inputs, units)``, ``bias (units,)`` and the
    non-trainable ``upper (units, outputs)``, the fields of
    :class:`dlcourse.reference.dsn.DSNModuleWeights`. The upper weights are zero until
    :meth:`solve_upper` (or :meth:`set_upper_from_statistics`) sets them. Chapter 5.

    Args:
        units: hidden units ``L`` (at most ``MAX_UNITS``).
        outputs: linear outputs ``C``, one per class.
        lam: the ridge penalty of the closed-form upper weights (at least 0).
        weight_scale: the random ``kernel`` is N(0, weight_scale**2 / inputs).
        seed: seed of the random ``kernel`` (``None``: a fresh draw).
        **kwargs: passed to ``keras.layers.Layer`` (``name``, ``dtype``, ``trainable``).

    Example:
        >>> module = DSNModule(500, 10, lam=10.0, seed=0)
        >>> module.solve_upper(x_train, one_hot_targets)
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
        self.units, self.outputs, self.lam, self.weight_scale = _check_common(
            units, outputs, lam, weight_scale
        )
        self.seed = None if seed is None else check_int("seed", seed, minimum=0)

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        """Create ``kernel``, ``bias`` and the non-trainable ``upper``.

        Args:
            input_shape: ``(batch, inputs)``; only ``inputs`` is used.
        """
        inputs = check_int(
            "input_shape[-1]", input_shape[-1], minimum=1, maximum=MAX_INPUTS
        )
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

    def compute_output_shape(
        self, input_shape: tuple[int | None, ...]
    ) -> tuple[int | None, ...]:
        """The output shape: the input's, with ``outputs`` features.

        Args:
            input_shape: ``(batch, inputs)``.
        """
        return (*tuple(input_shape)[:-1], self.outputs)

    def hidden(self, x: Any) -> Any:
        """The hidden layer H = sigmoid(X W + b), in the layer's compute dtype.

        Args:
            x: inputs ``(batch, inputs)``.
        """
        x = keras.ops.cast(x, self.compute_dtype)
        kernel = keras.ops.cast(self.kernel, self.compute_dtype)
        bias = keras.ops.cast(self.bias, self.compute_dtype)
        return keras.ops.sigmoid(keras.ops.matmul(x, kernel) + bias)

    def call(self, inputs: Any) -> Any:
        """The module's output Y = H U.

        Args:
            inputs: ``(batch, inputs)``.
        """
        upper = keras.ops.cast(self.upper, self.compute_dtype)
        return keras.ops.matmul(self.hidden(inputs), upper)

    def statistics(self, x: Any, targets: Any) -> UpperStatistics:
        """H^T H and H^T T of this batch, in float64; add them over shards.

        Args:
            x: inputs ``(batch, inputs)``.
            targets: targets ``(batch, outputs)``.
        """
        h = keras.ops.cast(self.hidden(x), "float64")
        t = keras.ops.cast(targets, "float64")
        h_transposed = keras.ops.transpose(h)
        return UpperStatistics(
            gram=keras.ops.matmul(h_transposed, h),
            cross=keras.ops.matmul(h_transposed, t),
        )

    def closed_form_upper(self, gram: Any, cross: Any) -> Any:
        """U = (H^T H + lam I)^-1 H^T T in float64, by a solve (differentiable).

        Args:
            gram: ``H^T H``, ``(units, units)``.
            cross: ``H^T T``, ``(units, outputs)``.
        """
        identity = keras.ops.eye(self.units, dtype="float64")
        return keras.ops.solve(gram + self.lam * identity, cross)

    def set_upper_from_statistics(self, gram: Any, cross: Any) -> None:
        """Set ``upper`` from accumulated H^T H and H^T T.

        Args:
            gram: ``H^T H`` summed over every sample, ``(units, units)``.
            cross: ``H^T T`` summed over every sample, ``(units, outputs)``.
        """
        gram = keras.ops.cast(gram, "float64")
        cross = keras.ops.cast(cross, "float64")
        upper = self.closed_form_upper(gram, cross)
        self.upper.assign(keras.ops.cast(upper, self.upper.dtype))

    def solve_upper(self, x: Any, targets: Any) -> None:
        """Set ``upper`` to the ridge-regression solution on ``(x, targets)``.

        Args:
            x: every training input ``(N, inputs)`` (full batch).
            targets: their targets ``(N, outputs)``.
        """
        x, targets = _check_xy(x, targets, self.outputs)
        self._build_for(x)
        gram, cross = self.statistics(x, targets)
        self.set_upper_from_statistics(gram, cross)

    def objective(self, x: Any, targets: Any, *, through_solve: bool = True) -> Any:
        """E = 0.5 ||H U - T||^2 + 0.5 lam ||U||^2 (float64), U the closed form.

        Args:
            x: inputs ``(N, inputs)``.
            targets: targets ``(N, outputs)``.
            through_solve: if False, gradients treat U as a constant.
        """
        gram, cross = self.statistics(x, targets)
        upper = self.closed_form_upper(gram, cross)
        if not through_solve:
            upper = keras.ops.stop_gradient(upper)
        h = keras.ops.cast(self.hidden(x), "float64")
        residual = keras.ops.matmul(h, upper) - keras.ops.cast(targets, "float64")
        penalty = 0.5 * self.lam * keras.ops.sum(upper**2)
        return 0.5 * keras.ops.sum(residual**2) + penalty

    def lower_gradient(self, x: Any, targets: Any) -> LowerGradient:
        """The analytic gradient of min_U E for ``kernel`` and ``bias`` (float64).

        df/dW = X^T [((H U - T) U^T) * H * (1 - H)] at the closed-form U (the envelope
        theorem), as in :func:`dlcourse.reference.dsn.lower_gradient`.

        Args:
            x: inputs ``(N, inputs)``.
            targets: targets ``(N, outputs)``.
        """
        x = keras.ops.cast(x, "float64")
        t = keras.ops.cast(targets, "float64")
        h = keras.ops.cast(self.hidden(x), "float64")
        h_transposed = keras.ops.transpose(h)
        upper = self.closed_form_upper(h_transposed @ h, h_transposed @ t)
        residual = h @ upper - t
        delta = (residual @ keras.ops.transpose(upper)) * h * (1.0 - h)
        return LowerGradient(
            kernel=keras.ops.transpose(x) @ delta,
            bias=keras.ops.sum(delta, axis=0),
            optimal_upper=upper,
        )

    def autodiff_lower_gradient(
        self, x: Any, targets: Any, *, through_solve: bool = True
    ) -> LowerGradient:
        """The gradient of :meth:`objective` by automatic differentiation (TensorFlow).

        Used to check :meth:`lower_gradient`; returns NumPy float64 arrays.

        Args:
            x: inputs ``(N, inputs)``.
            targets: targets ``(N, outputs)``.
            through_solve: differentiate through the solve (U as a function of W).
        """
        import tensorflow as tf

        x, targets = _check_xy(x, targets, self.outputs)
        self._build_for(x)
        with tf.GradientTape() as tape:
            value = self.objective(x, targets, through_solve=through_solve)
        kernel, bias = tape.gradient(value, [self.kernel.value, self.bias.value])
        upper = self.closed_form_upper(*self.statistics(x, targets))
        return LowerGradient(
            *(np.asarray(part, dtype=np.float64) for part in (kernel, bias, upper))
        )

    def refine_lower(
        self, x: Any, targets: Any, steps: int, learning_rate: float
    ) -> None:
        """Full-batch gradient descent on ``kernel`` and ``bias``, U in closed form.

        Each step moves the lower weights by ``learning_rate`` times the per-sample mean
        of :meth:`lower_gradient`.

        Args:
            x: every training input ``(N, inputs)``.
            targets: their targets ``(N, outputs)``.
            steps: how many steps (0 leaves the weights as they are).
            learning_rate: the step size on the per-sample mean gradient.
        """
        x, targets = _check_xy(x, targets, self.outputs)
        steps, learning_rate = _check_refinement(steps, learning_rate)
        self._build_for(x)
        step_size = learning_rate / len(x)
        for _ in range(steps):
            gradient = self.lower_gradient(x, targets)
            kernel_step = keras.ops.cast(step_size * gradient.kernel, self.kernel.dtype)
            bias_step = keras.ops.cast(step_size * gradient.bias, self.bias.dtype)
            self.kernel.assign(self.kernel - kernel_step)
            self.bias.assign(self.bias - bias_step)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, so that Keras can save and rebuild the layer."""
        return {
            **super().get_config(),
            "units": self.units,
            "outputs": self.outputs,
            "lam": self.lam,
            "weight_scale": self.weight_scale,
            "seed": self.seed,
        }

    def _build_for(self, x: np.ndarray) -> None:
        if not self.built:
            self.build(x.shape)
        elif x.shape[1] != self.kernel.shape[0]:
            raise ValueError(
                f"`x` must have {self.kernel.shape[0]} columns, the inputs this module "
                f"was built for; got shape {x.shape}"
            )


@keras.saving.register_keras_serializable(package="dlcourse")
class DeepStackingNetwork(keras.Model):
    """A stack of :class:`DSNModule` layers; module ``k`` reads ``[x, y_1 .. y_{k-1}]``.

    Its output is the top module's; :meth:`all_outputs` returns every module's. Train it
    with :meth:`fit_modules` (the closed form needs the full batch), not ``fit``.
    Chapter 5.

    Args:
        input_dim: features of the raw input ``D``.
        outputs: outputs ``C`` of every module (one per class).
        units: hidden units per module.
        num_modules: modules in the stack (at most ``MAX_MODULES``).
        lam: the ridge penalty of every module.
        weight_scale: the spread of the random lower weights.
        seed: module ``k`` draws its lower weights with seed ``seed + k``.
        **kwargs: passed to ``keras.Model`` (``name``, ``dtype``, ``trainable``).
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
        self.input_dim = check_int(
            "input_dim", input_dim, minimum=1, maximum=MAX_INPUTS
        )
        self.units, self.outputs, self.lam, self.weight_scale = _check_common(
            units, outputs, lam, weight_scale
        )
        self.num_modules = check_int(
            "num_modules", num_modules, minimum=1, maximum=MAX_MODULES
        )
        self.seed = check_int("seed", seed, minimum=0)
        self.stack = [
            DSNModule(
                units,
                outputs,
                lam,
                weight_scale,
                seed + k,
                dtype=self.dtype_policy,
                trainable=self.trainable,
                name=f"module_{k + 1}",
            )
            for k in range(num_modules)
        ]

    def build(self, input_shape: tuple[int | None, ...] | None = None) -> None:
        """Build every module for its stacked input width ``input_dim + k * outputs``.

        Args:
            input_shape: ``(batch, input_dim)``; the widths follow from the constructor.
        """
        for k, module in enumerate(self.stack):
            module.build((None, self.input_dim + k * self.outputs))
        self.built = True

    def compute_output_shape(
        self, input_shape: tuple[int | None, ...]
    ) -> tuple[int | None, ...]:
        """The output shape: the input's, with ``outputs`` features.

        Args:
            input_shape: ``(batch, input_dim)``.
        """
        return (*tuple(input_shape)[:-1], self.outputs)

    def all_outputs(self, x: Any) -> list[Any]:
        """Every module's output, bottom to top.

        Args:
            x: raw inputs ``(batch, input_dim)``.
        """
        outputs: list[Any] = []
        for module in self.stack:
            module_input = (
                keras.ops.concatenate([x, *outputs], axis=-1) if outputs else x
            )
            outputs.append(module(module_input))
        return outputs

    def call(self, inputs: Any) -> Any:
        """The top module's output: the network's prediction.

        Args:
            inputs: raw inputs ``(batch, input_dim)``.
        """
        return self.all_outputs(inputs)[-1]

    def fit_modules(
        self,
        x: Any,
        targets: Any,
        *,
        refine_steps: int = 0,
        learning_rate: float = 1.0,
    ) -> list[float]:
        """Train the modules one after another on the full batch; each one's seconds.

        For each module: its stacked input from ``x`` and the (fixed) outputs of the
        modules below, ``refine_steps`` gradient steps on its lower weights, then its
        upper weights in closed form.

        Args:
            x: every training input ``(N, input_dim)``.
            targets: their targets ``(N, outputs)``.
            refine_steps: gradient steps on each module's lower weights.
            learning_rate: the step size of those steps.
        """
        x, targets = _check_xy(x, targets, self.outputs)
        if x.shape[1] != self.input_dim:
            raise ValueError(
                f"`x` must have {self.input_dim} columns (input_dim); got shape "
                f"{x.shape}"
            )
        refine_steps, learning_rate = _check_refinement(
            refine_steps, learning_rate, "refine_steps"
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
            module_x = np.concatenate([module_x, output.astype(np.float64)], axis=1)
        return seconds

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, for ``keras.saving.load_model`` to rebuild it."""
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "outputs": self.outputs,
            "units": self.units,
            "num_modules": self.num_modules,
            "lam": self.lam,
            "weight_scale": self.weight_scale,
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package="dlcourse")
class ClosedFormModule(keras.Model):
    """One DSN module that ``model.fit`` trains, batch by batch, in ``keras.ops``.

    The closed form needs the data only through the sums H^T H and H^T T, so
    :meth:`train_step` adds each batch's share to two float64 accumulators, and
    :meth:`finish_epoch` solves ``(H^T H + lam I) U = H^T T`` once the epoch has seen
    every batch. With ``refine_steps > 0``, epochs alternate: an epoch that solves for
    ``U``, then an epoch that accumulates the analytic gradient of the lower weights at
    that ``U`` (the envelope gradient of
    :func:`dlcourse.reference.dsn.lower_gradient`) and takes one full-batch step, and so
    on; the last epoch solves. Train with ``fit(data, epochs=model.epochs_needed,
    callbacks=[SolveAtEpochEnd()])``; extra epochs repeat the final solve. Chapter 5.

    The model is built by its constructor (``input_dim`` is known), so that the
    accumulators exist before the first epoch begins. They are kept like a metric's
    state (``synchronization="on_read"``, ``aggregation="sum"``): created and compiled
    inside a ``tf.distribute`` strategy's scope, each replica adds its part of every
    batch to its own copy, and the epoch-end solve reads their sum, so ``fit`` on
    several replicas gives the single-device weights. The first batch must split
    evenly between the replicas (Keras averages its parts to build the model). With
    the TensorFlow backend, ``keras.distribution.DataParallel`` leaves the variables
    on one device, and ``fit`` then runs there.

    Args:
        input_dim: features of the input ``D``.
        units: hidden units ``L``.
        outputs: linear outputs ``C``, one per class.
        lam: the ridge penalty (at least 0).
        weight_scale: the random ``kernel`` is N(0, weight_scale**2 / inputs).
        seed: seed of the random ``kernel`` (``None``: a fresh draw).
        refine_steps: full-batch gradient steps on the lower weights.
        learning_rate: the step size on the per-sample mean gradient.
        **kwargs: passed to ``keras.Model`` (``name``, ``dtype``, ``trainable``).
    """

    def __init__(
        self,
        input_dim: int,
        units: int,
        outputs: int,
        lam: float = 1.0,
        weight_scale: float = WEIGHT_SCALE,
        seed: int | None = None,
        refine_steps: int = 0,
        learning_rate: float = 1.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.refine_steps, self.learning_rate = _check_refinement(
            refine_steps, learning_rate, "refine_steps"
        )
        self.module = DSNModule(
            units, outputs, lam, weight_scale, seed, dtype=self.dtype_policy
        )
        self.units, self.outputs = self.module.units, self.module.outputs
        self.input_dim = check_int(
            "input_dim", input_dim, minimum=1, maximum=MAX_INPUTS
        )
        self.build((None, self.input_dim))

    @property
    def epochs_needed(self) -> int:
        """Epochs of ``fit`` for every refinement step and the final solve."""
        return 2 * self.refine_steps + 1

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        """Build the module and the float64 accumulators of one epoch.

        Args:
            input_shape: ``(batch, inputs)``.
        """
        self.module.build(input_shape)
        inputs, units = self.module.kernel.shape
        shapes = {
            "gram": (units, units),
            "cross": (units, self.outputs),
            "kernel_gradient": (inputs, units),
            "bias_gradient": (units,),
            "samples": (),
        }
        for name, shape in shapes.items():
            # Like a metric's state: under a distribution strategy each replica adds
            # its part of every batch to its own copy ("on_read"), and reading the
            # sums outside train_step adds the copies up ("sum").
            with keras.name_scope(self.name, caller=self):
                variable = keras.Variable(
                    initializer="zeros",
                    shape=shape,
                    dtype="float64",
                    trainable=False,
                    aggregation="sum",
                    synchronization="on_read",
                    name=name,
                )
            setattr(self, name, variable)
        # 1 in an epoch that accumulates the lower-weight gradient, 0 otherwise.
        self.refining = self.add_weight(
            name="refining", shape=(), initializer="zeros", trainable=False
        )

    def call(self, inputs: Any) -> Any:
        """The module's output Y = H U.

        Args:
            inputs: ``(batch, inputs)``.
        """
        return self.module(inputs)

    def compute_output_shape(
        self, input_shape: tuple[int | None, ...]
    ) -> tuple[int | None, ...]:
        """The output shape: the input's, with ``outputs`` features.

        Args:
            input_shape: ``(batch, inputs)``.
        """
        return (*tuple(input_shape)[:-1], self.outputs)

    def train_step(self, data: Any) -> dict[str, Any]:
        """Add this batch's H^T H, H^T T (and, when refining, its gradient share).

        Args:
            data: a batch ``(x, targets)``.
        """
        x, t = data[0], data[1]
        h = keras.ops.cast(self.module.hidden(x), "float64")
        x, t = keras.ops.cast(x, "float64"), keras.ops.cast(t, "float64")
        self.gram.assign_add(keras.ops.transpose(h) @ h)
        self.cross.assign_add(keras.ops.transpose(h) @ t)
        self.samples.assign_add(keras.ops.cast(keras.ops.shape(x)[0], "float64"))

        def gradient_share() -> tuple[Any, Any]:
            upper = keras.ops.cast(self.module.upper, "float64")
            delta = ((h @ upper - t) @ keras.ops.transpose(upper)) * h * (1.0 - h)
            return keras.ops.transpose(x) @ delta, keras.ops.sum(delta, axis=0)

        def no_share() -> tuple[Any, Any]:
            return (
                keras.ops.zeros(self.kernel_gradient.shape, "float64"),
                keras.ops.zeros(self.bias_gradient.shape, "float64"),
            )

        kernel_share, bias_share = keras.ops.cond(
            self.refining > 0.5, gradient_share, no_share
        )
        self.kernel_gradient.assign_add(kernel_share)
        self.bias_gradient.assign_add(bias_share)
        return {"samples": self.samples}

    def start_epoch(self, epoch: int) -> None:
        """Zero the accumulators; epochs 1, 3, .. below ``epochs_needed - 1`` refine.

        Args:
            epoch: the epoch about to start, from 0.
        """
        refining = epoch % 2 == 1 and epoch < 2 * self.refine_steps
        for variable in (
            self.gram,
            self.cross,
            self.kernel_gradient,
            self.bias_gradient,
            self.samples,
        ):
            variable.assign(keras.ops.zeros(variable.shape, "float64"))
        self.refining.assign(1.0 if refining else 0.0)

    def finish_epoch(self) -> None:
        """Solve for U from the epoch's sums, or take the epoch's gradient step."""
        if float(keras.ops.convert_to_numpy(self.refining)) > 0.5:
            step_size = self.learning_rate / self.samples
            for weight, gradient in (
                (self.module.kernel, self.kernel_gradient),
                (self.module.bias, self.bias_gradient),
            ):
                step = keras.ops.cast(step_size * gradient, weight.dtype)
                weight.assign(weight - step)
        else:
            self.module.set_upper_from_statistics(self.gram, self.cross)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, so that Keras can save and rebuild the model."""
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "units": self.units,
            "outputs": self.outputs,
            "lam": self.module.lam,
            "weight_scale": self.module.weight_scale,
            "seed": self.module.seed,
            "refine_steps": self.refine_steps,
            "learning_rate": self.learning_rate,
        }


class SolveAtEpochEnd(keras.callbacks.Callback):
    """Drives :class:`ClosedFormModule` through ``fit``: zeroes its accumulators when an
    epoch begins and solves (or steps) when it ends. Chapter 5."""

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Zero the sums of the epoch about to start.

        Args:
            epoch: the epoch, from 0.
            logs: unused.
        """
        self._module().start_epoch(epoch)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Solve for U (or step the lower weights) from the epoch's sums.

        Args:
            epoch: the epoch, from 0.
            logs: unused.
        """
        self._module().finish_epoch()

    def _module(self) -> ClosedFormModule:
        if not isinstance(self.model, ClosedFormModule):
            raise TypeError(
                "SolveAtEpochEnd drives a ClosedFormModule; `fit` was called on "
                f"{type(self.model).__name__}"
            )
        return self.model
