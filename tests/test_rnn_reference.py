"""The recurrent-network chapter's NumPy reference against Keras (forward) and tf.GradientTape (BPTT)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse.reference import rnn as reference

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
    states = keras.layers.SimpleRNN(
        units, return_sequences=True, bias_initializer="random_normal"
    )(inputs)
    return keras.Model(
        inputs, keras.layers.Dense(outputs, bias_initializer="random_normal")(states)
    )


@settings(max_examples=8, deadline=None)
@given(shapes, st.integers(0, 1000))
def test_elman_forward_and_bptt_equal_keras(shape: tuple[int, ...], seed: int) -> None:
    batch, steps, features, units, outputs = shape
    model = _elman_model(steps, features, units, outputs, seed)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, steps, features)).astype(np.float32)
    targets = rng.normal(size=(batch, steps, outputs)).astype(np.float32)
    params = reference.ElmanParameters(
        *[w.astype(np.float64) for w in model.get_weights()]
    )
    states, outputs_numpy = reference.elman_forward(x, params)
    assert np.max(np.abs(outputs_numpy - keras.ops.convert_to_numpy(model(x)))) <= 1e-5
    last_state = keras.layers.SimpleRNN(units)
    last_state.build((None, steps, features))
    last_state.set_weights(model.layers[1].get_weights())
    assert (
        np.max(np.abs(states[:, -1] - keras.ops.convert_to_numpy(last_state(x))))
        <= 1e-5
    )

    x_tensor = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x_tensor)
        loss = keras.losses.MeanSquaredError()(targets, model(x_tensor))
    tape_grads = tape.gradient(loss, [*model.trainable_weights, x_tensor])
    loss_numpy, grads = reference.elman_gradients(x, targets, params)
    assert abs(float(loss) - loss_numpy) <= 1e-5
    for name, tape_grad in zip(
        [*reference.ElmanParameters._fields, "inputs"], tape_grads, strict=True
    ):
        assert np.max(np.abs(grads[name] - tape_grad.numpy())) <= 1e-4, name


def test_rnn_step_is_one_step_of_rnn_forward() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 1, 3))
    kernel, recurrent, bias = (
        rng.normal(size=(3, 4)),
        rng.normal(size=(4, 4)),
        rng.normal(size=4),
    )
    h0 = rng.normal(size=(2, 4))
    step = reference.rnn_step(x[:, 0], h0, kernel, recurrent, bias)
    assert np.allclose(
        step, reference.rnn_forward(x, kernel, recurrent, bias, initial_state=h0)[:, 0]
    )


@pytest.mark.parametrize("activation", reference.ACTIVATIONS)
def test_bptt_matches_finite_differences_for_every_activation(activation: str) -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 5, 3))
    kernel, recurrent, bias = (
        rng.normal(size=(3, 4)) * 0.5,
        rng.normal(size=(4, 4)) * 0.5,
        rng.normal(size=4),
    )
    h0 = rng.normal(size=(2, 4)) * 0.3
    weights = rng.normal(size=(2, 5, 4))

    def loss(u: np.ndarray, h: np.ndarray) -> float:
        states = reference.rnn_forward(
            x, kernel, u, bias, activation=activation, initial_state=h
        )
        return float(np.sum(weights * states))

    states = reference.rnn_forward(
        x, kernel, recurrent, bias, activation=activation, initial_state=h0
    )
    grads = reference.bptt(
        x, states, recurrent, weights, activation=activation, initial_state=h0
    )
    numeric = np.zeros_like(recurrent)
    for index in np.ndindex(*recurrent.shape):
        step = np.zeros_like(recurrent)
        step[index] = 1e-6
        numeric[index] = (
            loss(recurrent + step, h0) - loss(recurrent - step, h0)
        ) / 2e-6
    assert np.allclose(grads["recurrent_kernel"], numeric, atol=1e-5)
    numeric_h0 = np.zeros_like(h0)
    for index in np.ndindex(*h0.shape):
        step = np.zeros_like(h0)
        step[index] = 1e-6
        numeric_h0[index] = (
            loss(recurrent, h0 + step) - loss(recurrent, h0 - step)
        ) / 2e-6
    assert np.allclose(grads["initial_state"], numeric_h0, atol=1e-5)


def test_truncated_bptt_cuts_long_paths_only() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 8, 3))
    params = reference.ElmanParameters(
        rng.normal(size=(3, 4)),
        rng.normal(size=(4, 4)) * 0.6,
        rng.normal(size=4),
        rng.normal(size=(4, 2)),
        rng.normal(size=2),
    )
    targets = rng.normal(size=(2, 8, 2))
    _, full = reference.elman_gradients(x, targets, params)
    _, long_window = reference.elman_gradients(x, targets, params, truncation=8)
    _, one_step = reference.elman_gradients(x, targets, params, truncation=1)
    errors = [
        np.abs(
            reference.elman_gradients(x, targets, params, truncation=k)[1][
                "recurrent_kernel"
            ]
            - full["recurrent_kernel"]
        ).max()
        for k in range(1, 9)
    ]
    assert np.allclose(long_window["recurrent_kernel"], full["recurrent_kernel"])
    assert errors[-1] < 1e-12 < errors[0]
    # The readout does not depend on the recurrence, so truncation leaves its gradient alone.
    assert np.allclose(one_step["output_kernel"], full["output_kernel"])
    # With truncation 1 every error reaches only its own step: delta_t = g_t * slope_t.
    states, _ = reference.elman_forward(x, params)
    grad_states = (
        2
        * (states @ params.output_kernel + params.output_bias - targets)
        / targets.size
    ) @ params.output_kernel.T
    deltas = grad_states * (1 - states**2)
    previous = np.concatenate([np.zeros((2, 1, 4)), states[:, :-1]], axis=1)
    assert np.allclose(
        one_step["recurrent_kernel"], np.einsum("btv,btu->vu", previous, deltas)
    )


def test_jordan_forward_equals_step_by_step() -> None:
    rng = np.random.default_rng(3)
    params = reference.JordanParameters(
        rng.normal(size=(3, 4)),
        rng.normal(size=(2, 4)),
        rng.normal(size=4),
        rng.normal(size=(4, 2)),
        rng.normal(size=2),
    )
    x = rng.normal(size=(2, 5, 3))
    hidden, outputs = reference.jordan_forward(x, params)
    y = np.zeros((2, 2))
    for t in range(5):
        h = np.tanh(x[:, t] @ params.kernel + y @ params.feedback_kernel + params.bias)
        y = h @ params.output_kernel + params.output_bias
        assert np.allclose(hidden[:, t], h) and np.allclose(outputs[:, t], y)
    _, probabilities = reference.jordan_forward(x, params, output_activation="softmax")
    assert np.allclose(probabilities.sum(axis=-1), 1.0)


@pytest.mark.parametrize("radius", [0.5, 1.0, 2.0])
def test_linear_gradient_norms_follow_the_spectral_radius(radius: float) -> None:
    units = 6
    recurrent = reference.recurrent_matrix(units, radius, seed=1)
    assert np.allclose(np.abs(np.linalg.eigvals(recurrent)), radius)
    kernel = np.random.default_rng(0).normal(size=(1, units))
    norms = reference.input_gradient_norms(
        np.zeros((12, 1)), kernel, recurrent, np.zeros(units), activation="linear"
    )
    assert np.allclose(norms, np.linalg.norm(kernel) * radius ** np.arange(12))


def test_tanh_gradient_norms_vanish_below_one() -> None:
    recurrent = reference.recurrent_matrix(16, 0.8, seed=0)
    kernel = np.random.default_rng(0).normal(size=(1, 16))
    x = np.random.default_rng(1).normal(size=(40, 1))
    norms = reference.input_gradient_norms(x, kernel, recurrent, np.zeros(16))
    assert norms[-1] < 1e-3 * norms[0]


def test_clip_by_global_norm_caps_length_and_keeps_direction() -> None:
    gradients = [np.array([3.0, 0.0]), np.array([[4.0]])]
    clipped, norm = reference.clip_by_global_norm(gradients, 1.0)
    assert norm == pytest.approx(5.0)
    assert np.allclose(clipped[0], [0.6, 0.0]) and np.allclose(clipped[1], [[0.8]])
    unchanged, _ = reference.clip_by_global_norm(gradients, 10.0)
    assert np.allclose(unchanged[0], gradients[0])


def test_bad_inputs_name_the_parameter() -> None:
    rng = np.random.default_rng(0)
    kernel, recurrent, bias = (
        rng.normal(size=(3, 4)),
        rng.normal(size=(4, 4)),
        np.zeros(4),
    )
    x = rng.normal(size=(2, 5, 3))
    with pytest.raises(ValueError, match="`x`"):
        reference.rnn_forward(x[0], kernel, recurrent, bias)
    with pytest.raises(ValueError, match="`kernel`"):
        reference.rnn_forward(x, kernel.T, recurrent, bias)
    with pytest.raises(ValueError, match="`recurrent_kernel`"):
        reference.rnn_forward(x, kernel, recurrent[:3], bias)
    with pytest.raises(ValueError, match="`bias`"):
        reference.rnn_step(x[:, 0], np.zeros((2, 4)), kernel, recurrent, np.zeros(3))
    with pytest.raises(ValueError, match="`h_prev`"):
        reference.rnn_step(x[:, 0], np.zeros((2, 3)), kernel, recurrent, bias)
    with pytest.raises(ValueError, match="`activation`"):
        reference.rnn_forward(x, kernel, recurrent, bias, activation="gelu")
    with pytest.raises(ValueError, match="`initial_state`"):
        reference.rnn_forward(
            x, kernel, recurrent, bias, initial_state=np.zeros((3, 4))
        )
    states = reference.rnn_forward(x, kernel, recurrent, bias)
    with pytest.raises(ValueError, match="`truncation`"):
        reference.bptt(x, states, recurrent, states, truncation=0)
    with pytest.raises(ValueError, match="`states`"):
        reference.bptt(x, states[:, :2], recurrent, states)
    with pytest.raises(ValueError, match="`grad_states`"):
        reference.bptt(x, states, recurrent, states[:, :2])
    with pytest.raises(TypeError, match="`params`"):
        reference.elman_forward(x, [kernel, recurrent])
    params = reference.ElmanParameters(
        kernel, recurrent, bias, rng.normal(size=(4, 2)), np.zeros(2)
    )
    with pytest.raises(ValueError, match="`targets`"):
        reference.elman_gradients(x, np.zeros((2, 5, 3)), params)
    with pytest.raises(ValueError, match="params.output_kernel"):
        reference.elman_forward(x, params._replace(output_kernel=np.zeros((3, 2))))
    jordan = reference.JordanParameters(
        kernel, rng.normal(size=(2, 4)), bias, rng.normal(size=(4, 2)), np.zeros(2)
    )
    with pytest.raises(ValueError, match="`y_prev`"):
        reference.jordan_step(x[:, 0], np.zeros((2, 4)), jordan)
    with pytest.raises(ValueError, match="params.feedback_kernel"):
        reference.jordan_step(
            x[:, 0], np.zeros((2, 2)), jordan._replace(feedback_kernel=np.zeros((4, 4)))
        )
    with pytest.raises(ValueError, match="`output_activation`"):
        reference.jordan_forward(x, jordan, output_activation="gelu")
    with pytest.raises(TypeError, match="`params`"):
        reference.jordan_forward(x, None)
    with pytest.raises(ValueError, match="`spectral_radius`"):
        reference.recurrent_matrix(4, -1.0)
    with pytest.raises(TypeError, match="`units`"):
        reference.recurrent_matrix(4.5, 1.0)
    with pytest.raises(ValueError, match="`x`"):
        reference.input_gradient_norms(x, kernel, recurrent, bias)
    with pytest.raises(ValueError, match="`max_norm`"):
        reference.clip_by_global_norm([np.ones(2)], 0.0)
    with pytest.raises(TypeError, match="`gradients`"):
        reference.clip_by_global_norm([], 1.0)
    with pytest.raises(ValueError, match=r"`gradients\[0\]`"):
        reference.clip_by_global_norm([np.array([np.nan])], 1.0)
