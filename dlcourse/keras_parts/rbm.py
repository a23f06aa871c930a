"""A restricted Boltzmann machine as a Keras 3 model, trained by contrastive divergence
(introduced in Chapter 4).

:class:`RBM` computes with ``keras.ops`` only, so its training step runs inside the
backend's compiled function. There is no loss to differentiate: CD-k gives the gradient
estimate directly (:meth:`RBM.cd_gradients`), and the step hands its negative to the
optimizer, so ``SGD(learning_rate)`` makes exactly the update of
:func:`dlcourse.reference.rbm.cd_update`. The weights have the names and order of
:class:`dlcourse.reference.rbm.RBMWeights`, so ``RBMWeights(*rbm.get_weights())`` works.

The module also holds :class:`FreeEnergyGap`, a callback that logs the monitor Hinton's
practical guide recommends, and :func:`classifier_from_rbms`, which turns a greedily
trained stack into a Keras MLP.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

from dlcourse._checks import check_array, check_bool, check_int, describe
from dlcourse.reference.rbm import CDGradients

#: Most hidden units an RBM may have (a typo such as ``units=10**9`` fails at once).
MAX_UNITS = 100_000
#: Most Gibbs steps per CD update.
MAX_K = 1_000
#: Most epochs of ``train_epochs``.
MAX_EPOCHS = 100_000
#: Most persistent chains (each holds one visible vector).
MAX_CHAINS = 100_000
#: The weight names, in the order of ``get_weights()`` (and of ``RBMWeights``).
WEIGHT_NAMES = ("kernel", "visible_bias", "hidden_bias")
#: The key under which a saved RBM keeps the state of its random-number stream.
SEED_STATE_KEY = "seed_generator_state"
#: The key under which a saved persistent-CD RBM keeps its chains.
CHAINS_KEY = "persistent_chains"


class _Chains:
    """Holds the persistent chains out of Keras's weight tracking, so that
    ``get_weights()`` stays ``(kernel, visible_bias, hidden_bias)``."""

    def __init__(self, variable: Any) -> None:
        self.variable = variable


def _visible_batch(data: Any) -> Any:
    """The visible vectors of a batch: ``x``, or the first of ``(x, y)``."""
    return data[0] if isinstance(data, tuple | list) else data


@keras.saving.register_keras_serializable(package="dlcourse")
class RBM(keras.Model):
    """A Bernoulli-Bernoulli RBM with ``units`` hidden units, trained with CD-``k``.

    Calling the model on ``v`` returns ``p(h = 1 | v)``, so a trained RBM is also a
    feature extractor. ``build`` creates ``kernel`` ``(visible, units)``,
    ``visible_bias`` and ``hidden_bias``. Compile with an optimizer
    (``keras.optimizers.SGD(0.05)`` is plain CD); ``fit(x, epochs=...)`` needs no labels
    and logs ``reconstruction_error``. The random numbers of ``fit`` come from the
    model's own seed generator, whose state is saved with the model, so a loaded RBM
    continues its random stream. The CD statistics are computed in the variables' dtype
    (float32 also under a ``mixed_float16`` policy); ``call`` uses the compute dtype.

    With ``persistent_chains`` set, ``fit`` runs persistent CD (Tieleman 2008): the
    negative chains start where the previous update left them (all-zero images at
    first) instead of at the batch. Their number must be at least ``fit``'s batch size;
    a batch of ``n`` uses the first ``n`` chains. They are saved with the model, but are
    not weights.

    Args:
        units: number of hidden units.
        k: Gibbs steps per CD update (CD-k).
        seed: seed of the initial weights and of the random stream (``None``: random).
        persistent_chains: number of persistent chains, or ``None`` for plain CD.
        **kwargs: passed to ``keras.Model`` (``name``, ``dtype``, ``trainable``).
    """

    def __init__(
        self,
        units: int,
        k: int = 1,
        seed: int | None = None,
        persistent_chains: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.units = check_int("units", units, minimum=1, maximum=MAX_UNITS)
        self.k = check_int("k", k, minimum=1, maximum=MAX_K)
        self.seed = None if seed is None else check_int("seed", seed, minimum=0)
        if persistent_chains is not None:
            persistent_chains = check_int(
                "persistent_chains", persistent_chains, minimum=1, maximum=MAX_CHAINS
            )
        self.persistent_chains = persistent_chains
        self._chains: _Chains | None = None
        self.seed_generator = keras.random.SeedGenerator(self.seed)
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction_error")

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        """Create the weights for inputs of shape ``(batch, visible)``.

        Args:
            input_shape: the shape of a batch of visible vectors.
        """
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(
                "`input_shape` of an RBM must be (batch, visible), got "
                f"{tuple(input_shape)}"
            )
        visible = int(input_shape[-1])
        # Small random weights and zero biases: Hinton's guide; scikit-learn's start.
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
        if self.persistent_chains is not None:
            self._chains = _Chains(
                keras.Variable(
                    np.zeros((self.persistent_chains, visible)),
                    dtype=self.variable_dtype,
                    trainable=False,
                    name="persistent_chains",
                )
            )

    @property
    def chains(self) -> Any:
        """The persistent chains' visible states, ``(persistent_chains, visible)``; or
        ``None`` for plain CD."""
        return None if self._chains is None else self._chains.variable

    @property
    def visible_units(self) -> int:
        """How many visible units (input features) the RBM has, once it is built."""
        return int(self.kernel.shape[0])

    def call(self, inputs: Any) -> Any:
        """Return ``p(h = 1 | v)`` for a batch of visible vectors.

        Args:
            inputs: visible vectors, ``(batch, visible)``.
        """
        return self.hidden_probabilities(inputs)

    def compute_output_shape(
        self, input_shape: tuple[int | None, ...]
    ) -> tuple[int | None, ...]:
        """``(batch, units)``: one probability per hidden unit.

        Args:
            input_shape: the shape of a batch of visible vectors.
        """
        return (input_shape[0], self.units)

    def hidden_probabilities(self, v: Any) -> Any:
        """``p(h = 1 | v) = sigmoid(v W + c)``.

        Args:
            v: visible vectors, ``(batch, visible)``.
        """
        return ops.sigmoid(ops.matmul(v, self.kernel) + self.hidden_bias)

    def visible_probabilities(self, h: Any) -> Any:
        """``p(v = 1 | h) = sigmoid(h W^T + b)``.

        Args:
            h: hidden vectors, ``(batch, units)``.
        """
        return ops.sigmoid(
            ops.matmul(h, ops.transpose(self.kernel)) + self.visible_bias
        )

    def free_energy(self, v: Any) -> Any:
        """``F(v) = -v.b - sum_j softplus(c_j + v W[:, j])``, one value per row.

        Args:
            v: visible vectors, ``(batch, visible)``.
        """
        return -ops.matmul(v, self.visible_bias) - ops.sum(
            ops.softplus(ops.matmul(v, self.kernel) + self.hidden_bias), axis=1
        )

    def cd_gradients(
        self,
        v0: Any,
        hidden_uniforms: Any,
        visible_uniforms: Any,
        chain_start: Any = None,
    ) -> CDGradients:
        """The CD-k estimate of the log-likelihood gradient, as the NumPy reference.

        The same chain and statistics as :func:`dlcourse.reference.rbm.cd_gradients`.

        Args:
            v0: a batch of training vectors, ``(n, visible)``.
            hidden_uniforms: random numbers for the hidden samples, ``(n, k, units)``.
            visible_uniforms: random numbers for the visible samples,
                ``(n, k, visible)``.
            chain_start: where the negative chains start, ``(n, visible)``: ``None``
                for CD (the data), the persistent chains for persistent CD.
        """
        positive_hidden = self.hidden_probabilities(v0)
        if chain_start is None:  # CD: the chain starts at the data
            start_hidden = positive_hidden
        else:  # persistent CD: it goes on from where the last update left it
            start_hidden = self.hidden_probabilities(chain_start)
        h = ops.cast(hidden_uniforms[:, 0] < start_hidden, v0.dtype)
        for t in range(self.k):
            visible_means = self.visible_probabilities(h)
            if t == 0:
                reconstruction = visible_means
            v = ops.cast(visible_uniforms[:, t] < visible_means, v0.dtype)
            negative_hidden = self.hidden_probabilities(v)
            if t + 1 < self.k:
                h = ops.cast(hidden_uniforms[:, t + 1] < negative_hidden, v0.dtype)
        n = ops.cast(ops.shape(v0)[0], v0.dtype)
        # v0^T p0 - v^T p as one product of [v0; -v] and [p0; p]: one call, not two.
        kernel = ops.matmul(
            ops.transpose(ops.concatenate([v0, -v], axis=0)),
            ops.concatenate([positive_hidden, negative_hidden], axis=0),
        )
        return CDGradients(
            kernel=kernel / n,
            visible_bias=ops.mean(v0 - v, axis=0),
            hidden_bias=ops.mean(positive_hidden - negative_hidden, axis=0),
            negative_visible=v,
            reconstruction_error=ops.mean(ops.square(v0 - reconstruction)),
        )

    def cd_step(
        self,
        v0: Any,
        hidden_uniforms: Any,
        visible_uniforms: Any,
        chain_start: Any = None,
    ) -> CDGradients:
        """Apply one CD-k update with the given random numbers; return the estimates.

        The optimizer minimises, so it receives the negated estimates: gradient ascent
        on the log-likelihood. Returns the
        :class:`~dlcourse.reference.rbm.CDGradients` it applied (with the batch's
        ``reconstruction_error``).

        Args:
            v0: a batch of training vectors, ``(n, visible)``.
            hidden_uniforms: random numbers for the hidden samples, ``(n, k, units)``.
            visible_uniforms: random numbers for the visible samples,
                ``(n, k, visible)``.
            chain_start: where the negative chains start (``None`` for CD).
        """
        if getattr(self, "optimizer", None) is None:
            raise ValueError(
                "compile the RBM before `cd_step`, e.g. "
                "rbm.compile(optimizer=keras.optimizers.SGD(0.05))"
            )
        dtype = self.variable_dtype
        v0, hidden_uniforms, visible_uniforms = (
            ops.cast(array, dtype) for array in (v0, hidden_uniforms, visible_uniforms)
        )
        if chain_start is not None:
            chain_start = ops.cast(chain_start, dtype)
        gradients = self.cd_gradients(
            v0, hidden_uniforms, visible_uniforms, chain_start
        )
        self.optimizer.apply(
            [-gradient for gradient in gradients[:3]],
            [self.kernel, self.visible_bias, self.hidden_bias],
        )
        return gradients

    def _train_batch(self, v0: Any) -> Any:
        """One CD-k update on ``v0`` with random numbers from the model's seed stream
        (and the persistent chains, if any); returns the reconstruction error."""
        n, visible = ops.shape(v0)
        hidden_uniforms, visible_uniforms = (
            keras.random.uniform(
                (n, self.k, units), dtype=self.variable_dtype, seed=self.seed_generator
            )
            for units in (self.units, visible)
        )
        chains = self.chains
        chain_start = None
        if chains is not None:  # persistent CD: the first n chains go on
            chain_start = ops.slice(chains, (0, 0), (n, visible))
        gradients = self.cd_step(v0, hidden_uniforms, visible_uniforms, chain_start)
        if chains is not None:
            chains.assign(ops.slice_update(chains, (0, 0), gradients.negative_visible))
        return gradients.reconstruction_error

    def train_step(self, data: Any) -> dict[str, Any]:
        """One CD-k update on a batch, with random numbers from the model's seed stream.

        The first batch builds the model. The update is stateful (``optimizer.apply``),
        as on the TensorFlow and PyTorch backends; JAX's stateless ``train_step`` is not
        implemented.

        Args:
            data: a batch from ``fit``: ``v``, or ``(v, ignored labels)``.
        """
        v0 = ops.cast(_visible_batch(data), self.variable_dtype)
        if not self.built:  # the first batch gives the number of visible units
            self.build(tuple(v0.shape))
        self.reconstruction_tracker.update_state(self._train_batch(v0))
        return {"reconstruction_error": self.reconstruction_tracker.result()}

    def train_epochs(
        self, x: Any, epochs: int, batch_size: int, *, shuffle: bool = True
    ) -> list[float]:
        """CD-k over whole epochs, each one compiled call: the fast path of ``fit``.

        The same updates as ``fit(x, epochs=..., batch_size=...)`` (batches of a
        shuffled copy of ``x``, the last one smaller if ``batch_size`` does not divide
        the rows), but the batches are sliced from ``x`` in memory inside one
        ``tf.function`` per epoch, with no input pipeline and no Python between
        batches. On another backend the batches run one by one. Compile first.
        Returns the mean reconstruction error of each epoch.

        Args:
            x: the training vectors, ``(rows, visible)``.
            epochs: how many passes over ``x``.
            batch_size: rows per CD update.
            shuffle: visit the rows in a fresh random order at each epoch.
        """
        x = check_array("x", x, ndim=2)
        epochs = check_int("epochs", epochs, minimum=1, maximum=MAX_EPOCHS)
        batch_size = check_int("batch_size", batch_size, minimum=1, maximum=len(x))
        shuffle = check_bool("shuffle", shuffle)
        if getattr(self, "optimizer", None) is None:
            raise ValueError(
                "compile the RBM before `train_epochs`, e.g. "
                "rbm.compile(optimizer=keras.optimizers.SGD(0.05))"
            )
        if not self.built:
            self.build(x.shape)
        if self.chains is not None and batch_size > self.persistent_chains:
            raise ValueError(
                f"`batch_size` must be at most persistent_chains="
                f"{self.persistent_chains}, got {batch_size}"
            )
        self.optimizer.build(self.trainable_variables)
        v = ops.convert_to_tensor(x, dtype=self.variable_dtype)
        epoch = self._epoch_function(len(x), batch_size, shuffle)
        return [float(ops.convert_to_numpy(epoch(v))) for _ in range(epochs)]

    def _epoch_function(self, rows: int, batch_size: int, shuffle: bool) -> Any:
        """One epoch of CD-k as a function of the data (compiled on TensorFlow)."""
        full_batches, rest = divmod(rows, batch_size)

        def epoch(v: Any) -> Any:
            if shuffle:
                order = keras.random.shuffle(ops.arange(rows), seed=self.seed_generator)
                v = ops.take(v, order, axis=0)
            total = ops.zeros((), dtype=self.variable_dtype)
            for i in batch_range(full_batches):
                start = i * batch_size  # a static batch shape: (batch_size, visible)
                batch = ops.slice(v, (start, 0), (batch_size, ops.shape(v)[1]))
                total += self._train_batch(batch)
            if rest:
                total += self._train_batch(v[full_batches * batch_size :])
            return total / (full_batches + (rest > 0))

        if keras.config.backend() != "tensorflow":
            batch_range = range
            return epoch
        import tensorflow as tf

        batch_range = tf.range  # AutoGraph turns the loop into one tf.while_loop
        key = (rows, batch_size, shuffle)
        if getattr(self, "_compiled_epoch", (None,))[0] != key:
            self._compiled_epoch = (key, tf.function(epoch))
        return self._compiled_epoch[1]

    def test_step(self, data: Any) -> dict[str, Any]:
        """The mean-field reconstruction error ``mean((v - p(v | p(h | v)))^2)``.

        Args:
            data: a batch from ``evaluate``: ``v``, or ``(v, ignored labels)``.
        """
        v0 = ops.cast(_visible_batch(data), self.variable_dtype)
        mean_field = self.visible_probabilities(self.hidden_probabilities(v0))
        self.reconstruction_tracker.update_state(ops.mean(ops.square(v0 - mean_field)))
        return {"reconstruction_error": self.reconstruction_tracker.result()}

    @property
    def metrics(self) -> list[Any]:
        """The reconstruction-error tracker, which Keras resets at each epoch."""
        return [self.reconstruction_tracker]

    def save_own_variables(self, store: Any) -> None:
        """Save the weights and the state of the random stream.

        Args:
            store: the mapping Keras saves the model's variables into.
        """
        super().save_own_variables(store)
        store[SEED_STATE_KEY] = ops.convert_to_numpy(self.seed_generator.state)
        if self.chains is not None:
            store[CHAINS_KEY] = ops.convert_to_numpy(self.chains)

    def load_own_variables(self, store: Any) -> None:
        """Load the weights and the state of the random stream saved by
        :meth:`save_own_variables`.

        Args:
            store: the mapping Keras loads the model's variables from.
        """
        if SEED_STATE_KEY in store:
            self.seed_generator.state.assign(np.asarray(store[SEED_STATE_KEY]))
        if CHAINS_KEY in store and self.chains is not None:
            self.chains.assign(np.asarray(store[CHAINS_KEY]))
        own = (SEED_STATE_KEY, CHAINS_KEY)
        super().load_own_variables(
            {key: store[key] for key in store.keys() if key not in own}
        )

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, with Keras's own (name, trainable, dtype)."""
        return {
            **super().get_config(),
            "units": self.units,
            "k": self.k,
            "seed": self.seed,
            "persistent_chains": self.persistent_chains,
        }


class FreeEnergyGap(keras.callbacks.Callback):
    """Log the mean free energy of training and held-out images, and their gap.

    ``Z`` cancels in a difference of free energies: a gap ``F(held-out) - F(train)``
    that keeps growing says the RBM is starting to overfit (Hinton's practical guide,
    section 6). Adds ``free_energy_train``, ``free_energy_heldout`` and
    ``free_energy_gap`` to the logs after each epoch, and so to the history.

    Args:
        train_sample: training vectors to watch, ``(rows, visible)``.
        heldout_sample: held-out vectors to watch, ``(rows, visible)``.
    """

    def __init__(self, train_sample: Any, heldout_sample: Any) -> None:
        super().__init__()
        self.train_sample = check_array("train_sample", train_sample, ndim=2)
        self.heldout_sample = check_array("heldout_sample", heldout_sample, ndim=2)
        if self.train_sample.shape[1] != self.heldout_sample.shape[1]:
            raise ValueError(
                f"`heldout_sample` must have {self.train_sample.shape[1]} columns like "
                f"`train_sample`, got {self.heldout_sample.shape[1]}"
            )

    def _mean_free_energy(self, sample: np.ndarray) -> float:
        v = ops.convert_to_tensor(sample, dtype=self.model.kernel.dtype)
        return float(ops.convert_to_numpy(ops.mean(self.model.free_energy(v))))

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Add both mean free energies and their gap to ``logs``.

        Args:
            epoch: the epoch that ended (from 0).
            logs: the epoch's logs, updated in place.
        """
        train = self._mean_free_energy(self.train_sample)
        heldout = self._mean_free_energy(self.heldout_sample)
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
    """A sigmoid MLP with one hidden layer per RBM and a softmax output, to fine-tune.

    With ``pretrained=True`` each ``Dense`` layer starts from its RBM's ``kernel`` and
    ``hidden_bias``, so the network computes ``p(h | v)`` layer by layer, exactly the
    features the stack learned; with ``False`` the same architecture starts from a
    Glorot-uniform initialisation (the baseline). The softmax layer always starts at
    random.

    Args:
        rbms: the trained RBMs, bottom first; each has as many visible units as the one
            below has hidden units.
        classes: number of classes of the softmax layer.
        pretrained: start the hidden layers from the RBMs' weights.
        seed: seed of the random initial weights.
        name: the Keras model's name.
    """
    if (
        not isinstance(rbms, list | tuple)
        or not rbms
        or not all(isinstance(r, RBM) for r in rbms)
    ):
        raise TypeError(
            "`rbms` must be a non-empty list of trained RBM models, got "
            f"{describe(rbms)}"
        )
    classes = check_int("classes", classes, minimum=2, maximum=MAX_UNITS)
    pretrained = check_bool("pretrained", pretrained)
    seed = check_int("seed", seed, minimum=0)
    if not isinstance(name, str) or not name:
        raise TypeError(f"`name` must be a non-empty string, got {describe(name)}")
    for index, rbm in enumerate(rbms):
        if not rbm.built:
            raise ValueError(f"`rbms[{index}]` must be built (trained), it is not")
    for index, (lower, upper) in enumerate(zip(rbms, rbms[1:], strict=False)):
        if upper.visible_units != lower.units:
            raise ValueError(
                f"`rbms[{index + 1}]` must have {lower.units} visible units, one per "
                f"hidden unit of `rbms[{index}]`, got {upper.visible_units}"
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
