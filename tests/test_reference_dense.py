"""Chapter 0's NumPy dense layer against keras.layers.Dense with the same weights."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse.reference import dense


@settings(max_examples=15, deadline=None)
@given(
    batch=st.integers(1, 5),
    inputs=st.integers(1, 7),
    units=st.integers(1, 6),
    activation=st.sampled_from(dense.ACTIVATIONS),
    seed=st.integers(0, 10_000),
)
def test_dense_matches_keras(batch, inputs, units, activation, seed):
    import keras

    rng = np.random.default_rng(seed)
    layer = keras.layers.Dense(units, activation=activation)
    x = rng.normal(size=(batch, inputs)).astype("float32")
    layer.build((None, inputs))
    layer.set_weights(
        [
            rng.normal(size=(inputs, units)).astype("float32"),
            rng.normal(size=units).astype("float32"),
        ]
    )
    expected = keras.ops.convert_to_numpy(layer(x))
    kernel, bias = layer.get_weights()
    np.testing.assert_allclose(
        dense.dense(x, kernel, bias, activation), expected, atol=1e-5
    )


def test_softmax_is_stable_and_sums_to_one():
    out = dense.softmax(np.array([[1000.0, 1001.0], [0.0, 0.0]]))
    assert np.all(np.isfinite(out)) and np.allclose(out.sum(axis=1), 1)
    assert np.allclose(dense.sigmoid(np.array([-1000.0, 0.0, 1000.0])), [0, 0.5, 1])


def test_dense_bad_inputs():
    with pytest.raises(ValueError, match="`kernel` must have 3 rows"):
        dense.dense(np.ones((2, 3)), np.ones((4, 2)), np.ones(2))
    with pytest.raises(ValueError, match="`bias` must have 2 entries"):
        dense.dense(np.ones((2, 3)), np.ones((3, 2)), np.ones(3))
    with pytest.raises(ValueError, match="`activation` must be one of"):
        dense.dense(np.ones((2, 3)), np.ones((3, 2)), np.ones(2), activation="gelu")
    with pytest.raises(ValueError, match="`x` must have 2 dimensions"):
        dense.dense(np.ones(3), np.ones((3, 2)), np.ones(2))
    with pytest.raises(ValueError, match="`axis` must be at most 1"):
        dense.softmax(np.ones((2, 2)), axis=2)
