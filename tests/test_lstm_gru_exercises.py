"""The LSTM and GRU chapter's exercises: each checker on its reference answer and on the
typical wrong answers it must recognise."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse.exercises import lstm_gru as exercises
from dlcourse.reference.activations import sigmoid, tanh
from dlcourse.reference.gru import GRUWeights

pytestmark = pytest.mark.lstm_gru

EXERCISES = (
    exercises.parameter_count,
    exercises.lstm_step,
    exercises.gru_step,
    exercises.gru_as_simple_rnn,
)


def _status(exercise, answer) -> tuple[str, str]:
    result = exercise.check(answer)
    return result.status, result.message


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_reference_answer_is_correct_every_time(exercise):
    for _ in range(5):  # fresh random cases at every check
        assert exercise.check(exercise.answer).status == "correct"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_stub_constant_none_nan_and_exceptions(exercise):
    def stub(*arguments): ...

    assert exercise.check(stub).status == "not done"
    for wrong in (
        lambda *arguments: 0,
        lambda *arguments: np.nan,
        lambda *arguments: (np.full((3, 5), np.nan),) * 2,
        lambda *arguments: None,
        lambda *arguments: 1 / 0,
    ):
        status, message = _status(exercise, wrong)
        assert status == "incorrect", message
    status, message = _status(exercise, lambda *arguments: None)
    assert "returned None" in message


def test_an_answer_tuned_to_the_fixed_case_fails_on_the_fresh_ones():
    remembered = {}

    def memorising(x_t, state, weights):
        key = x_t.shape
        if key not in remembered:
            remembered[key] = exercises.lstm_step.answer(x_t, state, weights)
        return remembered[key]

    exercises.lstm_step.check(exercises.lstm_step.answer)
    status, message = _status(exercises.lstm_step, memorising)
    assert status == "incorrect" and "random batch of 3" in message


def test_none_on_one_branch_names_the_case():
    def partial(x_t, state, weights):
        if x_t.shape[0] == 1:
            return None
        return exercises.lstm_step.answer(x_t, state, weights)

    status, message = _status(exercises.lstm_step, partial)
    assert status == "incorrect"
    assert "returned None on a random batch of 1" in message


def _lstm(order="ifco", bias=True, cell_tanh=True, coupled=False, transposed=False):
    def answer(x_t, state, weights):
        recurrent_kernel = weights.recurrent_kernel
        if transposed:
            recurrent_kernel = recurrent_kernel.reshape(-1, recurrent_kernel.shape[0]).T
        z = x_t @ weights.kernel + state.h @ recurrent_kernel
        z = z + (weights.bias if bias else 0)
        blocks = dict(zip(order, np.split(z, 4, axis=-1), strict=True))
        i, f, o = sigmoid(blocks["i"]), sigmoid(blocks["f"]), sigmoid(blocks["o"])
        c_t = f * state.c + ((1 - f) if coupled else i) * tanh(blocks["c"])
        return o * (tanh(c_t) if cell_tanh else c_t), c_t

    return answer


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (_lstm(order="ifoc"), "i, f, c, o), not i, f, o, c"),
        (_lstm(order="icfo"), "TensorFlow 1"),
        (_lstm(bias=False), "bias is missing"),
        (_lstm(cell_tanh=False), "o * tanh(c)"),
        (_lstm(coupled=True), "couples the gates"),
        (lambda x_t, state, weights: (state.h, state.c), "right shape"),
        (lambda x_t, state, weights: state.h, "pair (h, c)"),
    ],
)
def test_lstm_step_diagnoses(answer, words):
    status, message = _status(exercises.lstm_step, answer)
    assert status == "incorrect" and words in message, message


def _gru(reset_before=False, flipped=False, recurrent_bias=True, order="zrh"):
    def answer(x_t, state, weights):
        kernel, recurrent_kernel, bias = weights
        b_rec = bias[1] if recurrent_bias else 0 * bias[1]
        x_parts = dict(zip(order, np.split(x_t @ kernel + bias[0], 3, -1), strict=True))
        u_parts = dict(zip(order, np.split(recurrent_kernel, 3, -1), strict=True))
        b_parts = dict(zip(order, np.split(b_rec, 3), strict=True))
        z = sigmoid(x_parts["z"] + state @ u_parts["z"] + b_parts["z"])
        r = sigmoid(x_parts["r"] + state @ u_parts["r"] + b_parts["r"])
        if reset_before:
            g = tanh(x_parts["h"] + (r * state) @ u_parts["h"] + b_parts["h"])
        else:
            g = tanh(x_parts["h"] + r * (state @ u_parts["h"] + b_parts["h"]))
        return (1 - z) * state + z * g if flipped else z * state + (1 - z) * g

    return answer


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (_gru(reset_before=True), "reset_after=False convention"),
        (_gru(flipped=True), "other way round"),
        (_gru(recurrent_bias=False), "recurrent bias (bias[1]) is missing"),
        (_gru(order="rzh"), "(z, r, h)"),
        (lambda x_t, state, weights: state, "right shape"),
        (lambda x_t, state, weights: state.T, "shape"),
    ],
)
def test_gru_step_diagnoses(answer, words):
    status, message = _status(exercises.gru_step, answer)
    assert status == "incorrect" and words in message, message


def _counts(per_block, extra=lambda layer, units: 0, blocks=None):
    blocks = blocks or {"simple_rnn": 1, "lstm": 4, "gru": 3}

    def answer(layer, inputs, units):
        return blocks[layer] * per_block(inputs, units) + extra(layer, units)

    return answer


def _second_bias(layer, units):
    return 3 * units if layer == "gru" else 0


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (_counts(lambda n, u: n * u + u, _second_bias), "recurrent kernels"),
        (_counts(lambda n, u: n * u + u * u, _second_bias), "biases are missing"),
        (_counts(lambda n, u: n * u + u * u + u), "reset_after=False"),
        (
            _counts(
                lambda n, u: n * u + u * u + u,
                _second_bias,
                {"simple_rnn": 1, "lstm": 3, "gru": 3},
            ),
            "four blocks",
        ),
        (lambda layer, inputs, units: 4288, "is too"),
        (lambda layer, inputs, units: float(4 * inputs * units), "is too"),
    ],
)
def test_parameter_count_diagnoses(answer, words):
    status, message = _status(exercises.parameter_count, answer)
    assert status == "incorrect" and words in message, message


def test_parameter_count_wants_a_whole_number():
    def as_float(layer, inputs, units):
        return float(exercises.parameter_count.answer(layer, inputs, units))

    status, message = _status(exercises.parameter_count, as_float)
    assert status == "incorrect" and "whole number" in message


def _gru_weights(update_bias=-40.0, reset_bias=40.0, transposed=False, block=2):
    def answer(rnn_weights):
        kernel, recurrent_kernel, bias = rnn_weights
        inputs, units = kernel.shape
        gru_kernel = np.zeros((inputs, 3 * units))
        gru_recurrent = np.zeros((units, 3 * units))
        gru_bias = np.zeros((2, 3 * units))
        where = slice(block * units, (block + 1) * units)
        gru_kernel[:, where] = kernel
        gru_recurrent[:, where] = recurrent_kernel.T if transposed else recurrent_kernel
        gru_bias[0, :units] = update_bias
        gru_bias[0, units : 2 * units] = reset_bias
        gru_bias[1, where] = bias
        return GRUWeights(gru_kernel, gru_recurrent, gru_bias)

    return answer


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (_gru_weights(update_bias=40.0), "update gate is mostly open"),
        (_gru_weights(reset_bias=-40.0), "reset gate is mostly closed"),
        (_gru_weights(update_bias=-2.0, reset_bias=2.0), "not saturated"),
        (_gru_weights(transposed=True), "transposed"),
        (_gru_weights(block=1), "mostly closed|third block"),
        (lambda rnn_weights: rnn_weights, "shape"),
        (lambda rnn_weights: rnn_weights[:2], "three arrays"),
    ],
)
def test_gru_as_simple_rnn_diagnoses(answer, words):
    import re

    status, message = _status(exercises.gru_as_simple_rnn, answer)
    assert status == "incorrect" and re.search(words, message), message


def test_either_bias_row_is_accepted():
    def row_zero(rnn_weights):
        weights = exercises.gru_as_simple_rnn.answer(rnn_weights)
        units = rnn_weights.kernel.shape[1]
        bias = weights.bias.copy()
        bias[0, 2 * units :], bias[1, 2 * units :] = bias[1, 2 * units :], 0.0
        return weights._replace(bias=bias)

    assert exercises.gru_as_simple_rnn.check(row_zero).status == "correct"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_messages_and_solutions(exercise):
    solution = exercise.solution()
    assert solution.code.startswith("def ")
    assert "..." not in exercise.hint().text
