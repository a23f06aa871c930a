"""Every checker of Chapter 5 (deep stacking networks) on the right answer, on no answer
and on typical wrong ones: constant, input-ignoring, partial, NaN, the usual slips."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse.exercises import dsn as exercises

pytestmark = pytest.mark.dsn

EXERCISES = (
    exercises.stacked_input,
    exercises.closed_form_upper,
    exercises.choose_lambda,
    exercises.lower_gradient,
)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _status(result, status: str, text: str = "") -> None:
    assert result.status == status, str(result)
    assert text in result.message, str(result)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_reference_answer_is_correct_and_stub_is_not_done(exercise) -> None:
    _status(exercise.check(exercise.answer), "correct")
    _status(exercise.check(...), "not done")

    def stub(*args):
        raise NotImplementedError

    _status(exercise.check(stub), "not done")


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_solution_shows_the_answer_under_the_learners_name(exercise) -> None:
    solution = exercise.solution()
    assert f"def {exercise.name}(" in solution.code
    assert len(exercise.hint().text) > 40 and solution.explanation
    namespace: dict = {"np": np}
    exec(solution.code, namespace)  # the shown code runs as it stands
    _status(exercise.check(namespace[exercise.name]), "correct")


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_answers_that_ignore_their_input_fail(exercise) -> None:
    remembered = {}

    def first_answer_forever(*args):
        if "value" not in remembered:
            remembered["value"] = exercise.answer(*args)
        return remembered["value"]

    _status(exercise.check(first_answer_forever), "incorrect")


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_partial_nan_and_crashing_answers_are_incorrect(exercise) -> None:
    calls = []

    def right_once_then_none(*args):
        calls.append(args)
        return exercise.answer(*args) if len(calls) == 1 else None

    _status(exercise.check(right_once_then_none), "incorrect", "None")

    def nan(*args):
        result = exercise.answer(*args)
        if np.isscalar(result):
            return float("nan")
        return np.full(np.shape(result), np.nan)

    _status(exercise.check(nan), "incorrect")

    def crashes(*args):
        return {}["missing"]

    _status(exercise.check(crashes), "incorrect", "KeyError")


# ---- stacked_input ----


@pytest.mark.parametrize(
    ("wrong", "text"),
    [
        (lambda x, outs: np.concatenate([x, *outs[-1:]], axis=1), "*all* modules"),
        (lambda x, outs: np.concatenate([*outs, x][-2:], axis=1), ""),
        (lambda x, outs: np.concatenate([*outs, x], axis=1), "wrong order"),
        (lambda x, outs: np.concatenate([x, *outs[::-1]], axis=1), "reverse order"),
        (lambda x, outs: x, "x alone"),
        (lambda x, outs: np.concatenate([x, *outs], axis=0), "raised ValueError"),
    ],
)
def test_stacked_input_diagnoses(wrong, text) -> None:
    _status(exercises.stacked_input.check(wrong), "incorrect", text)


def test_stacked_input_missing_x_is_named() -> None:
    def outputs_only(x, outs):
        return np.concatenate(outs, axis=1) if outs else x

    _status(exercises.stacked_input.check(outputs_only), "incorrect", "raw input x")


# ---- closed_form_upper ----


@pytest.mark.parametrize(
    ("wrong", "text"),
    [
        (lambda h, t, lam: np.linalg.solve(h.T @ h, h.T @ t), "ridge term"),
        (lambda h, t, lam: np.linalg.solve(h.T @ h + lam, h.T @ t), "diagonal"),
        (
            lambda h, t, lam: np.linalg.solve(
                h.T @ h - lam * np.eye(h.shape[1]), h.T @ t
            ),
            "subtracted",
        ),
        (lambda h, t, lam: h.T @ t, "H^T T alone"),
        (
            lambda h, t, lam: (
                np.linalg.solve(h.T @ h + lam * np.eye(h.shape[1]), h.T @ t).T
            ),
            "transposed",
        ),
        (lambda h, t, lam: np.zeros((h.shape[1], t.shape[1])), "off by"),
    ],
)
def test_closed_form_upper_diagnoses(wrong, text) -> None:
    _status(exercises.closed_form_upper.check(wrong), "incorrect", text)


def test_closed_form_upper_messages_never_show_the_expected_values() -> None:
    result = exercises.closed_form_upper.check(
        lambda h, t, lam: np.ones((h.shape[1], t.shape[1]))
    )
    _status(result, "incorrect")
    assert "[" not in result.message


# ---- choose_lambda ----


def _scores(h_train, labels_train, h_eval, labels_eval, lambdas):
    t = np.eye(labels_train.max() + 1)[labels_train]
    eye = np.eye(h_train.shape[1])
    return [
        np.mean(
            (
                h_eval @ np.linalg.solve(h_train.T @ h_train + lam * eye, h_train.T @ t)
            ).argmax(1)
            == labels_eval
        )
        for lam in lambdas
    ]


def test_choose_lambda_on_the_training_data_is_named() -> None:
    def on_training(h_train, labels_train, h_val, labels_val, lambdas):
        scores = _scores(h_train, labels_train, h_train, labels_train, lambdas)
        return lambdas[int(np.argmax(scores))]

    _status(exercises.choose_lambda.check(on_training), "incorrect", "*training*")


def test_choose_lambda_typical_slips() -> None:
    def worst(h_train, labels_train, h_val, labels_val, lambdas):
        return lambdas[
            int(np.argmin(_scores(h_train, labels_train, h_val, labels_val, lambdas)))
        ]  # noqa: E501

    def position(h_train, labels_train, h_val, labels_val, lambdas):
        return int(
            np.argmax(_scores(h_train, labels_train, h_val, labels_val, lambdas))
        )  # noqa: E501

    def accuracy(h_train, labels_train, h_val, labels_val, lambdas):
        return float(max(_scores(h_train, labels_train, h_val, labels_val, lambdas)))

    def first(h_train, labels_train, h_val, labels_val, lambdas):
        return lambdas[0]

    def text(*args):
        return "lambda"

    check = exercises.choose_lambda.check
    # the worst penalty on validation is here the smallest, the best on training
    _status(check(worst), "incorrect", "training")
    _status(check(position), "incorrect", "position")
    _status(check(accuracy), "incorrect", "accuracy")
    _status(check(first), "incorrect")
    _status(check(text), "incorrect", "str")


# ---- lower_gradient ----


def _parts(x, t, kernel, bias, lam):
    h = sigmoid(x @ kernel + bias)
    upper = np.linalg.solve(h.T @ h + lam * np.eye(h.shape[1]), h.T @ t)
    return h, upper, (h @ upper - t) @ upper.T


@pytest.mark.parametrize(
    ("wrong", "text"),
    [
        (lambda x, t, k, b, lam: x.T @ _parts(x, t, k, b, lam)[2], "slope"),
        (
            lambda x, t, k, b, lam: (
                x.T
                @ (_parts(x, t, k, b, lam)[2] * (1 - _parts(x, t, k, b, lam)[0] ** 2))
            ),
            "tanh",
        ),
        (
            lambda x, t, k, b, lam: (
                exercises.lower_gradient.answer(x, t, k, b, lam) / len(x)
            ),
            "sums over samples",
        ),
        (
            lambda x, t, k, b, lam: exercises.lower_gradient.answer(x, t, k, b, lam).T,
            "transposed",
        ),
        (
            lambda x, t, k, b, lam: exercises.lower_gradient.answer(x, t, k, b, 0.0),
            "ridge penalty",
        ),
        (
            lambda x, t, k, b, lam: -exercises.lower_gradient.answer(x, t, k, b, lam),
            "sign",
        ),
    ],
)
def test_lower_gradient_diagnoses(wrong, text) -> None:
    _status(exercises.lower_gradient.check(wrong), "incorrect", text)


def test_lower_gradient_at_the_hidden_layer_is_named() -> None:
    def not_carried_back(x, t, kernel, bias, lam):
        h, _, error = _parts(x, t, kernel, bias, lam)
        return error * h * (1 - h)

    _status(
        exercises.lower_gradient.check(not_carried_back), "incorrect", "carried back"
    )
