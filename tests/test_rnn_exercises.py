"""Each checker of the recurrent-network chapter: the right answer, "not done" and typical mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse.exercises import rnn as exercises


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _raise(*_args):
    raise NotImplementedError


def _stub(*_args):
    return ...


STEP_ANSWERS = {
    "transposed": (lambda x, h, k, u, b: np.tanh(x @ k + h @ u.T + b), "transposed"),
    "no bias": (lambda x, h, k, u, b: np.tanh(x @ k + h @ u), "bias is missing"),
    "sigmoid": (lambda x, h, k, u, b: _sigmoid(x @ k + h @ u + b), "sigmoid"),
    "linear": (lambda x, h, k, u, b: x @ k + h @ u + b, "no nonlinearity"),
    "relu": (lambda x, h, k, u, b: np.maximum(x @ k + h @ u + b, 0), "ReLU"),
    "no recurrence": (lambda x, h, k, u, b: np.tanh(x @ k + b), "not recurrent"),
    "bias outside": (lambda x, h, k, u, b: np.tanh(x @ k + h @ u) + b, "after tanh"),
    "wrong shape": (lambda x, h, k, u, b: np.tanh(x @ k + h @ u + b)[0], "shape"),
}


def test_rnn_step_right_and_not_done() -> None:
    result = exercises.rnn_step.check(lambda x, h, k, u, b: np.tanh(x @ k + h @ u + b))
    assert result.status == "correct", result.message
    for stub in (..., _raise, _stub):
        assert exercises.rnn_step.check(stub).status == "not done"
    assert "nonlinearity" in str(exercises.rnn_step.hint()) and "np.tanh" in str(
        exercises.rnn_step.solution()
    )


@pytest.mark.parametrize("mistake", sorted(STEP_ANSWERS))
def test_rnn_step_mistakes(mistake: str) -> None:
    answer, message = STEP_ANSWERS[mistake]
    result = exercises.rnn_step.check(answer)
    assert result.status == "incorrect" and message in result.message, result.message


def _gradient(
    x,
    states,
    u,
    grad_states,
    *,
    carry=True,
    slope=True,
    shift=True,
    back=True,
    transpose=False,
):
    batch, steps, units = states.shape
    previous = (
        np.concatenate([np.zeros((batch, 1, units)), states[:, :-1]], axis=1)
        if shift
        else states
    )
    gradient, carried = np.zeros((units, units)), np.zeros((batch, units))
    for t in reversed(range(steps)):
        delta = grad_states[:, t] + (carried if carry else 0)
        delta = delta * (1 - states[:, t] ** 2) if slope else delta
        gradient += previous[:, t].T @ delta
        carried = delta @ (u.T if back else u)
    return gradient.T if transpose else gradient


GRADIENT_MISTAKES = {
    "carry": ({"carry": False}, "later steps"),
    "slope": ({"slope": False}, "slope"),
    "shift": ({"shift": False}, "previous"),
    "back": ({"back": False}, "transpose"),
    "transpose": ({"transpose": True}, "transposed"),
}


def test_recurrent_gradient_right_and_not_done() -> None:
    assert exercises.recurrent_gradient.check(_gradient).status == "correct"
    namespace: dict = {"np": np}
    exec(
        exercises.recurrent_gradient.solution().text, namespace
    )  # the printed solution is itself right
    assert (
        exercises.recurrent_gradient.check(
            namespace["recurrent_kernel_gradient"]
        ).status
        == "correct"
    )
    for stub in (..., None, _raise, _stub):
        assert exercises.recurrent_gradient.check(stub).status == "not done"


@pytest.mark.parametrize("mistake", sorted(GRADIENT_MISTAKES))
def test_recurrent_gradient_mistakes(mistake: str) -> None:
    options, message = GRADIENT_MISTAKES[mistake]
    result = exercises.recurrent_gradient.check(
        lambda *args: _gradient(*args, **options)
    )
    assert result.status == "incorrect" and message in result.message, result.message


def test_recurrent_gradient_reports_crashes_and_off_values() -> None:
    result = exercises.recurrent_gradient.check(lambda *args: 1 / 0)
    assert result.status == "incorrect" and "ZeroDivisionError" in result.message
    result = exercises.recurrent_gradient.check(lambda *args: _gradient(*args) + 0.5)
    assert result.status == "incorrect" and "off by" in result.message


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (12 * 32 + 32, "recurrent kernel"),
        (12 * 32 + 32 * 32, "bias"),
        (32 * 32 + 32, "input kernel"),
        (12 * 32 + 32 * 32 + 32 + 12, "per input"),
        (1440 + 32 * 9 + 9, "readout"),
        (1440.0, "whole number"),
        ("1440", "number"),
        (1000, "Your count"),
    ],
)
def test_parameter_count_mistakes(answer, message: str) -> None:
    result = exercises.simple_rnn_parameter_count.check(answer)
    assert result.status == "incorrect" and message in result.message, result.message


def test_parameter_count_right_and_not_done() -> None:
    keras = pytest.importorskip("keras")
    layer = keras.layers.SimpleRNN(exercises.COUNT_UNITS)
    layer.build((None, None, exercises.COUNT_FEATURES))
    assert (
        exercises.simple_rnn_parameter_count.check(layer.count_params()).status
        == "correct"
    )
    assert exercises.simple_rnn_parameter_count.check(...).status == "not done"


def _jordan(
    x,
    y,
    k,
    f,
    b,
    v,
    c,
    *,
    feedback=True,
    bias=True,
    squash_out=False,
    out_bias=True,
    swap=False,
):
    h = np.tanh(x @ k + (y @ f if feedback else 0) + (b if bias else 0))
    out = h @ v + (c if out_bias else 0)
    out = np.tanh(out) if squash_out else out
    return (out, h) if swap else (h, out)


JORDAN_MISTAKES = {
    "feedback": ({"feedback": False}, "fed-back output"),
    "bias": ({"bias": False}, "bias of the hidden layer"),
    "squash": ({"squash_out": True}, "linear"),
    "output bias": ({"out_bias": False}, "output bias"),
    "swap": ({"swap": True}, "swapped"),
}


def test_jordan_step_right_and_not_done() -> None:
    assert exercises.jordan_step.check(_jordan).status == "correct"
    for stub in (..., _raise, _stub, lambda *args: None):
        assert exercises.jordan_step.check(stub).status == "not done"
    result = exercises.jordan_step.check(lambda *args: _jordan(*args)[0])
    assert result.status == "incorrect" and "two arrays" in result.message


@pytest.mark.parametrize("mistake", sorted(JORDAN_MISTAKES))
def test_jordan_step_mistakes(mistake: str) -> None:
    options, message = JORDAN_MISTAKES[mistake]
    result = exercises.jordan_step.check(lambda *args: _jordan(*args, **options))
    assert result.status == "incorrect" and message in result.message, result.message


def test_jordan_checker_agrees_with_the_keras_cell() -> None:
    keras = pytest.importorskip("keras")
    from dlcourse.keras_parts.jordan import JordanCell

    x, y, *weights = exercises._jordan_problem()
    cell = JordanCell(4, 2)
    cell.build((None, 3))
    cell.set_weights([w.astype(np.float32) for w in weights])
    output, _ = cell(x.astype(np.float32), [y.astype(np.float32)])
    assert np.allclose(
        keras.ops.convert_to_numpy(output), _jordan(x, y, *weights)[1], atol=1e-5
    )
