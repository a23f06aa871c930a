"""A restricted Boltzmann machine as a Keras 3 model, trained by contrastive divergence in its own
``train_step`` (introduced in the deep-belief-network chapter).

:class:`RBM` computes with ``keras.ops`` only, so the training step runs inside the backend's compiled
function (``tf.function`` on TensorFlow). There is no loss to differentiate: CD-k gives the gradient estimate
directly, and the step hands its negative to the compiled optimizer, so ``SGD(learning_rate)`` performs
exactly the update of :func:`dlcourse.reference.rbm.cd_k_update`. :meth:`RBM.cd_step` takes its random
numbers as arguments for that comparison; ``train_step`` draws them from the model's own seed generator.

The module also holds :class:`FreeEnergyGap`, a callback that logs the monitor Hinton's practical guide
recommends, and :func:`classifier_from_rbms`, which turns a greedily trained stack into a Keras MLP.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

from dlcourse._checks import check_array, check_bool, check_int


@keras.saving.register_keras_serializable(package="dlcourse")
class RBM(keras.Model):
    """A Bernoulli-Bernoulli RBM with ``units`` hidden units, trained with CD-``k`` by ``fit``.

    Calling the model on ``v`` returns ``p(h = 1 | v)``, so a trained RBM is also a feature extractor. Weights
    ``kernel`` ``(visible, units)``, ``visible_bias`` and ``hidden_bias`` are created in ``build``. Compile
    with an optimizer (``keras.optimizers.SGD(0.05)`` reproduces plain CD); ``fit(x, epochs=...)`` needs no
    labels and logs ``reconstruction_error``. Introduced in the deep-belief-network chapter.
    """

    def __init__(
        self, units: int, k: int = 1, seed: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.units = check_int("units", units, minimum=1)
        self.k = check_int("k", k, minimum=1)
        self.seed = None if seed is None else check_int("seed", seed, minimum=0)
        self.seed_generator = keras.random.SeedGenerator(self.seed)
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction_error")

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        """Create the weights for inputs of shape ``(batch, visible)``."""
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(
                f"an RBM takes inputs of shape (batch, visible), got {input_shape}"
            )
        visible = int(input_shape[-1])
        # Small random weights and zero biases: Hinton's guide; scikit-learn starts the same way.
        initializer = keras.initializers.RandomNormal(stddev=0.01, seed=self.seed)
        self.kernel = self.add_weight(
            shape=(visible, self.units), name="kernel", initializer=initializer
        )
        self.visible_bias = self.add_weight(
            shape=(visible,), name="visible_bias", initializer="zeros"
        )
        self.hidden_bias = self.add_weight(
            shape=(self.units,), name="hidden_bias", initializer="zeros"
        )

    def fit(self, x: Any = None, *args: Any, **kwargs: Any) -> Any:
        """Train with CD-k on the rows of ``x`` (no labels); the arguments are those of ``keras.Model.fit``."""
        # train_step never calls the model, so Keras would not build it: build from the data's width.
        if not self.built and x is not None and hasattr(x, "shape"):
            self.build((None, int(x.shape[-1])))
        return super().fit(x, *args, **kwargs)

    @property
    def visible_units(self) -> int:
        """How many visible units (input features) the RBM has; known after it is built."""
        return int(self.kernel.shape[0])

    def call(self, inputs: Any) -> Any:
        """Return ``p(h = 1 | v)`` for a batch of visible vectors."""
        return self.hidden_probabilities(inputs)

    def hidden_probabilities(self, v: Any) -> Any:
        """``p(h = 1 | v) = sigmoid(v W + c)``."""
        return ops.sigmoid(ops.matmul(v, self.kernel) + self.hidden_bias)

    def visible_probabilities(self, h: Any) -> Any:
        """``p(v = 1 | h) = sigmoid(h W^T + b)``."""
        return ops.sigmoid(
            ops.matmul(h, ops.transpose(self.kernel)) + self.visible_bias
        )

    def free_energy(self, v: Any) -> Any:
        """``F(v) = -v.b - sum_j softplus(c_j + v W[:, j])``, one value per row."""
        return -ops.matmul(v, self.visible_bias[:, None])[:, 0] - ops.sum(
            ops.softplus(ops.matmul(v, self.kernel) + self.hidden_bias), axis=1
        )

    def cd_gradients(
        self, v0: Any, hidden_uniforms: Any, visible_uniforms: Any
    ) -> tuple[list[Any], Any]:
        """CD-k estimates of the log-likelihood gradient for ``kernel``, ``visible_bias``, ``hidden_bias``.

        The same chain and statistics as :func:`dlcourse.reference.rbm.cd_k_update`; the uniforms have
        shapes ``(k, batch, units)`` and ``(k, batch, visible)``. Also returns the reconstruction error.
        """
        v0 = ops.convert_to_tensor(v0, dtype=self.kernel.dtype)
        positive_hidden = self.hidden_probabilities(v0)
        h = ops.cast(hidden_uniforms[0] < positive_hidden, v0.dtype)
        reconstruction_error = None
        for step in range(self.k):
            visible_p = self.visible_probabilities(h)
            if reconstruction_error is None:
                reconstruction_error = ops.mean(ops.square(v0 - visible_p))
            v = ops.cast(visible_uniforms[step] < visible_p, v0.dtype)
            negative_hidden = self.hidden_probabilities(v)
            if step + 1 < self.k:
                h = ops.cast(hidden_uniforms[step + 1] < negative_hidden, v0.dtype)
        rows = ops.cast(ops.shape(v0)[0], v0.dtype)
        # One product for both phases: [v0; -v]^T [p(h|v0); p(h|v)] = v0^T p0 - v^T p.
        grad_kernel = (
            ops.matmul(
                ops.transpose(ops.concatenate([v0, -v], axis=0)),
                ops.concatenate([positive_hidden, negative_hidden], axis=0),
            )
            / rows
        )
        grad_visible = ops.mean(v0 - v, axis=0)
        grad_hidden = ops.mean(positive_hidden - negative_hidden, axis=0)
        return [grad_kernel, grad_visible, grad_hidden], reconstruction_error

    def cd_step(self, v0: Any, hidden_uniforms: Any, visible_uniforms: Any) -> Any:
        """Apply one CD-k update with the given random numbers through the compiled optimizer.

        The optimizer minimises, so it receives the negated estimates: gradient ascent on the
        log-likelihood. Returns the reconstruction error of the batch.
        """
        if getattr(self, "optimizer", None) is None:
            raise ValueError(
                "compile the RBM first, e.g. rbm.compile(optimizer=keras.optimizers.SGD(0.05))"
            )
        gradients, error = self.cd_gradients(v0, hidden_uniforms, visible_uniforms)
        self.optimizer.apply_gradients(
            zip(
                [-g for g in gradients],
                [self.kernel, self.visible_bias, self.hidden_bias],
                strict=True,
            )
        )
        return error

    def train_step(self, data: Any) -> dict[str, Any]:
        """One CD-k update on a batch, with random numbers from the model's seed generator."""
        v0 = data[0] if isinstance(data, tuple | list) else data
        v0 = ops.cast(v0, self.kernel.dtype)
        rows = ops.shape(v0)[0]
        hidden_uniforms = keras.random.uniform(
            (self.k, rows, self.units), seed=self.seed_generator
        )
        visible_uniforms = keras.random.uniform(
            (self.k, rows, self.kernel.shape[0]), seed=self.seed_generator
        )
        error = self.cd_step(v0, hidden_uniforms, visible_uniforms)
        self.reconstruction_tracker.update_state(error)
        return {"reconstruction_error": self.reconstruction_tracker.result()}

    def test_step(self, data: Any) -> dict[str, Any]:
        """The mean-field reconstruction error ``mean((v - p(v | p(h | v)))^2)`` of a batch."""
        v0 = data[0] if isinstance(data, tuple | list) else data
        v0 = ops.cast(v0, self.kernel.dtype)
        mean_field = self.visible_probabilities(self.hidden_probabilities(v0))
        self.reconstruction_tracker.update_state(ops.mean(ops.square(v0 - mean_field)))
        return {"reconstruction_error": self.reconstruction_tracker.result()}

    @property
    def metrics(self) -> list[Any]:
        """The reconstruction-error tracker, reset by Keras at the start of each epoch."""
        return [self.reconstruction_tracker]

    def gibbs_chain(self, v0: Any, steps: int, *, seed: int = 0) -> np.ndarray:
        """Run ``steps`` of block Gibbs sampling from ``v0``; return ``p(v | h_t)`` per step as NumPy.

        Shape ``(steps, batch, visible)``. Uses its own seed so that a chain can be replayed.
        """
        steps = check_int("steps", steps, minimum=1)
        seed = check_int("seed", seed, minimum=0)
        v = ops.convert_to_tensor(
            check_array("v0", v0, ndim=2, shape=(None, self.visible_units)),
            dtype=self.kernel.dtype,
        )
        generator = keras.random.SeedGenerator(seed)
        means = []
        for _ in range(steps):
            p_h = self.hidden_probabilities(v)
            h = ops.cast(
                keras.random.uniform(ops.shape(p_h), seed=generator) < p_h, v.dtype
            )
            p_v = self.visible_probabilities(h)
            means.append(ops.convert_to_numpy(p_v))
            v = ops.cast(
                keras.random.uniform(ops.shape(p_v), seed=generator) < p_v, v.dtype
            )
        return np.stack(means)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, so that a saved RBM loads again."""
        config = super().get_config()
        config.update({"units": self.units, "k": self.k, "seed": self.seed})
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> RBM:
        """Rebuild an RBM from :meth:`get_config`."""
        return cls(**config)


class FreeEnergyGap(keras.callbacks.Callback):
    """Log the mean free energy of a training subset and of held-out data, and their gap, after each epoch.

    The likelihood itself needs the intractable partition function, but ``Z`` cancels in a difference of
    free energies: a gap ``F(held-out) - F(train)`` that keeps growing says the RBM is starting to overfit
    (Hinton's practical guide, section 6). Adds ``free_energy_train``, ``free_energy_heldout`` and
    ``free_energy_gap`` to the logs and so to the history. Introduced in the deep-belief-network chapter.
    """

    def __init__(self, train_sample: Any, heldout_sample: Any) -> None:
        super().__init__()
        self.train_sample = check_array("train_sample", train_sample, ndim=2).astype(
            "float32"
        )
        self.heldout_sample = check_array(
            "heldout_sample", heldout_sample, ndim=2
        ).astype("float32")
        if self.train_sample.shape[1] != self.heldout_sample.shape[1]:
            raise ValueError(
                f"`heldout_sample` must have {self.train_sample.shape[1]} columns like "
                f"`train_sample`, got {self.heldout_sample.shape[1]}"
            )

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Compute both mean free energies and add them and their gap to ``logs``."""
        train = float(
            ops.convert_to_numpy(ops.mean(self.model.free_energy(self.train_sample)))
        )
        heldout = float(
            ops.convert_to_numpy(ops.mean(self.model.free_energy(self.heldout_sample)))
        )
        if logs is not None:
            logs.update(
                {
                    "free_energy_train": train,
                    "free_energy_heldout": heldout,
                    "free_energy_gap": heldout - train,
                }
            )


def classifier_from_rbms(
    rbms: list[RBM],
    classes: int,
    *,
    pretrained: bool = True,
    seed: int = 0,
    name: str = "dbn_classifier",
) -> keras.Model:
    """A sigmoid MLP with one hidden layer per RBM and a softmax output, for fine-tuning with labels.

    With ``pretrained=True`` each ``Dense`` layer starts from its RBM's ``kernel`` and ``hidden_bias``, so the
    network computes ``p(h | v)`` layer by layer, exactly the features the stack learned; with ``False`` the
    same architecture starts from Keras's default random initialisation (the baseline). The softmax layer
    always starts at random. Introduced in the deep-belief-network chapter.
    """
    if (
        not isinstance(rbms, list | tuple)
        or not rbms
        or not all(isinstance(r, RBM) for r in rbms)
    ):
        raise TypeError(
            f"`rbms` must be a non-empty list of trained RBM models, got {rbms!r:.80}"
        )
    classes = check_int("classes", classes, minimum=2)
    pretrained = check_bool("pretrained", pretrained)
    seed = check_int("seed", seed, minimum=0)
    for index, (lower, upper) in enumerate(zip(rbms, rbms[1:], strict=False)):
        if not upper.built or upper.visible_units != lower.units:
            raise ValueError(
                f"`rbms[{index + 1}]` must have {lower.units} visible units, one per hidden "
                f"unit of `rbms[{index}]`"
            )
    inputs = keras.Input(shape=(rbms[0].visible_units,), name="pixels")
    x = inputs
    hidden_layers = []
    for index, rbm in enumerate(rbms):
        layer = keras.layers.Dense(
            rbm.units,
            activation="sigmoid",
            name=f"hidden_{index + 1}",
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed + index),
        )
        x = layer(x)
        hidden_layers.append((layer, rbm))
    outputs = keras.layers.Dense(
        classes,
        activation="softmax",
        name="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 100),
    )(x)
    model = keras.Model(inputs, outputs, name=name)
    if pretrained:
        for layer, rbm in hidden_layers:
            layer.set_weights(
                [
                    ops.convert_to_numpy(rbm.kernel),
                    ops.convert_to_numpy(rbm.hidden_bias),
                ]
            )
    return model
