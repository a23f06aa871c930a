"""The up-down algorithm of the deep-belief-network chapter, and its checks.

There is no Keras counterpart of up-down, so the NumPy core is tested against a direct
re-derivation of the paper's appendix B, written unit by unit with scalar loops and
the same random numbers; against brute-force sums for the label read-out; and on
small data, where a few epochs must improve what the rule optimises.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from dlcourse import data
from dlcourse.reference import rbm as rbm_reference
from dlcourse.reference import updown

pytestmark = pytest.mark.dbn


def _random_dbn(
    rng: np.random.Generator, sizes: tuple[int, ...], top_units: int, labels: int
) -> updown.UpDownWeights:
    """Random untied weights for directed layers of ``sizes`` and a top RBM."""
    layers = tuple(
        updown.DirectedWeights(
            rng.normal(0, 0.8, (below, above)),
            rng.normal(0, 0.5, above),
            rng.normal(0, 0.8, (above, below)),
            rng.normal(0, 0.5, below),
        )
        for below, above in itertools.pairwise(sizes)
    )
    visible = sizes[-1] + labels
    top = rbm_reference.RBMWeights(
        rng.normal(0, 0.8, (visible, top_units)),
        rng.normal(0, 0.5, visible),
        rng.normal(0, 0.5, top_units),
    )
    return updown.UpDownWeights(layers, top)


def _binary(rng: np.random.Generator, rows: int, units: int) -> np.ndarray:
    return (rng.random((rows, units)) < 0.5).astype(np.float64)


# --------------------------------------------------------------------------------------
# A re-derivation of appendix B, one unit at a time


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _layer_up(states: list[float], kernel: np.ndarray, bias: np.ndarray) -> list[float]:
    """``sigmoid(states kernel + bias)`` for one row, by loops."""
    return [
        _logistic(bias[j] + sum(states[i] * kernel[i, j] for i in range(len(states))))
        for j in range(len(bias))
    ]


def _draw(probabilities: list[list[float]], rng: np.random.Generator) -> list[list]:
    uniforms = rng.random((len(probabilities), len(probabilities[0])))
    return [
        [1.0 if u < p else 0.0 for u, p in zip(u_row, p_row, strict=True)]
        for u_row, p_row in zip(uniforms, probabilities, strict=True)
    ]


def _outer_mean(left: list[list[float]], right: list[list[float]]) -> np.ndarray:
    n = len(left)
    return np.array(
        [
            [
                sum(left[m][i] * right[m][j] for m in range(n)) / n
                for j in range(len(right[0]))
            ]
            for i in range(len(left[0]))
        ]
    )


def _column_mean(rows: list[list[float]]) -> np.ndarray:
    return np.array([sum(column) / len(rows) for column in zip(*rows, strict=True)])


def _minus(a: list[list[float]], b: list[list[float]]) -> list[list[float]]:
    return [
        [x - y for x, y in zip(ra, rb, strict=True)]
        for ra, rb in zip(a, b, strict=True)
    ]


def _loop_updown_step(v, y, weights, gibbs_steps, learning_rate, rng):
    """The paper's pseudo-code, unit by unit (row vectors, averages over the batch)."""
    layers, (W, b, c) = weights
    labels = W.shape[0] - layers[-1].recognition_kernel.shape[1]
    pen = layers[-1].recognition_kernel.shape[1]
    # up pass: sampled states with the recognition weights
    wake = [[list(row) for row in v]]
    for R, r, _, _ in layers:
        wake.append(_draw([_layer_up(row, R, r) for row in wake[-1]], rng))
    targets = [[1.0 if j == label else 0.0 for j in range(labels)] for label in y]
    data_rows = [s + t for s, t in zip(wake[-1], targets, strict=True)]
    wake_top = _draw([_layer_up(row, W, c) for row in data_rows], rng)
    negative_top = wake_top
    for _ in range(gibbs_steps):
        down = [
            _layer_up(row, W.T, b) for row in negative_top
        ]  # logistic of every unit
        negative_pen = _draw([row[:pen] for row in down], rng)
        label_probs = []
        for row in negative_top:
            x = [
                b[pen + j] + sum(row[t] * W[pen + j, t] for t in range(len(row)))
                for j in range(labels)
            ]
            top_x = max(x)
            e = [math.exp(value - top_x) for value in x]
            label_probs.append([value / sum(e) for value in e])
        chain_rows = [s + t for s, t in zip(negative_pen, label_probs, strict=True)]
        negative_top = _draw([_layer_up(row, W, c) for row in chain_rows], rng)
    # down pass: sampled states with the generative weights, probabilities at the bottom
    sleep = [negative_pen]
    for depth, (_, _, G, g) in enumerate(reversed(layers)):
        means = [_layer_up(row, G, g) for row in sleep[-1]]
        sleep.append(means if depth == len(layers) - 1 else _draw(means, rng))
    sleep.reverse()
    new_layers = []
    for index, (R, r, G, g) in enumerate(layers):
        predicted_below = [_layer_up(row, G, g) for row in wake[index + 1]]
        wake_error = _minus(wake[index], predicted_below)
        predicted_above = [_layer_up(row, R, r) for row in sleep[index]]
        sleep_error = _minus(sleep[index + 1], predicted_above)
        new_layers.append(
            updown.DirectedWeights(
                R + learning_rate * _outer_mean(sleep[index], sleep_error),
                r + learning_rate * _column_mean(sleep_error),
                G + learning_rate * _outer_mean(wake[index + 1], wake_error),
                g + learning_rate * _column_mean(wake_error),
            )
        )
    new_top = rbm_reference.RBMWeights(
        W
        + learning_rate
        * (_outer_mean(data_rows, wake_top) - _outer_mean(chain_rows, negative_top)),
        b + learning_rate * (_column_mean(data_rows) - _column_mean(chain_rows)),
        c + learning_rate * (_column_mean(wake_top) - _column_mean(negative_top)),
    )
    return updown.UpDownWeights(tuple(new_layers), new_top)


def _assert_same(a: updown.UpDownWeights, b: updown.UpDownWeights) -> None:
    for layer_a, layer_b in zip(a.layers, b.layers, strict=True):
        for x, z in zip(layer_a, layer_b, strict=True):
            np.testing.assert_allclose(x, z, atol=1e-12)
    for x, z in zip(a.top, b.top, strict=True):
        np.testing.assert_allclose(x, z, atol=1e-12)


@pytest.mark.parametrize(
    ("sizes", "top_units", "gibbs_steps"),
    [((3, 2), 2, 1), ((3, 2), 2, 3), ((4, 3, 2), 3, 2)],
)
def test_step_matches_a_unit_by_unit_rederivation(
    sizes, top_units, gibbs_steps
) -> None:
    rng = np.random.default_rng(sum(sizes) + gibbs_steps)
    weights = _random_dbn(rng, sizes, top_units, labels=2)
    v = _binary(rng, 5, sizes[0])
    y = np.array([0, 1, 1, 0, 1])
    core = updown.updown_step(
        v,
        y,
        weights,
        gibbs_steps=gibbs_steps,
        learning_rate=0.3,
        rng=np.random.default_rng(7),
    )
    loops = _loop_updown_step(v, y, weights, gibbs_steps, 0.3, np.random.default_rng(7))
    _assert_same(core, loops)


class _AllZero(np.random.Generator):
    """A generator whose uniforms are all 0, so that every unit with p > 0 is on."""

    def __init__(self) -> None:
        super().__init__(np.random.PCG64(0))

    def random(self, size=None, dtype=np.float64, out=None):  # noqa: ARG002
        return np.zeros(size)


def test_a_3_2_2_step_by_hand() -> None:
    """One image, one Gibbs step, uniforms that make every sample predictable."""
    R = np.array([[1.0, -1.0], [0.5, 0.0], [0.0, 2.0]])
    r = np.array([0.0, -0.5])
    G = np.array([[0.2, -0.3, 0.1], [0.0, 0.4, -0.2]])
    g = np.array([0.1, 0.0, -0.1])
    W = np.array([[0.3, -0.2], [0.1, 0.4], [0.5, 0.0], [-0.5, 0.2]])  # [s1 ; y] x top
    b = np.array([0.0, 0.1, 0.2, -0.2])
    c = np.array([0.1, -0.1])
    weights = updown.UpDownWeights(
        (updown.DirectedWeights(R, r, G, g),), rbm_reference.RBMWeights(W, b, c)
    )
    v, y, rate = np.array([[1.0, 1.0, 0.0]]), np.array([0]), 0.5

    new = updown.updown_step(
        v, y, weights, gibbs_steps=1, learning_rate=rate, rng=_AllZero()
    )
    # With uniforms of 0 every sampled state is all ones: s1 = (1, 1), t = (1, 1).
    s1 = np.array([1.0, 1.0])
    data_row = np.array([1.0, 1.0, 1.0, 0.0])
    x = np.array([1.0, 1.0]) @ W.T + b
    label_probs = np.exp(x[2:]) / np.exp(x[2:]).sum()
    chain_row = np.array([1.0, 1.0, *label_probs])
    np.testing.assert_allclose(
        new.top.kernel,
        W + rate * (np.outer(data_row, [1, 1]) - np.outer(chain_row, [1, 1])),
    )
    np.testing.assert_allclose(new.top.visible_bias, b + rate * (data_row - chain_row))
    np.testing.assert_allclose(new.top.hidden_bias, c)  # both phases have t = (1, 1)
    # wake: G learns to generate v from s1
    p_v = 1.0 / (1.0 + np.exp(-(s1 @ G + g)))
    np.testing.assert_allclose(
        new.layers[0].generative_kernel, G + rate * np.outer(s1, v[0] - p_v)
    )
    np.testing.assert_allclose(new.layers[0].generative_bias, g + rate * (v[0] - p_v))
    # sleep: the dreamt image is p(v | s1' = (1, 1)); R learns to infer s1' from it
    dream = p_v  # the chain's s1' is (1, 1) too
    q = 1.0 / (1.0 + np.exp(-(dream @ R + r)))
    np.testing.assert_allclose(
        new.layers[0].recognition_kernel, R + rate * np.outer(dream, s1 - q)
    )
    np.testing.assert_allclose(new.layers[0].recognition_bias, r + rate * (s1 - q))


# --------------------------------------------------------------------------------------
# What the pieces compute


def test_untie_starts_from_the_greedy_stack() -> None:
    rng = np.random.default_rng(0)
    rbm = rbm_reference.RBMWeights(
        rng.normal(size=(5, 3)), rng.normal(size=5), rng.normal(size=3)
    )
    top = rbm_reference.RBMWeights(
        rng.normal(size=(5, 4)), rng.normal(size=5), rng.normal(size=4)
    )
    weights = updown.untie([rbm], top)
    ((R, r, G, g),) = weights.layers
    np.testing.assert_array_equal(R, rbm.kernel)
    np.testing.assert_array_equal(G, rbm.kernel.T)
    np.testing.assert_array_equal(r, rbm.hidden_bias)
    np.testing.assert_array_equal(g, rbm.visible_bias)
    R[0, 0] += 1.0  # copies, not views
    assert rbm.kernel[0, 0] != R[0, 0]
    assert weights.layers[0].generative_kernel[0, 0] == rbm.kernel[0, 0]


def test_label_read_out_is_the_exact_posterior_of_the_top_rbm() -> None:
    rng = np.random.default_rng(1)
    weights = _random_dbn(rng, (4, 3), top_units=3, labels=3)
    v = _binary(rng, 6, 4)
    energies = updown.label_free_energies(v, weights)
    assert energies.shape == (6, 3)
    R, r, _, _ = weights.layers[0]
    s = 1.0 / (1.0 + np.exp(-(v @ R + r)))
    all_top = np.array(list(itertools.product([0.0, 1.0], repeat=3)))
    for row in range(len(v)):
        unnormalised = []
        for label in range(3):
            visible = np.concatenate([s[row], np.eye(3)[label]])
            energy = rbm_reference.energy(
                np.tile(visible, (len(all_top), 1)), all_top, weights.top
            )
            unnormalised.append(np.exp(-energy).sum())
        brute = np.array(unnormalised) / sum(unnormalised)
        from_free = np.exp(-energies[row]) / np.exp(-energies[row]).sum()
        np.testing.assert_allclose(from_free, brute, rtol=1e-10)
    np.testing.assert_array_equal(
        updown.classify(v, weights), np.argmin(energies, axis=1)
    )


def test_top_down_gives_logistic_units_and_one_softmax_group() -> None:
    rng = np.random.default_rng(2)
    weights = _random_dbn(rng, (4, 3), top_units=5, labels=4)
    t = _binary(rng, 7, 5)
    penultimate, labels = updown.top_down(t, weights.top, 4)
    assert penultimate.shape == (7, 3) and labels.shape == (7, 4)
    np.testing.assert_allclose(labels.sum(axis=1), 1.0)
    x = t @ weights.top.kernel.T + weights.top.visible_bias
    np.testing.assert_allclose(penultimate, 1.0 / (1.0 + np.exp(-x[:, :3])))


def test_shapes_and_a_zero_learning_rate() -> None:
    rng = np.random.default_rng(3)
    weights = _random_dbn(rng, (6, 4, 3), top_units=5, labels=2)
    v, y = _binary(rng, 8, 6), np.arange(8) % 2
    same = updown.updown_step(
        v, y, weights, gibbs_steps=2, learning_rate=0.0, rng=np.random.default_rng(0)
    )
    _assert_same(same, weights)
    moved = updown.updown_epoch(
        v,
        y,
        weights,
        batch=4,
        gibbs_steps=1,
        learning_rate=0.1,
        rng=np.random.default_rng(0),
    )
    for before, after in zip(weights.layers, moved.layers, strict=True):
        assert [w.shape for w in before] == [w.shape for w in after]
        assert not np.allclose(before.generative_kernel, after.generative_kernel)
    images = updown.generate(np.array([0, 1, 1]), weights, gibbs_steps=3, rng=rng)
    assert images.shape == (3, 6) and images.min() >= 0.0 and images.max() <= 1.0
    assert updown.classify(v, weights).shape == (8,)


def test_the_wake_update_raises_the_generative_log_probability_of_the_wake_states() -> (
    None
):
    rng = np.random.default_rng(4)
    weights = _random_dbn(rng, (6, 4), top_units=3, labels=2)
    v, y = _binary(rng, 10, 6), np.arange(10) % 2
    new = updown.updown_step(
        v, y, weights, gibbs_steps=1, learning_rate=0.05, rng=np.random.default_rng(9)
    )
    # the same generator gives the same wake states: they are drawn first
    R, r, G, g = weights.layers[0]
    uniforms = np.random.default_rng(9).random((10, 4))
    s1 = (uniforms < 1.0 / (1.0 + np.exp(-(v @ R + r)))).astype(float)

    def log_p(G, g):
        p = 1.0 / (1.0 + np.exp(-(s1 @ G + g)))
        return float(np.sum(v * np.log(p) + (1 - v) * np.log1p(-p)))

    assert log_p(
        new.layers[0].generative_kernel, new.layers[0].generative_bias
    ) > log_p(G, g)


@pytest.fixture(scope="module")
def small_greedy_stack():
    """A greedy stack on 8x8 digits: RBM 64-32 by CD-1, top RBM (32 + 10)-64 by CD-1."""
    digits_train, labels_train, _, _ = data.load_digits(seed=0)
    v = (digits_train.reshape(len(digits_train), -1) > 0.5).astype(float)
    rng = np.random.default_rng(0)
    rbm = rbm_reference.init_weights(64, 32, seed=0)
    for _ in range(10):
        order = rng.permutation(len(v))
        for start in range(0, len(v) - 31, 32):
            v0 = v[order[start : start + 32]]
            rbm = rbm_reference.cd_update(
                v0,
                rbm,
                hidden_uniforms=rng.random((32, 1, 32)),
                visible_uniforms=rng.random((32, 1, 64)),
                learning_rate=0.1,
            )
    penultimate = rbm_reference.hidden_probabilities(v, rbm)
    top = rbm_reference.init_weights(42, 64, seed=1)
    for _ in range(10):
        top = updown.top_cd_epoch(
            penultimate,
            labels_train,
            top,
            batch=32,
            gibbs_steps=1,
            learning_rate=0.1,
            rng=rng,
        )
    return v, labels_train, updown.untie([rbm], top)


def _generative_log_probability(v, weights) -> float:
    """Mean log p(v | s1) under the generative weights, s1 from the recognition pass."""
    R, r, G, g = weights.layers[0]
    s1 = 1.0 / (1.0 + np.exp(-(v @ R + r)))
    p = np.clip(1.0 / (1.0 + np.exp(-(s1 @ G + g))), 1e-12, 1 - 1e-12)
    return float(np.mean(np.sum(v * np.log(p) + (1 - v) * np.log1p(-p), axis=1)))


def test_a_few_epochs_improve_on_the_greedy_stack(small_greedy_stack) -> None:
    v, y, greedy = small_greedy_stack
    rng = np.random.default_rng(5)
    tuned = greedy
    for _ in range(5):
        tuned = updown.updown_epoch(
            v, y, tuned, batch=32, gibbs_steps=3, learning_rate=0.05, rng=rng
        )
    greedy_accuracy = np.mean(updown.classify(v, greedy) == y)
    tuned_accuracy = np.mean(updown.classify(v, tuned) == y)
    assert greedy_accuracy > 0.5  # the greedy stack already reads the labels
    assert tuned_accuracy > greedy_accuracy
    assert _generative_log_probability(v, tuned) > _generative_log_probability(
        v, greedy
    )


# --------------------------------------------------------------------------------------
# The checks name the parameter


def _valid(rng=None):
    rng = np.random.default_rng(0) if rng is None else rng
    weights = _random_dbn(rng, (5, 3), top_units=4, labels=2)
    return {
        "v": _binary(rng, 4, 5),
        "y": np.array([0, 1, 0, 1]),
        "weights": weights,
        "gibbs_steps": 1,
        "learning_rate": 0.1,
        "rng": np.random.default_rng(1),
    }


@pytest.mark.parametrize(
    ("name", "value", "error", "named"),
    [
        ("v", np.full((4, 6), 0.5), ValueError, "`v`"),
        ("v", np.full((4, 5), 2.0), ValueError, "`v`"),
        ("y", np.array([0, 1, 2, 1]), ValueError, "`y`"),
        ("y", np.array([0, 1]), ValueError, "`y`"),
        ("y", np.array([0.5, 1, 0, 1]), TypeError, "`y`"),
        ("weights", np.zeros(3), TypeError, "`weights`"),
        ("gibbs_steps", 0, ValueError, "`gibbs_steps`"),
        ("gibbs_steps", 1.5, TypeError, "`gibbs_steps`"),
        ("learning_rate", -0.1, ValueError, "`learning_rate`"),
        ("learning_rate", float("nan"), ValueError, "`learning_rate`"),
        ("rng", 0, TypeError, "`rng`"),
    ],
)
def test_updown_step_names_the_bad_parameter(name, value, error, named) -> None:
    arguments = _valid()
    arguments[name] = value
    with pytest.raises(error, match=named):
        updown.updown_step(**arguments)


def test_weight_shapes_that_do_not_fit_are_named() -> None:
    arguments = _valid()
    layers, top = arguments["weights"]
    R, r, G, g = layers[0]
    bad_layer = updown.DirectedWeights(R, r, G.T, g)
    with pytest.raises(ValueError, match=r"`weights.layers\[0\].generative_kernel`"):
        updown.updown_step(**{**arguments, "weights": ((bad_layer,), top)})
    small_top = rbm_reference.RBMWeights(
        top.kernel[:4], top.visible_bias[:4], top.hidden_bias
    )
    with pytest.raises(ValueError, match="`weights.top`"):
        updown.updown_step(**{**arguments, "weights": (layers, small_top)})
    with pytest.raises(TypeError, match=r"`weights.layers`"):
        updown.updown_step(**{**arguments, "weights": ((), top)})


def test_untie_and_the_epochs_name_their_parameters() -> None:
    rng = np.random.default_rng(0)
    low = rbm_reference.RBMWeights(rng.normal(size=(5, 3)), np.zeros(5), np.zeros(3))
    wrong = rbm_reference.RBMWeights(rng.normal(size=(4, 2)), np.zeros(4), np.zeros(2))
    top = rbm_reference.RBMWeights(rng.normal(size=(4, 2)), np.zeros(4), np.zeros(2))
    with pytest.raises(ValueError, match=r"`rbms\[1\].kernel`"):
        updown.untie([low, wrong], top)
    with pytest.raises(TypeError, match="`rbms`"):
        updown.untie([], top)
    with pytest.raises(ValueError, match="`top`"):
        updown.untie(
            [low], rbm_reference.RBMWeights(np.zeros((3, 2)), np.zeros(3), np.zeros(2))
        )
    arguments = _valid()
    with pytest.raises(ValueError, match="`batch`"):
        updown.updown_epoch(**arguments, batch=0)
    penultimate = np.full((4, 3), 0.5)
    with pytest.raises(ValueError, match="`y`"):
        updown.top_cd_epoch(
            penultimate,
            np.array([0, 1, 5, 1]),
            arguments["weights"].top,
            batch=2,
            gibbs_steps=1,
            learning_rate=0.1,
            rng=np.random.default_rng(0),
        )
    with pytest.raises(ValueError, match="`y`"):
        updown.top_cd_gradients(
            penultimate,
            np.ones((4, 2)),
            arguments["weights"].top,
            gibbs_steps=1,
            rng=np.random.default_rng(0),
        )
    with pytest.raises(ValueError, match="`y`"):
        updown.generate(np.array([3]), arguments["weights"], gibbs_steps=1, rng=rng)
    with pytest.raises(ValueError, match="`labels`"):
        updown.top_down(np.zeros((2, 4)), arguments["weights"].top, 1)
