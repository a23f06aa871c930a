"""Tests of the LSTM and GRU chapter's package code: NumPy references vs Keras, generator, checkers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlcourse.exercises import lstm_gru as exercises
from dlcourse.exercises.framework import NOT_DONE_MESSAGE
from dlcourse.reference import gru, lstm
from dlcourse.reference.dense import sigmoid
from dlcourse.synthetic import adding_problem as adding

keras = pytest.importorskip("keras")

SHAPES = st.tuples(
    st.integers(1, 3),
    st.integers(1, 6),
    st.integers(1, 4),
    st.integers(1, 5),
    st.integers(0, 2**16),
)
FAST = settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _random_bias(layer, seed: int) -> None:
    """Keras starts biases at 0 (or 1 for the forget gate); random ones test that every bias lands right."""
    kernel, recurrent_kernel, bias = layer.get_weights()
    bias = np.random.default_rng(seed).normal(size=bias.shape).astype(np.float32)
    layer.set_weights([kernel, recurrent_kernel, bias])


@FAST
@given(SHAPES)
def test_lstm_sequence_equals_keras(shape):
    batch, steps, inputs, units, seed = shape
    x = (
        np.random.default_rng(seed)
        .normal(size=(batch, steps, inputs))
        .astype(np.float32)
    )
    layer = keras.layers.LSTM(units, return_sequences=True, return_state=True)
    layer(x)
    _random_bias(layer, seed)
    outputs, h_last, c_last = (np.asarray(a) for a in layer(x))
    trace = lstm.lstm_sequence(x, *layer.get_weights())
    assert np.max(np.abs(trace.hidden - outputs)) < 1e-5
    assert np.max(np.abs(trace.hidden[:, -1] - h_last)) < 1e-5
    assert np.max(np.abs(trace.cell[:, -1] - c_last)) < 1e-5
    assert layer.count_params() == lstm.lstm_parameter_count(inputs, units)


@FAST
@given(SHAPES, st.booleans())
def test_gru_sequence_equals_keras_in_both_conventions(shape, reset_after):
    batch, steps, inputs, units, seed = shape
    x = (
        np.random.default_rng(seed)
        .normal(size=(batch, steps, inputs))
        .astype(np.float32)
    )
    layer = keras.layers.GRU(units, return_sequences=True, reset_after=reset_after)
    layer(x)
    _random_bias(layer, seed)
    outputs = np.asarray(layer(x))
    trace = gru.gru_sequence(x, *layer.get_weights(), reset_after=reset_after)
    assert np.max(np.abs(trace.hidden - outputs)) < 1e-5
    assert layer.count_params() == gru.gru_parameter_count(
        inputs, units, reset_after=reset_after
    )


def test_steps_agree_with_sequences():
    generator = np.random.default_rng(0)
    x = generator.normal(size=(2, 1, 3))
    kernel, recurrent_kernel, bias = (
        generator.normal(size=(3, 8)),
        generator.normal(size=(2, 8)),
        np.zeros(8),
    )
    h, c = lstm.lstm_step(
        x[:, 0], np.zeros((2, 2)), np.zeros((2, 2)), kernel, recurrent_kernel, bias
    )
    trace = lstm.lstm_sequence(x, kernel, recurrent_kernel, bias)
    assert np.allclose(h, trace.hidden[:, 0]) and np.allclose(c, trace.cell[:, 0])
    g_kernel, g_recurrent = generator.normal(size=(3, 6)), generator.normal(size=(2, 6))
    for reset_after, g_bias in (
        (True, generator.normal(size=(2, 6))),
        (False, generator.normal(size=6)),
    ):
        h = gru.gru_step(
            x[:, 0],
            np.zeros((2, 2)),
            g_kernel,
            g_recurrent,
            g_bias,
            reset_after=reset_after,
        )
        trace = gru.gru_sequence(
            x, g_kernel, g_recurrent, g_bias, reset_after=reset_after
        )
        assert np.allclose(h, trace.hidden[:, 0])


def test_parameter_counts_of_the_chapter():
    assert gru.simple_rnn_parameter_count(2, 64) == 4288
    assert lstm.lstm_parameter_count(2, 64) == 17152
    assert gru.gru_parameter_count(2, 64) == 13056
    inputs = keras.Input((None, 2))
    assert (
        keras.Model(inputs, keras.layers.SimpleRNN(64)(inputs)).count_params() == 4288
    )


def test_reference_rejects_bad_inputs():
    kernel, recurrent_kernel, bias = np.zeros((3, 8)), np.zeros((2, 8)), np.zeros(8)
    with pytest.raises(ValueError, match="recurrent_kernel"):
        lstm.lstm_step(
            np.zeros((1, 3)),
            np.zeros((1, 2)),
            np.zeros((1, 2)),
            kernel,
            np.zeros((2, 6)),
            bias,
        )
    with pytest.raises(ValueError, match="`x`"):
        lstm.lstm_step(
            np.zeros((1, 4)),
            np.zeros((1, 2)),
            np.zeros((1, 2)),
            kernel,
            recurrent_kernel,
            bias,
        )
    with pytest.raises(ValueError, match="`c`"):
        lstm.lstm_step(
            np.zeros((1, 3)),
            np.zeros((1, 2)),
            np.zeros((2, 2)),
            kernel,
            recurrent_kernel,
            bias,
        )
    with pytest.raises(ValueError, match="`bias`"):
        lstm.lstm_sequence(np.zeros((1, 2, 3)), kernel, recurrent_kernel, np.zeros(7))
    with pytest.raises(TypeError, match="`x`"):
        lstm.lstm_sequence("text", kernel, recurrent_kernel, bias)
    with pytest.raises(ValueError, match="initial_c"):
        lstm.lstm_sequence(
            np.zeros((1, 2, 3)),
            kernel,
            recurrent_kernel,
            bias,
            initial_c=np.zeros((1, 3)),
        )
    g_kernel, g_recurrent = np.zeros((3, 6)), np.zeros((2, 6))
    with pytest.raises(ValueError, match="`bias`.*reset_after=True"):
        gru.gru_step(
            np.zeros((1, 3)), np.zeros((1, 2)), g_kernel, g_recurrent, np.zeros(6)
        )
    with pytest.raises(ValueError, match="`bias`.*reset_after=False"):
        gru.gru_step(
            np.zeros((1, 3)),
            np.zeros((1, 2)),
            g_kernel,
            g_recurrent,
            np.zeros((2, 6)),
            reset_after=False,
        )
    with pytest.raises(TypeError, match="reset_after"):
        gru.gru_sequence(
            np.zeros((1, 2, 3)), g_kernel, g_recurrent, np.zeros(6), reset_after="no"
        )
    with pytest.raises(ValueError, match="`kernel`"):
        gru.gru_sequence(
            np.zeros((1, 2, 3)), np.zeros((3, 5)), g_recurrent, np.zeros((2, 6))
        )
    with pytest.raises(ValueError, match="initial_h"):
        gru.gru_sequence(
            np.zeros((1, 2, 3)),
            g_kernel,
            g_recurrent,
            np.zeros((2, 6)),
            initial_h=np.zeros(2),
        )
    with pytest.raises(ValueError, match="units"):
        lstm.lstm_parameter_count(2, 0)
    with pytest.raises(TypeError, match="inputs"):
        gru.gru_parameter_count(2.5, 4)
    with pytest.raises(ValueError, match="units"):
        gru.simple_rnn_parameter_count(1, -1)


def test_adding_problem():
    x, y = adding.adding_problem(500, 20, seed=3)
    assert x.shape == (500, 20, 2) and y.shape == (500,) and x.dtype == np.float32
    assert np.all(x[:, :, 1].sum(axis=1) == 2)
    assert np.all(x[:, :10, 1].sum(axis=1) == 1)
    assert np.allclose(y, (x[:, :, 0] * x[:, :, 1]).sum(axis=1))
    assert abs(np.mean((y - 1.0) ** 2) - adding.CHANCE_MSE) < 0.03
    again, _ = adding.adding_problem(500, 20, seed=3)
    assert np.array_equal(x, again)
    with pytest.raises(ValueError, match="length"):
        adding.adding_problem(5, 1)
    with pytest.raises(TypeError, match="count"):
        adding.adding_problem(5.0, 10)
    with pytest.raises(ValueError, match="seed"):
        adding.adding_problem(5, 10, seed=-1)


# --- exercise checkers: right answers, not done, and typical wrong answers with their own messages


def lstm_step_right(x, h, c, kernel, recurrent_kernel, bias):
    z = x @ kernel + h @ recurrent_kernel + bias
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)
    c_new = sigmoid(z_f) * c + sigmoid(z_i) * np.tanh(z_c)
    return sigmoid(z_o) * np.tanh(c_new), c_new


def test_lstm_step_checker():
    assert exercises.lstm_step.check(lstm_step_right).status == "correct"
    assert exercises.lstm_step.check(lstm.lstm_step).status == "correct"
    assert exercises.lstm_step.check(...).status == "not done"

    def stub(*args):
        raise NotImplementedError

    assert exercises.lstm_step.check(stub).message == NOT_DONE_MESSAGE

    def empty_body(*args): ...

    for exercise in (
        exercises.lstm_step,
        exercises.gru_step,
        exercises.parameter_count,
        exercises.gru_as_simple_rnn,
    ):
        assert exercise.check(empty_body).status == "not done", exercise.name

    def order_ifoc(x, h, c, kernel, recurrent_kernel, bias):
        z = x @ kernel + h @ recurrent_kernel + bias
        z_i, z_f, z_o, z_c = np.split(z, 4, axis=-1)
        c_new = sigmoid(z_f) * c + sigmoid(z_i) * np.tanh(z_c)
        return sigmoid(z_o) * np.tanh(c_new), c_new

    def no_bias(x, h, c, kernel, recurrent_kernel, bias):
        return lstm_step_right(x, h, c, kernel, recurrent_kernel, 0 * bias)

    def no_tanh(x, h, c, kernel, recurrent_kernel, bias):
        z = x @ kernel + h @ recurrent_kernel + bias
        z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)
        c_new = sigmoid(z_f) * c + sigmoid(z_i) * np.tanh(z_c)
        return sigmoid(z_o) * c_new, c_new

    def sigmoid_candidate(x, h, c, kernel, recurrent_kernel, bias):
        z = x @ kernel + h @ recurrent_kernel + bias
        z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)
        c_new = sigmoid(z_f) * c + sigmoid(z_i) * sigmoid(z_c)
        return sigmoid(z_o) * np.tanh(c_new), c_new

    for wrong, words in (
        (order_ifoc, "wrong order"),
        (no_bias, "bias is missing"),
        (no_tanh, "o * tanh(c)"),
        (sigmoid_candidate, "nonlinearity"),
    ):
        result = exercises.lstm_step.check(wrong)
        assert result.status == "incorrect" and words in result.message, (
            wrong.__name__,
            result.message,
        )
    result = exercises.lstm_step.check(lambda *args: args[1])
    assert result.status == "incorrect" and "pair (h, c)" in result.message


def gru_step_right(x, h, kernel, recurrent_kernel, bias):
    return gru.gru_step(x, h, kernel, recurrent_kernel, bias, reset_after=True)


def test_gru_step_checker():
    assert exercises.gru_step.check(gru_step_right).status == "correct"
    assert exercises.gru_step.check(None).status == "not done"

    def reset_before(x, h, kernel, recurrent_kernel, bias):
        units = h.shape[1]
        x_z, x_r, x_h = np.split(x @ kernel + bias[0], 3, axis=-1)
        z = sigmoid(x_z + h @ recurrent_kernel[:, :units] + bias[1, :units])
        r = sigmoid(
            x_r
            + h @ recurrent_kernel[:, units : 2 * units]
            + bias[1, units : 2 * units]
        )
        g = np.tanh(
            x_h + (r * h) @ recurrent_kernel[:, 2 * units :] + bias[1, 2 * units :]
        )
        return z * h + (1 - z) * g

    def flipped(x, h, kernel, recurrent_kernel, bias):
        x_z, x_r, x_h = np.split(x @ kernel + bias[0], 3, axis=-1)
        h_z, h_r, h_h = np.split(h @ recurrent_kernel + bias[1], 3, axis=-1)
        z, r = sigmoid(x_z + h_z), sigmoid(x_r + h_r)
        return (1 - z) * h + z * np.tanh(x_h + r * h_h)

    def one_bias(x, h, kernel, recurrent_kernel, bias):
        return gru_step_right(
            x, h, kernel, recurrent_kernel, np.stack([bias[0], 0 * bias[1]])
        )

    def swapped_gates(x, h, kernel, recurrent_kernel, bias):
        x_r, x_z, x_h = np.split(x @ kernel + bias[0], 3, axis=-1)
        h_r, h_z, h_h = np.split(h @ recurrent_kernel + bias[1], 3, axis=-1)
        z, r = sigmoid(x_z + h_z), sigmoid(x_r + h_r)
        return z * h + (1 - z) * np.tanh(x_h + r * h_h)

    for wrong, words in (
        (reset_before, "reset_after=False"),
        (flipped, "other way round"),
        (one_bias, "recurrent bias"),
        (swapped_gates, "wrong order"),
    ):
        result = exercises.gru_step.check(wrong)
        assert result.status == "incorrect" and words in result.message, (
            wrong.__name__,
            result.message,
        )


def test_parameter_count_checker():
    def right(layer, inputs, units):
        block = inputs * units + units * units + units
        return {"simple_rnn": block, "lstm": 4 * block, "gru": 3 * block + 3 * units}[
            layer
        ]

    assert exercises.parameter_count.check(right).status == "correct"
    assert exercises.parameter_count.check(...).status == "not done"

    def three_lstm_blocks(layer, inputs, units):
        return (
            3 * (inputs * units + units * units + units)
            if layer == "lstm"
            else right(layer, inputs, units)
        )

    def reset_before(layer, inputs, units):
        return right(layer, inputs, units) - (3 * units if layer == "gru" else 0)

    def no_recurrent(layer, inputs, units):
        return (
            right(layer, inputs, units)
            - {"simple_rnn": 1, "lstm": 4, "gru": 3}[layer] * units * units
        )

    def no_bias(layer, inputs, units):
        return {"simple_rnn": 1, "lstm": 4, "gru": 3}[layer] * (
            inputs * units + units * units
        )

    for wrong, words in (
        (three_lstm_blocks, "four blocks"),
        (reset_before, "reset_after=True"),
        (no_recurrent, "recurrent kernels"),
        (no_bias, "biases are missing"),
    ):
        result = exercises.parameter_count.check(wrong)
        assert result.status == "incorrect" and words in result.message, (
            wrong.__name__,
            result.message,
        )
    result = exercises.parameter_count.check(lambda layer, inputs, units: "many")
    assert result.status == "incorrect" and "return a number" in result.message


def _gru_weights(
    kernel,
    recurrent_kernel,
    bias,
    *,
    update=-40.0,
    reset=40.0,
    block=2,
    transpose=False,
):
    inputs, units = kernel.shape
    gru_kernel = np.zeros((inputs, 3 * units))
    gru_recurrent = np.zeros((units, 3 * units))
    gru_bias = np.zeros((2, 3 * units))
    where = slice(block * units, (block + 1) * units)
    gru_kernel[:, where] = kernel
    gru_recurrent[:, where] = recurrent_kernel.T if transpose else recurrent_kernel
    gru_bias[0, :units] = update
    gru_bias[0, units : 2 * units] = reset
    gru_bias[1, where] = (
        bias  # with r = 1, the recurrent bias row works as well as the input one
    )
    return gru_kernel, gru_recurrent, gru_bias


def test_gru_as_simple_rnn_checker():
    check = exercises.gru_as_simple_rnn.check
    assert check(_gru_weights).status == "correct"
    assert check(...).status == "not done"
    cases = (
        (
            lambda k, u, b: _gru_weights(k, u, b, update=40.0),
            "update gate is mostly open",
        ),
        (
            lambda k, u, b: _gru_weights(k, u, b, reset=-40.0),
            "reset gate is mostly closed",
        ),
        (
            lambda k, u, b: _gru_weights(k, u, b, update=-3.0, reset=3.0),
            "not saturated",
        ),
        (lambda k, u, b: _gru_weights(k, u, b, transpose=True), "transposed"),
        (lambda k, u, b: _gru_weights(k, u, b, block=0, update=-40.0), "third"),
        (lambda k, u, b: (k, u, b), "should have shape"),
    )
    for wrong, words in cases:
        result = check(wrong)
        assert result.status == "incorrect" and words in result.message, (
            words,
            result.message,
        )


def test_gru_with_saturated_gates_equals_keras_simple_rnn():
    """The chapter's claim 6, in Keras itself: reset gate 1 and update gate 0 give a SimpleRNN."""
    x = np.random.default_rng(1).normal(size=(4, 9, 3)).astype(np.float32)
    simple = keras.layers.SimpleRNN(5, return_sequences=True)
    expected = np.asarray(simple(x))
    kernel, recurrent_kernel, bias = simple.get_weights()
    bias = np.random.default_rng(2).normal(size=5).astype(np.float32)
    simple.set_weights([kernel, recurrent_kernel, bias])
    expected = np.asarray(simple(x))
    layer = keras.layers.GRU(5, return_sequences=True)
    layer(x)
    layer.set_weights(
        [w.astype(np.float32) for w in _gru_weights(kernel, recurrent_kernel, bias)]
    )
    assert np.max(np.abs(np.asarray(layer(x)) - expected)) < 1e-5
