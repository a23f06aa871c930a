"""Chapter 3 (convolutional networks): the NumPy reference against Keras, and its
argument checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse.reference import conv

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.cnn

PADDINGS = st.sampled_from(["valid", "same"])


def as_numpy(tensor: object) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(tensor))


@st.composite
def conv_cases(draw: st.DrawFn) -> dict:
    """A random Conv2D set-up (image size, channels, kernel, strides, padding) in which
    the kernel fits."""
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    height = draw(st.integers(kernel[0], 9))
    width = draw(st.integers(kernel[1], 9))
    return {
        "shape": (draw(st.integers(1, 3)), height, width, draw(st.integers(1, 3))),
        "filters": draw(st.integers(1, 4)),
        "kernel": kernel,
        "strides": (draw(st.integers(1, 3)), draw(st.integers(1, 3))),
        "padding": draw(PADDINGS),
        "seed": draw(st.integers(0, 2**16)),
    }


@settings(max_examples=25, deadline=None)
@given(conv_cases(), st.sampled_from(["linear", "relu"]))
def test_conv2d_equals_keras_with_copied_weights(case: dict, activation: str) -> None:
    rng = np.random.default_rng(case["seed"])
    x = rng.normal(size=case["shape"]).astype(np.float32)
    layer = keras.layers.Conv2D(
        case["filters"],
        case["kernel"],
        strides=case["strides"],
        padding=case["padding"],
        activation=activation,
    )
    layer.build(x.shape)
    kernel = rng.normal(size=layer.kernel.shape).astype(np.float32)
    bias = rng.normal(size=(case["filters"],)).astype(np.float32)
    layer.set_weights([kernel, bias])
    expected = as_numpy(layer(x))
    got = conv.conv2d(
        x,
        conv.ConvWeights(kernel, bias),
        strides=case["strides"],
        padding=case["padding"],
        activation=activation,
    )
    assert got.shape == expected.shape
    assert np.max(np.abs(got - expected)) <= 1e-5


@settings(max_examples=10, deadline=None)
@given(conv_cases())
def test_conv2d_without_bias_equals_keras(case: dict) -> None:
    rng = np.random.default_rng(case["seed"])
    x = rng.normal(size=case["shape"]).astype(np.float32)
    layer = keras.layers.Conv2D(
        case["filters"],
        case["kernel"],
        strides=case["strides"],
        padding=case["padding"],
        use_bias=False,
    )
    expected = as_numpy(layer(x))
    got = conv.conv2d(
        x,
        conv.ConvWeights(*layer.get_weights()),
        strides=case["strides"],
        padding=case["padding"],
    )
    assert np.max(np.abs(got - expected)) <= 1e-5


@settings(max_examples=10, deadline=None)
@given(conv_cases())
def test_conv1d_equals_keras(case: dict) -> None:
    rng = np.random.default_rng(case["seed"])
    x = rng.normal(size=(case["shape"][0], case["shape"][2], case["shape"][3])).astype(
        np.float32
    )
    layer = keras.layers.Conv1D(
        case["filters"],
        case["kernel"][1],
        strides=case["strides"][1],
        padding=case["padding"],
    )
    expected = as_numpy(layer(x))
    got = conv.conv1d(
        x,
        conv.ConvWeights(*layer.get_weights()),
        strides=case["strides"][1],
        padding=case["padding"],
    )
    assert np.max(np.abs(got - expected)) <= 1e-5


@settings(max_examples=20, deadline=None)
@given(conv_cases(), st.sampled_from(["max", "average"]))
def test_pooling_equals_keras(case: dict, kind: str) -> None:
    rng = np.random.default_rng(case["seed"])
    x = rng.normal(size=case["shape"]).astype(np.float32)
    layer_class = (
        keras.layers.MaxPooling2D if kind == "max" else keras.layers.AveragePooling2D
    )
    function = conv.max_pool2d if kind == "max" else conv.average_pool2d
    layer = layer_class(
        case["kernel"], strides=case["strides"], padding=case["padding"]
    )
    got = function(x, case["kernel"], case["strides"], case["padding"])
    assert np.max(np.abs(got - as_numpy(layer(x)))) <= 1e-5


def test_pooling_strides_default_to_pool_size() -> None:
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    assert conv.max_pool2d(x, 2)[0, :, :, 0].tolist() == [[5.0, 7.0], [13.0, 15.0]]
    assert conv.average_pool2d(x, 2)[0, :, :, 0].tolist() == [[2.5, 4.5], [10.5, 12.5]]


@settings(max_examples=25, deadline=None)
@given(conv_cases())
def test_conv_matrix_times_flat_image_is_the_convolution(case: dict) -> None:
    rng = np.random.default_rng(case["seed"])
    _, height, width, _ = case["shape"]
    image = rng.normal(size=(height, width))
    kernel = rng.normal(size=case["kernel"])
    matrix = conv.conv_matrix(
        kernel, (height, width), strides=case["strides"], padding=case["padding"]
    )
    expected = conv.conv2d(
        image[None, :, :, None],
        conv.ConvWeights(kernel[:, :, None, None]),
        strides=case["strides"],
        padding=case["padding"],
    )
    assert matrix.shape == (expected.size, height * width)
    assert np.allclose(matrix @ image.ravel(), expected.ravel(), atol=1e-10)


def test_conv_matrix_is_sparse_and_shares_weights() -> None:
    kernel = np.arange(1.0, 10.0).reshape(3, 3)
    matrix = conv.conv_matrix(kernel, (6, 6))
    assert matrix.shape == (16, 36)
    assert np.count_nonzero(matrix) == 16 * 9
    for row in matrix:
        assert sorted(row[row != 0]) == list(range(1, 10))


def test_correlation_and_convolution_differ_by_a_flip() -> None:
    image = np.arange(20.0).reshape(4, 5)
    kernel = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert np.allclose(
        conv.convolve2d(image, kernel), conv.correlate2d(image, kernel[::-1, ::-1])
    )
    assert conv.correlate2d(image, kernel)[0, 0] == 0 * 1 + 1 * 2 + 5 * 3 + 6 * 4
    assert not np.allclose(
        conv.convolve2d(image, kernel), conv.correlate2d(image, kernel)
    )


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "expected"),
    [
        (28, 5, 1, "valid", 24),
        (28, 5, 1, "same", 28),
        (7, 3, 2, "valid", 3),
        (7, 3, 2, "same", 4),
        (10, 4, 3, "valid", 3),
        (5, 5, 1, "valid", 1),
    ],
)
def test_output_size(
    size: int, kernel: int, stride: int, padding: str, expected: int
) -> None:
    assert conv.output_size(size, kernel, stride, padding) == expected


def test_same_padding_puts_the_odd_zero_after() -> None:
    assert conv.same_padding(28, 5, 1) == (2, 2)
    assert conv.same_padding(6, 2, 1) == (0, 1)
    assert conv.same_padding(7, 3, 2) == (1, 1)
    assert conv.same_padding(4, 1, 2) == (0, 0)


def test_receptive_field_of_lenet() -> None:
    assert conv.receptive_field([(3, 1)]) == 3
    assert conv.receptive_field([(3, 1), (3, 1)]) == 5
    assert conv.receptive_field([(5, 1), (2, 2), (5, 1), (2, 2)]) == 16


@settings(max_examples=25, deadline=None)
@given(conv_cases())
def test_im2col_then_one_matrix_product_is_the_direct_loop(case: dict) -> None:
    rng = np.random.default_rng(case["seed"])
    x = rng.normal(size=case["shape"])
    kernel_shape = (*case["kernel"], case["shape"][3], case["filters"])
    weights = conv.ConvWeights(
        rng.normal(size=kernel_shape), rng.normal(size=case["filters"])
    )
    settings_ = {"strides": case["strides"], "padding": case["padding"]}
    direct = conv.conv2d(x, weights, **settings_)
    columns = conv.im2col(x, case["kernel"], **settings_)
    assert columns.shape == (*direct.shape[:3], np.prod(kernel_shape[:3]))
    assert np.allclose(conv.conv2d_im2col(x, weights, **settings_), direct, atol=1e-10)


def test_im2col_rows_are_the_windows() -> None:
    x = np.arange(2 * 4 * 5 * 3, dtype=float).reshape(2, 4, 5, 3)
    columns = conv.im2col(x, (2, 3), strides=(2, 1))
    assert columns.shape == (2, 2, 3, 18)
    assert np.array_equal(columns[1, 1, 2], x[1, 2:4, 2:5, :].ravel())


def test_weights_come_from_get_weights() -> None:
    layer = keras.layers.Conv2D(3, 2)
    layer.build((None, 5, 5, 2))
    weights = conv.ConvWeights(*layer.get_weights())
    assert weights.kernel.shape == (2, 2, 2, 3) and weights.bias.shape == (3,)
    assert conv.ConvWeights._fields == ("kernel", "bias")


# ------------------------------------------------------------------------- bad inputs


def test_conv2d_rejects_bad_inputs() -> None:
    x = np.zeros((1, 5, 5, 2))
    weights = conv.ConvWeights(np.zeros((3, 3, 2, 4)), np.zeros(4))
    with pytest.raises(ValueError, match="`x`.*4 dimensions.*got shape"):
        conv.conv2d(np.zeros((5, 5, 2)), weights)
    with pytest.raises(TypeError, match="`x`"):
        conv.conv2d("image", weights)
    with pytest.raises(ValueError, match="`x`.*empty"):
        conv.conv2d(np.zeros((0, 5, 5, 2)), weights)
    with pytest.raises(TypeError, match="`weights`.*ConvWeights"):
        conv.conv2d(x, np.zeros((3, 3, 2, 4)))
    with pytest.raises(ValueError, match="`kernel`.*input channels"):
        conv.conv2d(x, conv.ConvWeights(np.zeros((3, 3, 1, 4))))
    with pytest.raises(ValueError, match="`bias`.*shape"):
        conv.conv2d(x, conv.ConvWeights(weights.kernel, np.zeros(3)))
    with pytest.raises(ValueError, match="`weights`.*at most"):
        conv.conv2d(x, [weights.kernel, weights.bias, weights.bias])
    with pytest.raises(ValueError, match="`padding`.*'valid'"):
        conv.conv2d(x, weights, padding="full")
    with pytest.raises(ValueError, match="`strides`.*at least 1"):
        conv.conv2d(x, weights, strides=0)
    with pytest.raises(ValueError, match="`strides`.*pair"):
        conv.conv2d(x, weights, strides=(1, 2, 3))
    with pytest.raises(TypeError, match="`strides`"):
        conv.conv2d(x, weights, strides="2")
    with pytest.raises(ValueError, match="`activation`"):
        conv.conv2d(x, weights, activation="swish")
    with pytest.raises(ValueError, match="`kernel`.*does not fit"):
        conv.conv2d(x, conv.ConvWeights(np.zeros((6, 6, 2, 1))))
    with pytest.raises(ValueError, match="`x`.*NaN"):
        conv.conv2d(np.full((1, 5, 5, 2), np.nan), weights)
    with pytest.raises(ValueError, match="`kernel`.*NaN"):
        conv.conv2d(x, conv.ConvWeights(np.full((3, 3, 2, 4), np.inf)))
    with pytest.raises(ValueError, match="`strides`.*at most"):
        conv.conv2d(x, weights, strides=10**9)


def test_the_size_limit_fails_before_allocating() -> None:
    # 4,000 images of 64 x 64 with 64 filters would need 10^9 numbers.
    x = np.lib.stride_tricks.as_strided(np.zeros(1), (4000, 64, 64, 1), (0, 0, 0, 0))
    weights = conv.ConvWeights(np.zeros((3, 3, 1, 64)))
    with pytest.raises(ValueError, match="limit"):
        conv.conv2d(x, weights, padding="same")
    with pytest.raises(ValueError, match="limit"):
        conv.conv_matrix(np.ones((3, 3)), (1000, 1000))


def test_conv1d_and_pooling_reject_bad_inputs() -> None:
    weights = conv.ConvWeights(np.zeros((2, 3, 1)))
    with pytest.raises(ValueError, match="`x`"):
        conv.conv1d(np.zeros((4, 3)), weights)
    with pytest.raises(ValueError, match="`kernel`"):
        conv.conv1d(np.zeros((1, 4, 3)), [np.zeros((2, 3))])
    with pytest.raises(ValueError, match="`kernel`.*input channels"):
        conv.conv1d(np.zeros((1, 4, 2)), weights)
    with pytest.raises(TypeError, match="`strides`"):
        conv.conv1d(np.zeros((1, 4, 3)), weights, strides=1.5)
    with pytest.raises(ValueError, match="`x`"):
        conv.max_pool2d(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="`pool_size`"):
        conv.max_pool2d(np.zeros((1, 4, 4, 1)), 0)
    with pytest.raises(ValueError, match="`pool_size`.*does not fit"):
        conv.average_pool2d(np.zeros((1, 4, 4, 1)), 5)
    with pytest.raises(ValueError, match="`padding`"):
        conv.average_pool2d(np.zeros((1, 4, 4, 1)), 2, padding="causal")
    with pytest.raises(TypeError, match="`strides`"):
        conv.max_pool2d(np.zeros((1, 4, 4, 1)), 2, strides="2")
    with pytest.raises(ValueError, match="`x`.*NaN"):
        conv.max_pool2d(np.full((1, 4, 4, 1), np.nan))
    with pytest.raises(ValueError, match="`kernel_size`"):
        conv.im2col(np.zeros((1, 4, 4, 1)), (5, 5))
    with pytest.raises(ValueError, match="`fill`.*NaN"):
        conv.pad(np.zeros((1, 4, 4, 1)), (3, 3), padding="same", fill=np.nan)


def test_small_functions_reject_bad_inputs() -> None:
    with pytest.raises(ValueError, match="`size`"):
        conv.output_size(0, 3)
    with pytest.raises(TypeError, match="`kernel_size`"):
        conv.output_size(5, 2.5)
    with pytest.raises(ValueError, match="`kernel_size`.*larger"):
        conv.output_size(3, 5)
    with pytest.raises(ValueError, match="`padding`"):
        conv.output_size(5, 3, 1, "full")
    with pytest.raises(ValueError, match="`size`.*at most"):
        conv.output_size(10**12, 3)
    with pytest.raises(ValueError, match="`stride`"):
        conv.same_padding(5, 3, 0)
    with pytest.raises(ValueError, match="`image`"):
        conv.correlate2d(np.zeros(5), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="`kernel`.*does not fit"):
        conv.correlate2d(np.zeros((2, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="`kernel`"):
        conv.convolve2d(np.zeros((4, 4)), np.zeros(3))
    with pytest.raises(ValueError, match="`image`.*empty"):
        conv.correlate2d(np.zeros((0, 4)), np.zeros((1, 1)))
    with pytest.raises(ValueError, match="`image_shape\\[1\\]`"):
        conv.conv_matrix(np.zeros((2, 2)), (4, 0))
    with pytest.raises(TypeError, match="`image_shape`"):
        conv.conv_matrix(np.zeros((2, 2)), 4)
    with pytest.raises(ValueError, match="`kernel`.*does not fit"):
        conv.conv_matrix(np.zeros((5, 5)), (4, 4))
    with pytest.raises(ValueError, match="`padding`"):
        conv.conv_matrix(np.zeros((2, 2)), (4, 4), padding="full")
    with pytest.raises(ValueError, match="`layers`"):
        conv.receptive_field([])
    with pytest.raises(TypeError, match="`layers`"):
        conv.receptive_field("3x3")
    with pytest.raises(TypeError, match=r"`layers\[1\]`"):
        conv.receptive_field([(3, 1), 3])
    with pytest.raises(ValueError, match=r"`layers\[0\] stride`"):
        conv.receptive_field([(3, 0)])
