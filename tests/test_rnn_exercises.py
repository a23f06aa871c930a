"""Each checker of the recurrent-network chapter: the right answer, typical mistakes.

A constant answer, an answer that ignores part of its input, a partial answer, NaN, a
crash and ``None`` on some branch must all be "incorrect" (or "not done" for a stub),
and no message may give away an expected value.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from dlcourse.exercises import rnn as exercises
from dlcourse.reference import rnn as reference

pytestmark = pytest.mark.rnn

EXERCISES = [
    exercises.simple_rnn_parameter_count,
    exercises.rnn_step,
    exercises.jordan_step,
    exercises.stateless_ceiling,
    exercises.recurrent_kernel_gradient,
]


def _raise(*_args):
    raise NotImplementedError


def _stub(*_args):
    """Your code here."""
    ...


def _numbers_in(text: str) -> set[str]:
    return set(re.findall(r"-?\d+\.\d+", text))


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_reference_answer_passes_and_stubs_are_not_done(exercise) -> None:
    for _ in range(3):  # fresh random cases at every check
        result = exercise.check(exercise.answer)
        assert result.status == "correct", result.message
    for stub in (..., None, _raise, _stub):
        assert exercise.check(stub).status == "not done"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_solution_shows_the_reference_answer_under_the_learner_name(exercise) -> None:
    solution = exercise.solution()
    assert f"def {exercise.name}(" in solution.code
    namespace: dict = {"np": np}
    exec(solution.code, namespace)  # the code shown is itself a right answer
    assert exercise.check(namespace[exercise.name]).status == "correct"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_generic_wrong_answers(exercise) -> None:
    answer = exercise.answer
    memory: dict = {}

    def constant(*args):  # the right output of the first case, whatever the input
        if "first" not in memory:
            memory["first"] = answer(*args)
        return memory["first"]

    def none_on_a_branch(*args):
        if memory.setdefault("calls", 0) >= 1:
            return None
        memory["calls"] += 1
        return answer(*args)

    def nan(*args):
        result = answer(*args)
        if isinstance(result, tuple):
            return tuple(np.full(np.shape(r), np.nan) for r in result)
        return np.full(np.shape(result), np.nan) if np.ndim(result) else float("nan")

    def crash(*_args):
        return 1 / 0

    for wrong in (constant, nan, crash, lambda *args: 0.0):
        memory.clear()
        result = exercise.check(wrong)
        assert result.status == "incorrect", (wrong, result)
    memory.clear()
    result = exercise.check(none_on_a_branch)
    assert result.status == "incorrect" and "None" in result.message
    assert "random" in result.message  # names the case
    assert "ZeroDivisionError" in exercise.check(crash).message


def test_messages_never_contain_expected_values() -> None:
    """A wrong answer's message shows no entry of the expected output (fixed case)."""
    x_t, h_prev, weights = exercises._random_rnn_case(np.random.default_rng(3), 2, 3, 4)
    step = reference.rnn_step(x_t, h_prev, weights)
    gradient = exercises._gradient_case(np.random.default_rng(5), 2, 6, 3, 4)[3]
    wrong = {
        "rnn_step": (lambda x, h, w: exercises.rnn_step.answer(x, h, w) + 0.25, step),
        "recurrent_kernel_gradient": (
            lambda *a: exercises.recurrent_kernel_gradient.answer(*a) * 1.5,
            gradient,
        ),
    }
    for name, (answer, expected) in wrong.items():
        message = getattr(exercises, name).check(answer).message
        assert "fixed" in message, message
        shown = {f"{value:.3g}" for value in expected.ravel()}
        assert not _numbers_in(message) & shown, message


# --- simple_rnn_parameter_count ------------------------------------------------------

COUNT_MISTAKES = {
    "no recurrent kernel": (lambda f, u: f * u + u, "recurrent kernel"),
    "no bias": (lambda f, u: f * u + u * u, "bias"),
    "no input kernel": (lambda f, u: u * u + u, "input kernel"),
    "bias per feature": (lambda f, u: f * u + u * u + u + f, "per input"),
    "a float": (lambda f, u: float(f * u + u * u + u), "whole number"),
    "a string": (lambda f, u: str(f * u + u * u + u), "number"),
    "the worked example only": (lambda f, u: 12 * 32 + 32 * 32 + 32, "Your count"),
}


@pytest.mark.parametrize("mistake", sorted(COUNT_MISTAKES))
def test_parameter_count_mistakes(mistake: str) -> None:
    answer, message = COUNT_MISTAKES[mistake]
    result = exercises.simple_rnn_parameter_count.check(answer)
    assert result.status == "incorrect" and message in result.message, result.message


# --- rnn_step ------------------------------------------------------------------------


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


STEP_MISTAKES = {
    "transposed": (
        lambda x, h, w: np.tanh(x @ w.kernel + h @ w.recurrent_kernel.T + w.bias),
        "transposed",
    ),
    "no bias": (
        lambda x, h, w: np.tanh(x @ w.kernel + h @ w.recurrent_kernel),
        "bias is missing",
    ),
    "sigmoid": (
        lambda x, h, w: _sigmoid(x @ w.kernel + h @ w.recurrent_kernel + w.bias),
        "sigmoid",
    ),
    "linear": (
        lambda x, h, w: x @ w.kernel + h @ w.recurrent_kernel + w.bias,
        "no nonlinearity",
    ),
    "relu": (
        lambda x, h, w: np.maximum(x @ w.kernel + h @ w.recurrent_kernel + w.bias, 0),
        "ReLU",
    ),
    "no recurrence": (lambda x, h, w: np.tanh(x @ w.kernel + w.bias), "not recurrent"),
    "bias outside": (
        lambda x, h, w: np.tanh(x @ w.kernel + h @ w.recurrent_kernel) + w.bias,
        "after tanh",
    ),
    "first row only": (
        lambda x, h, w: np.tanh(x @ w.kernel + h @ w.recurrent_kernel + w.bias)[0],
        "shape",
    ),
    "batch of 2 only": (
        lambda x, h, w: (
            exercises.rnn_step.answer(x, h, w) if len(x) == 2 else np.zeros((1, 1))
        ),
        "random batch",
    ),
}


@pytest.mark.parametrize("mistake", sorted(STEP_MISTAKES))
def test_rnn_step_mistakes(mistake: str) -> None:
    answer, message = STEP_MISTAKES[mistake]
    result = exercises.rnn_step.check(answer)
    assert result.status == "incorrect" and message in result.message, result.message


def test_rnn_step_checker_agrees_with_keras() -> None:
    keras = pytest.importorskip("keras")
    layer = keras.layers.SimpleRNN(4)
    layer.build((None, None, 3))
    weights = reference.RNNWeights(*[w.astype(np.float64) for w in layer.get_weights()])
    x = np.random.default_rng(0).normal(size=(2, 1, 3))
    expected = keras.ops.convert_to_numpy(layer(x.astype(np.float32)))
    got = exercises.rnn_step.answer(x[:, 0], np.zeros((2, 4)), weights)
    assert np.max(np.abs(got - expected)) <= 1e-5


# --- jordan_step ---------------------------------------------------------------------


def _jordan(
    x,
    y,
    w,
    *,
    feedback=True,
    bias=True,
    squash_out=False,
    out_bias=True,
    swap=False,
):
    h = np.tanh(
        x @ w.kernel
        + (y @ w.feedback_kernel if feedback else 0)
        + (w.bias if bias else 0)
    )
    out = h @ w.output_kernel + (w.output_bias if out_bias else 0)
    out = np.tanh(out) if squash_out else out
    return (out, h) if swap else (h, out)


JORDAN_MISTAKES = {
    "feedback": ({"feedback": False}, "fed-back output"),
    "bias": ({"bias": False}, "bias of the hidden layer"),
    "squash": ({"squash_out": True}, "linear"),
    "output bias": ({"out_bias": False}, "output bias"),
    "swap": ({"swap": True}, "swapped"),
}


@pytest.mark.parametrize("mistake", sorted(JORDAN_MISTAKES))
def test_jordan_step_mistakes(mistake: str) -> None:
    options, message = JORDAN_MISTAKES[mistake]
    result = exercises.jordan_step.check(lambda *args: _jordan(*args, **options))
    assert result.status == "incorrect" and message in result.message, result.message


def test_jordan_step_must_return_two_arrays() -> None:
    result = exercises.jordan_step.check(lambda *args: _jordan(*args)[0])
    assert result.status == "incorrect" and "two arrays" in result.message


def test_jordan_checker_agrees_with_the_keras_cell() -> None:
    keras = pytest.importorskip("keras")
    from dlcourse.keras_parts.jordan import JordanCell

    cell = JordanCell(4, 2)
    cell.build((None, 3))
    weights = reference.JordanWeights(
        *[w.astype(np.float64) for w in cell.get_weights()]
    )
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(2, 3)), rng.normal(size=(2, 2))
    output, _ = cell(x.astype(np.float32), [y.astype(np.float32)])
    expected = exercises.jordan_step.answer(x, y, weights)[1]
    assert np.allclose(keras.ops.convert_to_numpy(output), expected, atol=1e-5)


# --- recurrent_kernel_gradient -------------------------------------------------------


def _gradient(hidden, U, grad_hidden, *, carry=True, slope=True, shift=True, back=True):
    batch, steps, units = hidden.shape
    zeros = np.zeros((batch, 1, units))
    previous = np.concatenate([zeros, hidden[:, :-1]], axis=1) if shift else hidden
    gradient, carried = np.zeros((units, units)), np.zeros((batch, units))
    for t in reversed(range(steps)):
        delta = grad_hidden[:, t] + (carried if carry else 0)
        delta = delta * (1 - hidden[:, t] ** 2) if slope else delta
        gradient += previous[:, t].T @ delta
        carried = delta @ (U.T if back else U)
    return gradient


GRADIENT_MISTAKES = {
    "carry": (lambda *a: _gradient(*a, carry=False), "later steps"),
    "slope": (lambda *a: _gradient(*a, slope=False), "slope"),
    "shift": (lambda *a: _gradient(*a, shift=False), "previous"),
    "back": (lambda *a: _gradient(*a, back=False), "transpose"),
    "transposed": (lambda *a: _gradient(*a).T, "transposed"),
    "last step only": (
        lambda h, U, g: np.outer(h[0, -2], g[0, -1] * (1 - h[0, -1] ** 2)),
        "gradient of recurrent_kernel",
    ),
    "off by a little": (lambda *a: _gradient(*a) + 0.5, "off by"),
}


@pytest.mark.parametrize("mistake", sorted(GRADIENT_MISTAKES))
def test_recurrent_gradient_mistakes(mistake: str) -> None:
    answer, message = GRADIENT_MISTAKES[mistake]
    result = exercises.recurrent_kernel_gradient.check(answer)
    assert result.status == "incorrect" and message in result.message, result.message


def test_learner_cannot_change_the_checker_inputs() -> None:
    """The arguments are copies: an answer that writes into them changes nothing."""

    def vandal(hidden, U, grad_hidden):
        result = _gradient(hidden, U, grad_hidden)
        hidden[...] = 0.0
        U[...] = 0.0
        return result

    assert exercises.recurrent_kernel_gradient.check(vandal).status == "correct"


# --- stateless_ceiling ---------------------------------------------------------------

CEILING_MISTAKES = {
    "no credit for guessing": (
        lambda w, lag: (w - min(lag, w)) / w,
        "still guesses",
    ),
    "lag not capped at the window": (
        lambda w, lag: 1.0 - 0.5 * lag / w,
        "cannot fall below",
    ),
    "one blind position too few": (
        lambda w, lag: 1.0 - 0.5 * max(min(lag - 1, w), 0) / w,
        "Count the blind positions",
    ),
    "the share of blind positions": (lambda w, lag: min(lag, w) / w, "share"),
    "stateful thinking: always perfect": (lambda w, lag: 1.0, "Your ceiling"),
    "a string": (lambda w, lag: "0.8", "number"),
}


@pytest.mark.parametrize("mistake", sorted(CEILING_MISTAKES))
def test_stateless_ceiling_mistakes(mistake: str) -> None:
    answer, message = CEILING_MISTAKES[mistake]
    for _ in range(3):  # every draw of the random cases
        result = exercises.stateless_ceiling.check(answer)
        assert result.status == "incorrect", result.message
    assert message in result.message, result.message


def test_stateless_ceiling_matches_a_counted_window() -> None:
    """The formula against counting the positions of one window by hand."""
    for window, lag in ((10, 4), (10, 12), (5, 5), (7, 1)):
        seen = sum(1 for j in range(window) if j - lag >= 0)
        counted = (seen + 0.5 * (window - seen)) / window
        assert exercises.stateless_ceiling.answer(window, lag) == pytest.approx(counted)


def test_stateless_ceiling_right_answers_pass() -> None:
    def own_words(window, lag):
        return 0.5 + 0.5 * max(window - lag, 0) / window

    assert exercises.stateless_ceiling.check(own_words).status == "correct"
