"""Chapter 5 (deep stacking networks): NumPy reference, Keras layers, shards, checkers, bad inputs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse.exercises import dsn as exercises
from dlcourse.reference import dsn as reference


def _problem(n: int = 60, d: int = 7, units: int = 9, outputs: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    targets = reference.one_hot(rng.integers(0, outputs, size=n), outputs)
    return x, targets


# ---- NumPy reference ------------------------------------------------------------------------------------


def test_closed_form_is_where_the_gradient_vanishes_and_gradient_descent_reaches_it():
    x, targets = _problem()
    weights = reference.init_module(7, 9, 3, seed=1, weight_scale=2.0)
    hidden = reference.hidden_layer(x, weights.w, weights.b)
    lam = 0.3
    u = reference.upper_weights(hidden, targets, lam)
    assert np.allclose(hidden.T @ (hidden @ u - targets) + lam * u, 0.0, atol=1e-10)
    # gradient descent from zero with step 1 / (largest curvature)
    step = 1.0 / (np.linalg.eigvalsh(hidden.T @ hidden).max() + lam)
    v = np.zeros_like(u)
    for _ in range(20000):
        v -= step * (hidden.T @ (hidden @ v - targets) + lam * v)
    assert np.max(np.abs(v - u)) < 1e-6
    assert (
        reference.objective(hidden, targets, u, lam)
        <= reference.objective(hidden, targets, v, lam) + 1e-12
    )


def test_shards_give_the_full_batch_statistics():
    x, targets = _problem(n=101)
    weights = reference.init_module(7, 9, 3, seed=2)
    hidden = reference.hidden_layer(x, weights.w, weights.b)
    gram, cross = reference.upper_statistics(hidden, targets)
    parts = [reference.upper_statistics(hidden[i::4], targets[i::4]) for i in range(4)]
    gram_sum = sum(p[0] for p in parts)
    cross_sum = sum(p[1] for p in parts)
    assert np.allclose(gram_sum, gram, atol=1e-12) and np.allclose(
        cross_sum, cross, atol=1e-12
    )
    u_shards = reference.upper_weights_from_statistics(gram_sum, cross_sum, 0.1)
    assert (
        np.max(np.abs(u_shards - reference.upper_weights(hidden, targets, 0.1))) < 1e-10
    )


def test_lower_gradient_matches_finite_differences_of_the_minimised_objective():
    x, targets = _problem(n=40, d=4, units=5)
    weights = reference.init_module(4, 5, 3, seed=3, weight_scale=2.0)
    lam = 0.2

    def f(w, b):
        hidden = reference.hidden_layer(x, w, b)
        return reference.objective(
            hidden, targets, reference.upper_weights(hidden, targets, lam), lam
        )

    grad_w, grad_b, _ = reference.lower_gradient(x, targets, weights.w, weights.b, lam)
    eps = 1e-6
    for i, j in [(0, 0), (2, 3), (3, 4)]:
        plus, minus = weights.w.copy(), weights.w.copy()
        plus[i, j] += eps
        minus[i, j] -= eps
        assert (
            abs((f(plus, weights.b) - f(minus, weights.b)) / (2 * eps) - grad_w[i, j])
            < 1e-5
        )
    plus, minus = weights.b.copy(), weights.b.copy()
    plus[1] += eps
    minus[1] -= eps
    assert (
        abs((f(weights.w, plus) - f(weights.w, minus)) / (2 * eps) - grad_b[1]) < 1e-5
    )


def test_refinement_lowers_the_objective_and_stacking_shapes():
    x, targets = _problem(n=80)
    lam = 0.1
    plain = reference.fit_module(x, targets, 9, lam, seed=4)
    refined = reference.fit_module(
        x, targets, 9, lam, refine_steps=20, learning_rate=5.0, seed=4
    )

    def value(m):
        return reference.objective(
            reference.hidden_layer(x, m.w, m.b), targets, m.u, lam
        )

    assert value(refined) < value(plain)
    modules = reference.fit_dsn(x, targets, 3, 9, lam, seed=0)
    assert [m.inputs for m in modules] == [7, 10, 13]
    outputs = reference.predict_dsn(x, modules)
    assert len(outputs) == 3 and all(o.shape == (80, 3) for o in outputs)


def test_reference_bad_inputs():
    x, targets = _problem()
    with pytest.raises(ValueError, match="lam"):
        reference.upper_weights(np.ones((4, 2)), np.ones((4, 1)), -1.0)
    with pytest.raises(ValueError, match="hidden"):
        reference.upper_weights(np.ones((4, 2)), np.ones((5, 1)), 1.0)
    with pytest.raises(ValueError, match="gram"):
        reference.upper_weights_from_statistics(np.ones((3, 2)), np.ones((3, 1)), 1.0)
    with pytest.raises(ValueError, match="cross"):
        reference.upper_weights_from_statistics(np.eye(3), np.ones((2, 1)), 1.0)
    with pytest.raises(ValueError, match="`w`"):
        reference.hidden_layer(x, np.ones((3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="`b`"):
        reference.hidden_layer(x, np.ones((7, 2)), np.zeros(3))
    with pytest.raises(TypeError, match="previous_outputs"):
        reference.stacked_input(x, np.ones((60, 3)))
    with pytest.raises(ValueError, match=r"previous_outputs\[0\]"):
        reference.stacked_input(x, [np.ones((5, 3))])
    with pytest.raises(ValueError, match="labels"):
        reference.one_hot([0, 3], 3)
    with pytest.raises(ValueError, match="classes"):
        reference.one_hot([0, 1], 1)
    with pytest.raises(ValueError, match="num_modules"):
        reference.fit_dsn(x, targets, 0, 4, 1.0)
    with pytest.raises(ValueError, match="refine_steps"):
        reference.fit_module(x, targets, 4, 1.0, refine_steps=-1)
    with pytest.raises(ValueError, match="learning_rate"):
        reference.fit_module(x, targets, 4, 1.0, learning_rate=0.0)
    with pytest.raises(ValueError, match="weight_scale"):
        reference.init_module(3, 4, 2, weight_scale=0.0)
    with pytest.raises(TypeError, match="weights"):
        reference.module_output(x, "weights")
    with pytest.raises(TypeError, match="modules"):
        reference.predict_dsn(x, [])
    modules = reference.fit_dsn(x, targets, 2, 4, 1.0)
    with pytest.raises(ValueError, match=r"modules\[0\]"):
        reference.predict_dsn(x[:, :5], modules)
    with pytest.raises(ValueError, match="`u`"):
        reference.objective(np.ones((4, 2)), np.ones((4, 1)), np.ones((3, 1)), 1.0)
    with pytest.raises(ValueError, match="x"):
        reference.lower_gradient(x, targets[:5], np.ones((7, 2)), np.zeros(2), 1.0)


# ---- exercise checkers ----------------------------------------------------------------------------------


def _status(result, status: str, text: str = "") -> None:
    assert result.status == status, result
    assert text in result.message, result


def _raise_not_implemented(*args):
    raise NotImplementedError


def test_closed_form_upper_checker():
    check = exercises.closed_form_upper.check

    def right(h, t, lam):
        return np.linalg.solve(h.T @ h + lam * np.eye(h.shape[1]), h.T @ t)

    _status(check(right), "correct")
    _status(check(...), "not done")
    _status(check(_raise_not_implemented), "not done")
    _status(check(lambda h, t, lam: ...), "not done")
    _status(
        check(lambda h, t, lam: np.linalg.solve(h.T @ h, h.T @ t)),
        "incorrect",
        "ridge term is missing",
    )
    _status(
        check(lambda h, t, lam: np.linalg.solve(h.T @ h + lam, h.T @ t)),
        "incorrect",
        "diagonal only",
    )
    _status(check(lambda h, t, lam: h.T @ t), "incorrect", "H^T T alone")
    _status(check(lambda h, t, lam: right(h, t, lam).T), "incorrect", "transposed")
    _status(
        check(
            lambda h, t, lam: np.linalg.solve(
                h.T @ h - lam * np.eye(h.shape[1]), h.T @ t
            )
        ),
        "incorrect",
        "subtracted",
    )
    _status(
        check(
            lambda h, t, lam: np.linalg.solve(h @ h.T + lam * np.eye(len(h)), h @ t.T)
        ),
        "incorrect",
        "raised",
    )


def test_stacked_input_checker():
    check = exercises.stacked_input.check
    _status(check(lambda x, outs: np.concatenate([x, *outs], axis=1)), "correct")
    _status(check(...), "not done")
    _status(check(_raise_not_implemented), "not done")
    _status(
        check(lambda x, outs: np.concatenate([x, *outs[-1:]], axis=1)),
        "incorrect",
        "just below",
    )
    _status(
        check(lambda x, outs: np.concatenate([*outs, x], axis=1)),
        "incorrect",
        "wrong order",
    )
    _status(
        check(lambda x, outs: np.concatenate([x, *outs[::-1]], axis=1)),
        "incorrect",
        "reverse order",
    )
    _status(
        check(lambda x, outs: np.concatenate(outs, axis=1) if outs else x),
        "incorrect",
        "raw input x",
    )
    _status(check(lambda x, outs: x), "incorrect", "x alone")
    _status(
        check(lambda x, outs: np.concatenate([x, *outs], axis=0)), "incorrect", "raised"
    )


def _choose(
    hidden_train,
    labels_train,
    hidden_val,
    labels_val,
    lambdas,
    *,
    on_training=False,
    worst=False,
):
    hidden_eval, labels_eval = (
        (hidden_train, labels_train) if on_training else (hidden_val, labels_val)
    )
    scores = exercises.validation_accuracies(
        hidden_train, labels_train, hidden_eval, labels_eval, tuple(lambdas)
    )
    return int(np.argmin(scores)) if worst else int(np.argmax(scores))


def test_choose_lambda_checker():
    check = exercises.choose_lambda.check
    _status(check(lambda *a: a[4][_choose(*a)]), "correct")
    _status(check(...), "not done")
    _status(check(_raise_not_implemented), "not done")
    _status(check(lambda *a: None), "not done")  # a stub whose body is only `...`
    _status(
        check(lambda *a: a[4][_choose(*a, on_training=True)]), "incorrect", "training"
    )
    # here the worst lambda on validation is also a best one on training: the training message wins
    _status(check(lambda *a: a[4][_choose(*a, worst=True)]), "incorrect", "training")
    _status(
        check(
            lambda *a: float(
                np.max(exercises.validation_accuracies(*a[:4], tuple(a[4])))
            )
        ),
        "incorrect",
        "accuracy",
    )
    _status(check(lambda *a: _choose(*a)), "incorrect", "position")
    _status(check(lambda *a: "10"), "incorrect", "should return one of the numbers")
    _status(check(lambda *a: 3.7), "incorrect", "candidate values")


def test_solutions_in_the_checkers_text_are_right():
    namespace: dict = {"np": np}
    for exercise in (
        exercises.closed_form_upper,
        exercises.stacked_input,
        exercises.choose_lambda,
    ):
        exec(exercise.solution().text, namespace)  # the solution text is code
    assert exercises.closed_form_upper.check(namespace["closed_form_upper"]).passed
    assert exercises.stacked_input.check(namespace["stacked_input"]).passed
    assert exercises.choose_lambda.check(namespace["choose_lambda"]).passed


@settings(max_examples=20, deadline=None)
@given(n=st.integers(5, 40), units=st.integers(1, 12), lam=st.floats(1e-3, 10.0))
def test_upper_weights_is_the_ridge_minimiser(n, units, lam):
    rng = np.random.default_rng(n * 100 + units)
    hidden = rng.random((n, units))
    targets = rng.normal(size=(n, 2))
    u = reference.upper_weights(hidden, targets, lam)
    base = reference.objective(hidden, targets, u, lam)
    for _ in range(3):
        assert (
            reference.objective(
                hidden, targets, u + 1e-3 * rng.normal(size=u.shape), lam
            )
            >= base - 1e-12
        )
