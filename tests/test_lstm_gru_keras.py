"""The LSTM and GRU chapter's NumPy cores against keras.layers.LSTM and GRU.

The chapter has no custom Keras layer of its own; these tests pin the facts it states
about Keras's layers: the weight layout, both GRU conventions, the parameter counts, and
a GRU with saturated gates computing a SimpleRNN.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlcourse.exercises.lstm_gru import gru_as_simple_rnn
from dlcourse.reference import gru, lstm
from dlcourse.reference.rnn import RNNWeights

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.lstm_gru

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
    """Keras starts biases at 0 (1 for the forget gate); random ones show each lands."""
    kernel, recurrent_kernel, bias = layer.get_weights()
    bias = np.random.default_rng(seed).normal(size=bias.shape).astype(bias.dtype)
    layer.set_weights([kernel, recurrent_kernel, bias])


@FAST
@given(SHAPES)
def test_lstm_sequence_equals_keras(shape):
    batch, steps, inputs, units, seed = shape
    x = np.random.default_rng(seed).normal(size=(batch, steps, inputs))
    x = x.astype(np.float32)
    layer = keras.layers.LSTM(units, return_sequences=True, return_state=True)
    layer(x)
    _random_bias(layer, seed)
    outputs, h_last, c_last = (np.asarray(a) for a in layer(x))
    trace = lstm.lstm_sequence(x, lstm.LSTMWeights(*layer.get_weights()))
    assert np.max(np.abs(trace.hidden - outputs)) < 1e-5
    assert np.max(np.abs(trace.hidden[:, -1] - h_last)) < 1e-5
    assert np.max(np.abs(trace.cell[:, -1] - c_last)) < 1e-5
    assert layer.count_params() == lstm.lstm_parameter_count(inputs, units)


@FAST
@given(SHAPES, st.booleans())
def test_gru_sequence_equals_keras_in_both_conventions(shape, reset_after):
    batch, steps, inputs, units, seed = shape
    x = np.random.default_rng(seed).normal(size=(batch, steps, inputs))
    x = x.astype(np.float32)
    layer = keras.layers.GRU(units, return_sequences=True, reset_after=reset_after)
    layer(x)
    _random_bias(layer, seed)
    trace = gru.gru_sequence(
        x, gru.GRUWeights(*layer.get_weights()), reset_after=reset_after
    )
    assert np.max(np.abs(trace.hidden - np.asarray(layer(x)))) < 1e-5
    assert layer.count_params() == gru.gru_parameter_count(
        inputs, units, reset_after=reset_after
    )


def test_float64_layers_agree_to_round_off():
    x = np.random.default_rng(3).normal(size=(2, 20, 3))
    for layer, run in (
        (
            keras.layers.LSTM(4, return_sequences=True, dtype="float64"),
            lambda weights: lstm.lstm_sequence(x, lstm.LSTMWeights(*weights)).hidden,
        ),
        (
            keras.layers.GRU(4, return_sequences=True, dtype="float64"),
            lambda weights: gru.gru_sequence(x, gru.GRUWeights(*weights)).hidden,
        ),
    ):
        expected = np.asarray(layer(x))
        _random_bias(layer, 4)
        expected = np.asarray(layer(x))
        assert expected.dtype == np.float64
        assert np.max(np.abs(run(layer.get_weights()) - expected)) < 1e-12


def test_simple_rnn_is_one_block():
    inputs = keras.Input((None, 2))
    model = keras.Model(inputs, keras.layers.SimpleRNN(64)(inputs))
    assert model.count_params() == lstm.block_parameter_count(2, 64)


def test_gru_with_saturated_gates_equals_keras_simple_rnn():
    """The chapter's claim in Keras: reset gate 1, update gate 0 give a SimpleRNN."""
    x = np.random.default_rng(1).normal(size=(4, 9, 3)).astype(np.float32)
    simple = keras.layers.SimpleRNN(5, return_sequences=True)
    simple(x)
    _random_bias(simple, 2)
    expected = np.asarray(simple(x))
    layer = keras.layers.GRU(5, return_sequences=True)
    layer(x)
    weights = gru_as_simple_rnn.answer(RNNWeights(*simple.get_weights()))
    layer.set_weights([np.asarray(w, np.float32) for w in weights])
    assert np.max(np.abs(np.asarray(layer(x)) - expected)) < 1e-5
