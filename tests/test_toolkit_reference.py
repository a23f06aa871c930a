"""Chapter 0's NumPy dense layer: against keras.layers.Dense, and on bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse._checks import MAX_ELEMENTS
from dlcourse.reference import dense
from dlcourse.reference.activations import ACTIVATIONS

pytestmark = pytest.mark.toolkit


def _weights(rng: np.random.Generator, inputs: int, units: int) -> dense.DenseWeights:
    return dense.DenseWeights(rng.normal(size=(inputs, units)), rng.normal(size=units))


@settings(max_examples=15, deadline=None)
@given(
    batch=st.integers(1, 5),
    inputs=st.integers(1, 7),
    units=st.integers(1, 6),
    activation=st.sampled_from(ACTIVATIONS),
    seed=st.integers(0, 10_000),
)
def test_dense_matches_keras(batch, inputs, units, activation, seed):
    import keras

    rng = np.random.default_rng(seed)
    layer = keras.layers.Dense(units, activation=activation)
    x = rng.normal(size=(batch, inputs)).astype("float32")
    layer.build((None, inputs))
    layer.set_weights([w.astype("float32") for w in _weights(rng, inputs, units)])
    expected = keras.ops.convert_to_numpy(layer(x))
    weights = dense.DenseWeights(*layer.get_weights())
    np.testing.assert_allclose(dense.dense(x, weights, activation), expected, atol=1e-5)


def test_dense_keeps_float32_and_accepts_a_plain_pair():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4)).astype("float32")
    kernel, bias = (w.astype("float32") for w in _weights(rng, 4, 2))
    out = dense.dense(x, (kernel, bias), "relu")
    assert out.dtype == np.float32 and out.shape == (3, 2)
    np.testing.assert_allclose(out, np.maximum(x @ kernel + bias, 0), atol=1e-6)


def test_softmax_rows_sum_to_one_even_for_large_logits():
    rng = np.random.default_rng(1)
    weights = _weights(rng, 3, 5)
    weights = weights._replace(bias=weights.bias + 1000.0)
    out = dense.dense(rng.normal(size=(4, 3)), weights, "softmax")
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out.sum(axis=1), 1.0, atol=1e-12)


def test_the_core_shown_on_the_page_has_no_checks():
    from dlcourse.source import show

    code = str(show(dense.dense, docstring=False))
    assert "@checked(checks.dense)" in code
    assert "raise" not in code and "check_" not in code


GOOD_X = np.ones((2, 3))
GOOD_WEIGHTS = dense.DenseWeights(np.ones((3, 4)), np.zeros(4))


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ((GOOD_X, np.ones((3, 4))), TypeError, r"`weights` must be a DenseWeights"),
        (
            (GOOD_X, "weights"),
            TypeError,
            r"`weights` must be a DenseWeights.*'weights'",
        ),
        ((GOOD_X, (np.ones((3, 4)),)), ValueError, r"`weights` must hold two.*got 1"),
        ((GOOD_X, (np.ones((4, 4)), np.zeros(4))), ValueError, r"`weights.kernel`.*3"),
        ((GOOD_X, (np.ones((3, 4)), np.zeros(3))), ValueError, r"`weights.bias`.*4"),
        ((GOOD_X, (np.ones(3), np.zeros(4))), ValueError, r"`weights.kernel`.*dim"),
        ((np.ones(3), GOOD_WEIGHTS), ValueError, r"`x` must have 2 dimensions"),
        ((np.ones((0, 3)), GOOD_WEIGHTS), ValueError, r"`x` must not be empty"),
        (([[1, np.nan, 1]], GOOD_WEIGHTS), ValueError, r"`x` must contain only finite"),
        (([[1, np.inf, 1]], GOOD_WEIGHTS), ValueError, r"`x` must contain only finite"),
        ((None, GOOD_WEIGHTS), TypeError, r"`x` must be an array"),
        (([["a", "b", "c"]], GOOD_WEIGHTS), TypeError, r"`x` must hold real numbers"),
        ((GOOD_X, GOOD_WEIGHTS, "gelu"), ValueError, r"`activation` must be one of"),
        ((GOOD_X, GOOD_WEIGHTS, 3), TypeError, r"`activation` must be a string"),
    ],
)
def test_dense_rejects_bad_input_naming_the_parameter(arguments, error, message):
    with pytest.raises(error, match=message):
        dense.dense(*arguments)


def test_dense_refuses_a_huge_output_before_computing_it():
    # A (1, 3) array broadcast to many rows takes no memory; its output would.
    rows = MAX_ELEMENTS // 10
    x = np.broadcast_to(np.ones((1, 3)), (rows, 3))
    weights = dense.DenseWeights(np.ones((3, 11)), np.zeros(11))
    with pytest.raises(ValueError, match=r"`x, weights` ask for an array.*limit"):
        dense.dense(x, weights)
    assert dense.dense(np.ones((9, 3)), weights).shape == (9, 11)
