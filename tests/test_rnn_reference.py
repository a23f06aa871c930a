"""The recurrent-network chapter's NumPy reference against Keras and tf.GradientTape.

Also: finite differences for BPTT, truncation, the gradient-decay measurement,
clipping, and the argument checks (bad input fails fast, naming the parameter).
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse.reference import _rnn_checks as checks
from dlcourse.reference import rnn as reference

pytestmark = pytest.mark.rnn

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

shapes = st.tuples(
    st.integers(1, 3),
    st.integers(1, 6),
    st.integers(1, 4),
    st.integers(1, 5),
    st.integers(1, 3),
)


def _elman_model(
    steps: int, features: int, units: int, outputs: int, seed: int
) -> keras.Model:
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((steps, features))
    hidden = keras.layers.SimpleRNN(
        units, return_sequences=True, bias_initializer="random_normal"
    )(inputs)
    readout = keras.layers.Dense(outputs, bias_initializer="random_normal")
    return keras.Model(inputs, readout(hidden))


def _random_rnn_weights(
    rng: np.random.Generator, features: int, units: int, scale: float = 0.5
) -> reference.RNNWeights:
    return reference.RNNWeights(
        rng.normal(size=(features, units)) * scale,
        rng.normal(size=(units, units)) * scale,
        rng.normal(size=units) * scale,
    )


@settings(max_examples=8, deadline=None)
@given(shapes, st.integers(0, 1000))
def test_elman_sequence_and_bptt_equal_keras(shape: tuple[int, ...], seed: int) -> None:
    batch, steps, features, units, outputs = shape
    model = _elman_model(steps, features, units, outputs, seed)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, steps, features)).astype(np.float32)
    targets = rng.normal(size=(batch, steps, outputs)).astype(np.float32)
    weights = reference.ElmanWeights(
        *[w.astype(np.float64) for w in model.get_weights()]
    )
    trace = reference.elman_sequence(x, weights)
    keras_outputs = keras.ops.convert_to_numpy(model(x))
    assert np.max(np.abs(trace.outputs - keras_outputs)) <= 1e-5
    last_state = keras.layers.SimpleRNN(units)
    last_state.build((None, steps, features))
    last_state.set_weights(model.layers[1].get_weights())
    keras_last = keras.ops.convert_to_numpy(last_state(x))
    assert np.max(np.abs(trace.hidden[:, -1] - keras_last)) <= 1e-5

    x_tensor = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x_tensor)
        loss = keras.losses.MeanSquaredError()(targets, model(x_tensor))
    tape_gradients = tape.gradient(loss, [*model.trainable_weights, x_tensor])
    result = reference.elman_gradients(x, targets, weights)
    assert abs(float(loss) - result.loss) <= 1e-5
    for name, tape_gradient in zip(
        [*reference.ElmanWeights._fields, "inputs"], tape_gradients, strict=True
    ):
        difference = getattr(result.gradients, name) - tape_gradient.numpy()
        assert np.max(np.abs(difference)) <= 1e-5, name


def test_rnn_sequence_equals_simple_rnn_and_weights_copy_over() -> None:
    keras.utils.set_random_seed(4)
    layer = keras.layers.SimpleRNN(5, return_sequences=True)
    x = np.random.default_rng(4).normal(size=(3, 7, 2)).astype(np.float32)
    keras_states = keras.ops.convert_to_numpy(layer(x))
    trace = reference.rnn_sequence(x, reference.RNNWeights(*layer.get_weights()))
    assert isinstance(trace, reference.RNNTrace)
    assert np.max(np.abs(trace.hidden - keras_states)) <= 1e-5


def test_rnn_step_is_one_step_of_rnn_sequence() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 1, 3))
    weights = _random_rnn_weights(rng, 3, 4, scale=1.0)
    h_0 = rng.normal(size=(2, 4))
    step = reference.rnn_step(x[:, 0], h_0, weights)
    trace = reference.rnn_sequence(x, weights, initial_state=h_0)
    assert np.allclose(step, trace.hidden[:, 0])


def test_cores_read_like_equations() -> None:
    """The entry points are checked cores: no check_* call inside the core itself."""
    for name in ("rnn_step", "rnn_sequence", "bptt", "jordan_step", "elman_gradients"):
        core = inspect.unwrap(getattr(reference, name))
        assert "check_" not in inspect.getsource(core), name
        assert getattr(reference, name).validate is getattr(checks, name)


@pytest.mark.parametrize("activation", checks.LAYER_ACTIVATIONS)
def test_bptt_matches_finite_differences_for_every_activation(activation: str) -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 5, 3))
    weights = _random_rnn_weights(rng, 3, 4)
    h_0 = rng.normal(size=(2, 4)) * 0.3
    loss_weights = rng.normal(size=(2, 5, 4))

    def loss(U: np.ndarray, h: np.ndarray) -> float:
        trace = reference.rnn_sequence(
            x,
            weights._replace(recurrent_kernel=U),
            activation=activation,
            initial_state=h,
        )
        return float(np.sum(loss_weights * trace.hidden))

    hidden = reference.rnn_sequence(
        x, weights, activation=activation, initial_state=h_0
    ).hidden
    gradients = reference.bptt(
        x, hidden, weights, loss_weights, activation=activation, initial_state=h_0
    )
    assert isinstance(gradients, reference.RNNGradients)

    def numeric(function, point: np.ndarray) -> np.ndarray:
        result = np.zeros_like(point)
        for index in np.ndindex(*point.shape):
            step = np.zeros_like(point)
            step[index] = 1e-6
            result[index] = (function(point + step) - function(point - step)) / 2e-6
        return result

    U = weights.recurrent_kernel
    assert np.allclose(
        gradients.recurrent_kernel, numeric(lambda u: loss(u, h_0), U), atol=1e-5
    )
    assert np.allclose(
        gradients.initial_state, numeric(lambda h: loss(U, h), h_0), atol=1e-5
    )


def _elman_problem(
    seed: int = 2,
) -> tuple[np.ndarray, np.ndarray, reference.ElmanWeights]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 8, 3))
    layer = _random_rnn_weights(rng, 3, 4, scale=0.6)
    weights = reference.ElmanWeights(
        *layer, rng.normal(size=(4, 2)), rng.normal(size=2)
    )
    return x, rng.normal(size=(2, 8, 2)), weights


def test_truncated_bptt_cuts_long_paths_only() -> None:
    x, targets, weights = _elman_problem()
    full = reference.elman_gradients(x, targets, weights).gradients

    def truncated(k: int) -> reference.ElmanGradients:
        return reference.elman_gradients(x, targets, weights, truncation=k).gradients

    errors = [
        np.abs(truncated(k).recurrent_kernel - full.recurrent_kernel).max()
        for k in range(1, 9)
    ]
    assert np.allclose(truncated(8).recurrent_kernel, full.recurrent_kernel)
    # With h_0 = 0, dL/dU gets nothing from the path to h_0, so k = T - 1 is exact.
    assert errors[-2] < 1e-12 < errors[0]
    # The readout does not depend on the recurrence: truncation leaves it alone.
    assert np.allclose(truncated(1).output_kernel, full.output_kernel)
    # With k = 1 every error reaches only its own step: delta_t = g_t * slope_t.
    hidden, outputs = reference.elman_sequence(x, weights)
    grad_hidden = (2 * (outputs - targets) / targets.size) @ weights.output_kernel.T
    delta = grad_hidden * (1 - hidden**2)
    h_prev = np.concatenate([np.zeros((2, 1, 4)), hidden[:, :-1]], axis=1)
    assert np.allclose(
        truncated(1).recurrent_kernel, np.einsum("btv,btu->vu", h_prev, delta)
    )


def test_jordan_sequence_equals_step_by_step() -> None:
    rng = np.random.default_rng(3)
    weights = reference.JordanWeights(
        rng.normal(size=(3, 4)),
        rng.normal(size=(2, 4)),
        rng.normal(size=4),
        rng.normal(size=(4, 2)),
        rng.normal(size=2),
    )
    x = rng.normal(size=(2, 5, 3))
    trace = reference.jordan_sequence(x, weights)
    y = np.zeros((2, 2))
    for t in range(5):
        h = np.tanh(
            x[:, t] @ weights.kernel + y @ weights.feedback_kernel + weights.bias
        )
        y = h @ weights.output_kernel + weights.output_bias
        assert np.allclose(trace.hidden[:, t], h) and np.allclose(
            trace.outputs[:, t], y
        )
    step = reference.jordan_step(x[:, 0], np.zeros((2, 2)), weights)
    assert isinstance(step, reference.JordanStep)
    assert np.allclose(step.output, trace.outputs[:, 0])
    softmax = reference.jordan_sequence(x, weights, output_activation="softmax")
    assert np.allclose(softmax.outputs.sum(axis=-1), 1.0)


@pytest.mark.parametrize("radius", [0.5, 1.0, 2.0])
def test_linear_gradient_norms_follow_the_spectral_radius(radius: float) -> None:
    units = 6
    U = reference.recurrent_matrix(units, radius, seed=1)
    assert np.allclose(np.abs(np.linalg.eigvals(U)), radius)
    assert np.allclose(np.linalg.svd(U, compute_uv=False), radius)
    W = np.random.default_rng(0).normal(size=(1, units))
    weights = reference.RNNWeights(W, U, np.zeros(units))
    norms = reference.input_gradient_norms(
        np.zeros((12, 1)), weights, activation="linear"
    )
    assert np.allclose(norms, np.linalg.norm(W) * radius ** np.arange(12))


def test_tanh_gradient_norms_vanish_below_one() -> None:
    U = reference.recurrent_matrix(16, 0.8, seed=0)
    W = np.random.default_rng(0).normal(size=(1, 16))
    x = np.random.default_rng(1).normal(size=(40, 1))
    norms = reference.input_gradient_norms(x, reference.RNNWeights(W, U, np.zeros(16)))
    assert norms[-1] < 1e-3 * norms[0]


def test_clip_by_global_norm_caps_length_and_keeps_direction() -> None:
    gradients = [np.array([3.0, 0.0]), np.array([[4.0]])]
    clipped = reference.clip_by_global_norm(gradients, 1.0)
    assert clipped.norm == pytest.approx(5.0)
    assert np.allclose(clipped.gradients[0], [0.6, 0.0])
    assert np.allclose(clipped.gradients[1], [[0.8]])
    unchanged = reference.clip_by_global_norm(gradients, 10.0)
    assert np.allclose(unchanged.gradients[0], gradients[0])


def test_weights_from_a_keras_layer_list_are_accepted() -> None:
    layer = keras.layers.SimpleRNN(3)
    layer.build((None, None, 2))
    x = np.zeros((1, 4, 2))
    assert reference.rnn_sequence(x, layer.get_weights()).hidden.shape == (1, 4, 3)


# --- bad input -----------------------------------------------------------------------


@pytest.fixture
def problem() -> dict:
    rng = np.random.default_rng(0)
    weights = _random_rnn_weights(rng, 3, 4, scale=1.0)
    x = rng.normal(size=(2, 5, 3))
    hidden = reference.rnn_sequence(x, weights).hidden
    elman = reference.ElmanWeights(*weights, rng.normal(size=(4, 2)), np.zeros(2))
    jordan = reference.JordanWeights(
        weights.kernel,
        rng.normal(size=(2, 4)),
        weights.bias,
        rng.normal(size=(4, 2)),
        np.zeros(2),
    )
    return {
        "x": x,
        "weights": weights,
        "hidden": hidden,
        "elman": elman,
        "jordan": jordan,
    }


BAD_CALLS = {
    "x of rank 2": (
        lambda p: reference.rnn_sequence(p["x"][0], p["weights"]),
        ValueError,
        r"`x` must have 3 dimensions, got shape \(5, 3\)",
    ),
    "x as a string": (
        lambda p: reference.rnn_sequence("abc", p["weights"]),
        TypeError,
        "`x` must be an array",
    ),
    "x with NaN": (
        lambda p: reference.rnn_sequence(p["x"] * np.nan, p["weights"]),
        ValueError,
        "`x` must contain only finite numbers",
    ),
    "x with infinity": (
        lambda p: reference.rnn_step(
            p["x"][:, 0] * np.inf, p["hidden"][:, 0], p["weights"]
        ),
        ValueError,
        "`x_t` must contain only finite numbers",
    ),
    "empty x": (
        lambda p: reference.rnn_sequence(np.zeros((0, 5, 3)), p["weights"]),
        ValueError,
        "`x` must not be empty",
    ),
    "too large x": (
        lambda p: reference.rnn_sequence(
            np.broadcast_to(np.zeros(3), (100, 200_000, 3)), p["weights"]
        ),
        ValueError,
        "more than 50000000 numbers",
    ),
    "weights not a tuple": (
        lambda p: reference.rnn_sequence(p["x"], np.zeros(3)),
        TypeError,
        "`weights` must be a RNNWeights of 3 arrays",
    ),
    "two weights": (
        lambda p: reference.rnn_sequence(p["x"], p["weights"][:2]),
        ValueError,
        "`weights` must hold 3 arrays",
    ),
    "transposed kernel": (
        lambda p: reference.rnn_sequence(
            p["x"], p["weights"]._replace(kernel=p["weights"].kernel.T)
        ),
        ValueError,
        r"`weights.kernel` must be a matrix with 3 rows, one per input feature; "
        r"got shape \(4, 3\)",
    ),
    "short recurrent kernel": (
        lambda p: reference.rnn_sequence(
            p["x"],
            p["weights"]._replace(recurrent_kernel=p["weights"].recurrent_kernel[:3]),
        ),
        ValueError,
        r"`weights.recurrent_kernel` must have shape \(4, 4\), got shape \(3, 4\)",
    ),
    "short bias": (
        lambda p: reference.rnn_step(
            p["x"][:, 0], np.zeros((2, 4)), p["weights"]._replace(bias=np.zeros(3))
        ),
        ValueError,
        "`weights.bias` must have shape",
    ),
    "wrong h_prev": (
        lambda p: reference.rnn_step(p["x"][:, 0], np.zeros((2, 3)), p["weights"]),
        ValueError,
        r"`h_prev` must have shape \(2, 4\), got shape \(2, 3\)",
    ),
    "unknown activation": (
        lambda p: reference.rnn_sequence(p["x"], p["weights"], activation="gelu"),
        ValueError,
        "`activation` must be one of",
    ),
    "softmax hidden layer": (
        lambda p: reference.rnn_sequence(p["x"], p["weights"], activation="softmax"),
        ValueError,
        "`activation` must be one of",
    ),
    "wrong initial state": (
        lambda p: reference.rnn_sequence(
            p["x"], p["weights"], initial_state=np.zeros((3, 4))
        ),
        ValueError,
        "`initial_state` must have shape",
    ),
    "zero truncation": (
        lambda p: reference.bptt(
            p["x"], p["hidden"], p["weights"], p["hidden"], truncation=0
        ),
        ValueError,
        "`truncation` must be at least 1",
    ),
    "fractional truncation": (
        lambda p: reference.bptt(
            p["x"], p["hidden"], p["weights"], p["hidden"], truncation=2.5
        ),
        TypeError,
        "`truncation` must be an integer",
    ),
    "short hidden": (
        lambda p: reference.bptt(p["x"], p["hidden"][:, :2], p["weights"], p["hidden"]),
        ValueError,
        "`hidden` must have shape",
    ),
    "short grad_hidden": (
        lambda p: reference.bptt(p["x"], p["hidden"], p["weights"], p["hidden"][:, :2]),
        ValueError,
        "`grad_hidden` must have shape",
    ),
    "Elman weights too short": (
        lambda p: reference.elman_sequence(p["x"], p["weights"]),
        ValueError,
        "`weights` must hold 5 arrays",
    ),
    "Elman targets": (
        lambda p: reference.elman_gradients(p["x"], np.zeros((2, 5, 3)), p["elman"]),
        ValueError,
        "`targets` must have shape",
    ),
    "Elman output kernel": (
        lambda p: reference.elman_sequence(
            p["x"], p["elman"]._replace(output_kernel=np.zeros((3, 2)))
        ),
        ValueError,
        "`weights.output_kernel` must be a matrix with 4 rows",
    ),
    "Jordan y_prev": (
        lambda p: reference.jordan_step(p["x"][:, 0], np.zeros((2, 4)), p["jordan"]),
        ValueError,
        "`y_prev` must have shape",
    ),
    "Jordan feedback kernel": (
        lambda p: reference.jordan_step(
            p["x"][:, 0],
            np.zeros((2, 2)),
            p["jordan"]._replace(feedback_kernel=np.zeros((4, 4))),
        ),
        ValueError,
        "`weights.feedback_kernel` must have shape",
    ),
    "Jordan output activation": (
        lambda p: reference.jordan_sequence(
            p["x"], p["jordan"], output_activation="gelu"
        ),
        ValueError,
        "`output_activation` must be one of",
    ),
    "Jordan weights None": (
        lambda p: reference.jordan_sequence(p["x"], None),
        TypeError,
        "`weights` must be a JordanWeights",
    ),
    "negative radius": (
        lambda p: reference.recurrent_matrix(4, -1.0),
        ValueError,
        "`spectral_radius` must be at least 0",
    ),
    "fractional units": (
        lambda p: reference.recurrent_matrix(4.5, 1.0),
        TypeError,
        "`units` must be an integer",
    ),
    "too many units": (
        lambda p: reference.recurrent_matrix(10**6, 1.0),
        ValueError,
        f"`units` must be at most {checks.MAX_UNITS}",
    ),
    "gradient norms of a batch": (
        lambda p: reference.input_gradient_norms(p["x"], p["weights"]),
        ValueError,
        "`x` must have 2 dimensions",
    ),
    "zero max_norm": (
        lambda p: reference.clip_by_global_norm([np.ones(2)], 0.0),
        ValueError,
        "`max_norm` must be greater than 0",
    ),
    "no gradients": (
        lambda p: reference.clip_by_global_norm([], 1.0),
        ValueError,
        "`gradients` must not be empty",
    ),
    "gradients not a list": (
        lambda p: reference.clip_by_global_norm(np.ones(2), 1.0),
        TypeError,
        "`gradients` must be a list",
    ),
    "NaN gradient": (
        lambda p: reference.clip_by_global_norm([np.array([np.nan])], 1.0),
        ValueError,
        r"`gradients\[0\]` must contain only finite numbers",
    ),
    "missing argument": (
        lambda p: reference.rnn_step(p["x"][:, 0], np.zeros((2, 4))),
        TypeError,
        "rnn_step",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CALLS))
def test_bad_input_names_the_parameter(problem: dict, case: str) -> None:
    call, error, message = BAD_CALLS[case]
    with pytest.raises(error, match=message):
        call(problem)
