"""Chapter 5 (deep stacking networks): the NumPy reference and its argument checks."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse.reference import dsn as reference

pytestmark = pytest.mark.dsn


def _problem(n: int = 60, d: int = 7, outputs: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    targets = reference.one_hot(rng.integers(0, outputs, size=n), outputs)
    return x, targets


def test_closed_form_is_where_the_gradient_vanishes_and_gradient_descent_reaches_it():
    x, targets = _problem()
    weights = reference.init_module(7, 9, 3, seed=1, weight_scale=2.0)
    h = reference.hidden_layer(x, weights.kernel, weights.bias)
    lam = 0.3
    upper = reference.upper_weights(h, targets, lam)
    assert np.allclose(h.T @ (h @ upper - targets) + lam * upper, 0.0, atol=1e-10)
    step = 1.0 / (np.linalg.eigvalsh(h.T @ h).max() + lam)
    descent = np.zeros_like(upper)
    for _ in range(20000):
        descent -= step * (h.T @ (h @ descent - targets) + lam * descent)
    assert np.max(np.abs(descent - upper)) < 1e-6
    assert reference.objective(h, targets, upper, lam) <= reference.objective(
        h, targets, descent, lam
    )


def test_shards_give_the_full_batch_statistics():
    x, targets = _problem(n=101)
    weights = reference.init_module(7, 9, 3, seed=2)
    h = reference.hidden_layer(x, weights.kernel, weights.bias)
    full = reference.upper_statistics(h, targets)
    assert isinstance(full, reference.UpperStatistics)
    parts = [reference.upper_statistics(h[i::4], targets[i::4]) for i in range(4)]
    gram = sum(part.gram for part in parts)
    cross = sum(part.cross for part in parts)
    assert np.allclose(gram, full.gram, atol=1e-12)
    assert np.allclose(cross, full.cross, atol=1e-12)
    from_shards = reference.upper_from_statistics(gram, cross, 0.1)
    assert np.allclose(
        from_shards, reference.upper_weights(h, targets, 0.1), atol=1e-10
    )


def test_lower_gradient_matches_finite_differences_of_the_minimised_objective():
    x, targets = _problem(n=40, d=4)
    weights = reference.init_module(4, 5, 3, seed=3, weight_scale=2.0)
    lam = 0.2

    def f(kernel, bias):
        h = reference.hidden_layer(x, kernel, bias)
        upper = reference.upper_weights(h, targets, lam)
        return reference.objective(h, targets, upper, lam)

    gradient = reference.lower_gradient(x, targets, weights.kernel, weights.bias, lam)
    assert isinstance(gradient, reference.LowerGradient)
    eps = 1e-6
    for i, j in [(0, 0), (2, 3), (3, 4)]:
        plus, minus = weights.kernel.copy(), weights.kernel.copy()
        plus[i, j] += eps
        minus[i, j] -= eps
        numeric = (f(plus, weights.bias) - f(minus, weights.bias)) / (2 * eps)
        assert abs(numeric - gradient.kernel[i, j]) < 1e-5
    plus, minus = weights.bias.copy(), weights.bias.copy()
    plus[1] += eps
    minus[1] -= eps
    numeric = (f(weights.kernel, plus) - f(weights.kernel, minus)) / (2 * eps)
    assert abs(numeric - gradient.bias[1]) < 1e-5
    h = reference.hidden_layer(x, weights.kernel, weights.bias)
    assert np.allclose(gradient.optimal_upper, reference.upper_weights(h, targets, lam))


def test_the_papers_pseudo_inverse_gradient_is_twice_the_envelope_gradient():
    x, targets = _problem(n=120, d=6)
    weights = reference.init_module(6, 8, 3, seed=5, weight_scale=2.0)
    paper = reference.pseudo_inverse_gradient(x, targets, weights.kernel, weights.bias)
    ours = reference.lower_gradient(x, targets, weights.kernel, weights.bias, 0.0)
    # the paper's objective has no 0.5 in front, hence the factor 2
    assert np.max(np.abs(paper - 2 * ours.kernel)) < 1e-9 * np.max(np.abs(paper))


def test_refinement_lowers_the_objective_and_stacking_shapes():
    x, targets = _problem(n=80)
    lam = 0.1
    plain = reference.fit_module(x, targets, 9, lam, seed=4)
    refined = reference.fit_module(
        x, targets, 9, lam, refine_steps=20, learning_rate=5.0, seed=4
    )

    def value(module):
        h = reference.hidden_layer(x, module.kernel, module.bias)
        return reference.objective(h, targets, module.upper, lam)

    assert value(refined) < value(plain)
    modules = reference.fit_dsn(x, targets, 3, 9, lam, seed=0)
    assert all(isinstance(m, reference.DSNModuleWeights) for m in modules)
    assert [m.kernel.shape[0] for m in modules] == [7, 10, 13]
    outputs = reference.predict_dsn(x, modules)
    assert len(outputs) == 3 and all(o.shape == (80, 3) for o in outputs)
    assert np.allclose(outputs[0], reference.module_output(x, modules[0]))


def test_weight_scale_has_one_definition():
    from dlcourse.keras_parts import dsn as dsn_keras

    assert dsn_keras.WEIGHT_SCALE is reference.WEIGHT_SCALE
    assert not hasattr(reference, "sigmoid") or (
        reference.sigmoid.__module__ == "dlcourse.reference.activations"
    )


def test_cores_carry_no_argument_checks():
    for name in reference.__all__:
        function = getattr(reference, name)
        if not inspect.isfunction(function):
            continue
        core = inspect.getsource(inspect.unwrap(function))
        assert "raise " not in core and "check_" not in core, name
        assert hasattr(function, "validate"), name


X, TARGETS = _problem()
ONES = np.ones
BAD_CALLS = [
    (
        ValueError,
        "lam",
        lambda: reference.upper_weights(ONES((4, 2)), ONES((4, 1)), -1),
    ),
    (
        ValueError,
        "`h` and `t`",
        lambda: reference.upper_weights(ONES((4, 2)), ONES((5, 1)), 1),
    ),
    (
        ValueError,
        "gram",
        lambda: reference.upper_from_statistics(ONES((3, 2)), ONES((3, 1)), 1),
    ),
    (
        ValueError,
        "cross",
        lambda: reference.upper_from_statistics(np.eye(3), ONES((2, 1)), 1),
    ),
    (
        ValueError,
        "`kernel`",
        lambda: reference.hidden_layer(X, ONES((3, 2)), np.zeros(2)),
    ),
    (
        ValueError,
        "`bias`",
        lambda: reference.hidden_layer(X, ONES((7, 2)), np.zeros(3)),
    ),
    (
        ValueError,
        "finite",
        lambda: reference.hidden_layer(X * np.nan, ONES((7, 2)), ONES(2)),
    ),
    (
        ValueError,
        "finite",
        lambda: reference.upper_weights(ONES((4, 2)), ONES((4, 1)), np.inf),
    ),
    (
        ValueError,
        "empty",
        lambda: reference.hidden_layer(ONES((0, 7)), ONES((7, 2)), ONES(2)),
    ),
    (
        TypeError,
        "`x`",
        lambda: reference.hidden_layer("pixels", ONES((7, 2)), np.zeros(2)),
    ),
    (
        ValueError,
        "dimensions",
        lambda: reference.hidden_layer(ONES(7), ONES((7, 2)), ONES(2)),
    ),
    (TypeError, "previous_outputs", lambda: reference.stacked_input(X, ONES((60, 3)))),
    (
        ValueError,
        r"previous_outputs\[0\]",
        lambda: reference.stacked_input(X, [ONES((5, 3))]),
    ),
    (ValueError, "labels", lambda: reference.one_hot([0, 3], 3)),
    (ValueError, "classes", lambda: reference.one_hot([0, 1], 1)),
    (ValueError, "classes", lambda: reference.one_hot([0, 1], 10**9)),
    (TypeError, "labels", lambda: reference.one_hot([0.5, 1.0], 3)),
    (ValueError, "num_modules", lambda: reference.fit_dsn(X, TARGETS, 0, 4, 1.0)),
    (ValueError, "num_modules", lambda: reference.fit_dsn(X, TARGETS, 10**6, 4, 1.0)),
    (ValueError, "units", lambda: reference.fit_dsn(X, TARGETS, 2, 10**7, 1.0)),
    (ValueError, "units", lambda: reference.init_module(3, 10**7, 2)),
    (TypeError, "units", lambda: reference.init_module(3, 4.5, 2)),
    (
        ValueError,
        "`x` and `t`",
        lambda: reference.lower_gradient(X, TARGETS[:5], ONES((7, 2)), ONES(2), 1),
    ),
    (TypeError, "weights", lambda: reference.module_output(X, "weights")),
    (TypeError, "weights", lambda: reference.module_output(X, (1, 2, 3))),
    (TypeError, "modules", lambda: reference.predict_dsn(X, [])),
    (
        ValueError,
        r"modules\[0\]",
        lambda: reference.predict_dsn(
            X[:, :5], reference.fit_dsn(X, TARGETS, 2, 4, 1.0)
        ),
    ),
    (
        ValueError,
        "`upper`",
        lambda: reference.objective(ONES((4, 2)), ONES((4, 1)), ONES((3, 1)), 1),
    ),
    (
        ValueError,
        "refine_steps",
        lambda: reference.fit_module(X, TARGETS, 4, 1.0, refine_steps=-1),
    ),
    (
        ValueError,
        "refine_steps",
        lambda: reference.fit_module(X, TARGETS, 4, 1.0, refine_steps=10**9),
    ),
    (
        ValueError,
        "learning_rate",
        lambda: reference.fit_module(X, TARGETS, 4, 1.0, learning_rate=0.0),
    ),
    (
        ValueError,
        "weight_scale",
        lambda: reference.fit_module(X, TARGETS, 4, 1.0, weight_scale=-2.0),
    ),
    (ValueError, "seed", lambda: reference.fit_module(X, TARGETS, 4, 1.0, seed=-1)),
]


@pytest.mark.parametrize(("error", "pattern", "call"), BAD_CALLS)
def test_reference_bad_inputs(error, pattern, call):
    with pytest.raises(error, match=pattern):
        call()


def test_messages_say_what_was_expected_and_what_was_given():
    x, _ = _problem()
    with pytest.raises(ValueError) as caught:
        reference.hidden_layer(x, np.ones((3, 2)), np.zeros(2))
    message = str(caught.value)
    assert "7 rows" in message and "(3, 2)" in message


@settings(max_examples=20, deadline=None)
@given(n=st.integers(5, 40), units=st.integers(1, 12), lam=st.floats(1e-3, 10.0))
def test_upper_weights_is_the_ridge_minimiser(n, units, lam):
    rng = np.random.default_rng(n * 100 + units)
    h = rng.random((n, units))
    targets = rng.normal(size=(n, 2))
    upper = reference.upper_weights(h, targets, lam)
    base = reference.objective(h, targets, upper, lam)
    for _ in range(3):
        nudged = upper + 1e-3 * rng.normal(size=upper.shape)
        assert reference.objective(h, targets, nudged, lam) >= base - 1e-12
