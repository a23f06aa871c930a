"""The LSTM and GRU chapter's NumPy cores: equations, steps against sequences, bad
input, and the adding-problem generator."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from dlcourse.reference import _lstm_checks, gru, lstm, ngram
from dlcourse.reference.activations import sigmoid
from dlcourse.source import source_of
from dlcourse.synthetic import adding

pytestmark = pytest.mark.lstm_gru

RNG = np.random.default_rng(0)


def _lstm_weights(inputs: int = 3, units: int = 2) -> lstm.LSTMWeights:
    return lstm.LSTMWeights(
        RNG.normal(size=(inputs, 4 * units)),
        RNG.normal(size=(units, 4 * units)),
        RNG.normal(size=4 * units),
    )


def _gru_weights(
    inputs: int = 3, units: int = 2, reset_after: bool = True
) -> gru.GRUWeights:
    bias_shape = (2, 3 * units) if reset_after else (3 * units,)
    return gru.GRUWeights(
        RNG.normal(size=(inputs, 3 * units)),
        RNG.normal(size=(units, 3 * units)),
        RNG.normal(size=bias_shape),
    )


def test_lstm_step_is_the_chapter_equations_written_out():
    weights = _lstm_weights()
    x_t, h, c = (
        RNG.normal(size=(4, 3)),
        RNG.normal(size=(4, 2)),
        RNG.normal(size=(4, 2)),
    )
    kernel, recurrent_kernel, bias = weights
    z = x_t @ kernel + h @ recurrent_kernel + bias
    i, f, g, o = (
        sigmoid(z[:, :2]),
        sigmoid(z[:, 2:4]),
        np.tanh(z[:, 4:6]),
        sigmoid(z[:, 6:]),
    )
    c_t = f * c + i * g
    state = lstm.lstm_step(x_t, lstm.LSTMState(h, c), weights)
    assert isinstance(state, lstm.LSTMState)
    np.testing.assert_allclose(state.c, c_t, atol=1e-12)
    np.testing.assert_allclose(state.h, o * np.tanh(c_t), atol=1e-12)


def test_steps_agree_with_sequences_and_initial_states_are_used():
    x = RNG.normal(size=(2, 5, 3))
    weights = _lstm_weights()
    start = lstm.LSTMState(RNG.normal(size=(2, 2)), RNG.normal(size=(2, 2)))
    trace = lstm.lstm_sequence(x, weights, initial_state=start)
    state = start
    for t in range(5):
        state = lstm.lstm_step(x[:, t], state, weights)
        np.testing.assert_allclose(state.h, trace.hidden[:, t], atol=1e-12)
        np.testing.assert_allclose(state.c, trace.cell[:, t], atol=1e-12)
    zero_trace = lstm.lstm_sequence(x, weights)
    assert not np.allclose(zero_trace.hidden[:, 0], trace.hidden[:, 0])
    for reset_after in (True, False):
        weights = _gru_weights(reset_after=reset_after)
        h0 = RNG.normal(size=(2, 2))
        trace = gru.gru_sequence(x, weights, initial_state=h0, reset_after=reset_after)
        h = h0
        for t in range(5):
            h = gru.gru_step(x[:, t], h, weights, reset_after=reset_after)
            np.testing.assert_allclose(h, trace.hidden[:, t], atol=1e-12)
        assert trace.update_gate.shape == trace.candidate.shape == (2, 5, 2)


def test_trace_fields_and_gate_ranges():
    trace = lstm.lstm_sequence(RNG.normal(size=(2, 4, 3)), _lstm_weights())
    assert trace._fields == (
        "hidden",
        "cell",
        "input_gate",
        "forget_gate",
        "candidate",
        "output_gate",
    )
    for gate in (trace.input_gate, trace.forget_gate, trace.output_gate):
        assert np.all((gate > 0) & (gate < 1))
    assert (
        gru.GRUWeights._fields
        == lstm.LSTMWeights._fields
        == (
            "kernel",
            "recurrent_kernel",
            "bias",
        )
    )


def test_parameter_counts_of_the_chapter():
    assert lstm.block_parameter_count(2, 64) == 4288
    assert lstm.lstm_parameter_count(2, 64) == 17152
    assert gru.gru_parameter_count(2, 64) == 13056
    assert gru.gru_parameter_count(2, 64, reset_after=False) == 13056 - 3 * 64


def test_cores_are_shown_without_their_checks():
    for core in (lstm.lstm_gates, lstm.lstm_step, gru.gru_gates, gru.gru_step):
        code = source_of(core)
        assert code.startswith("@checked(")
        assert "check_array" not in code and "raise" not in code
    assert inspect.unwrap(lstm.lstm_step) is not lstm.lstm_step


STEP_X = np.zeros((1, 3))
STATE = lstm.LSTMState(np.zeros((1, 2)), np.zeros((1, 2)))


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: lstm.lstm_step(STEP_X, STATE, "weights"), TypeError, "`weights` must"),
        (
            lambda: lstm.lstm_step(STEP_X, STATE, _lstm_weights()[:2]),
            ValueError,
            "`weights` must hold 3 arrays",
        ),
        (
            lambda: lstm.lstm_step(
                STEP_X,
                STATE,
                lstm.LSTMWeights(np.zeros((3, 8)), np.zeros((2, 6)), np.zeros(8)),
            ),
            ValueError,
            r"`weights.recurrent_kernel` of LSTM must have shape \(units, 4 \* units\)",
        ),
        (
            lambda: lstm.lstm_step(np.zeros((1, 4)), STATE, _lstm_weights()),
            ValueError,
            r"`x_t` must have shape \(any, 3\), got shape \(1, 4\)",
        ),
        (
            lambda: lstm.lstm_step(
                STEP_X,
                lstm.LSTMState(np.zeros((1, 2)), np.zeros((2, 2))),
                _lstm_weights(),
            ),
            ValueError,
            r"`state.c` must have shape \(1, 2\)",
        ),
        (
            lambda: lstm.lstm_step(STEP_X, np.zeros((1, 2)), _lstm_weights()),
            TypeError,
            "`state` must be a LSTMState",
        ),
        (
            lambda: lstm.lstm_step(np.full((1, 3), np.nan), STATE, _lstm_weights()),
            ValueError,
            "`x_t` must contain only finite numbers",
        ),
        (
            lambda: lstm.lstm_step(np.zeros((0, 3)), STATE, _lstm_weights()),
            ValueError,
            "`x_t` must not be empty|`state.h` must have shape",
        ),
        (
            lambda: lstm.lstm_sequence("text", _lstm_weights()),
            TypeError,
            "`x` must be an array",
        ),
        (
            lambda: lstm.lstm_sequence(
                np.zeros((1, 2, 3)), _lstm_weights()._replace(bias=np.zeros(7))
            ),
            ValueError,
            r"`weights.bias` of LSTM with 2 units must have shape \(8,\), got shape "
            r"\(7,\)",
        ),
        (
            lambda: lstm.lstm_sequence(
                np.zeros((1, 2, 3)),
                _lstm_weights(),
                initial_state=(np.zeros((1, 3)), np.zeros((1, 2))),
            ),
            ValueError,
            r"`initial_state.h` must have shape \(1, 2\)",
        ),
        (
            lambda: lstm.lstm_sequence(
                np.zeros((1, 2, 3), dtype=object), _lstm_weights()
            ),
            TypeError,
            "`x` must be a rectangular array of numbers",
        ),
        (
            lambda: lstm.lstm_parameter_count(2, 0),
            ValueError,
            "`units` must be at least 1, got 0",
        ),
        (
            lambda: lstm.lstm_parameter_count(2.5, 4),
            TypeError,
            "`inputs` must be an integer",
        ),
        (
            lambda: gru.gru_parameter_count(2, 4, reset_after="yes"),
            TypeError,
            "`reset_after` must be True or False",
        ),
        (
            lambda: lstm.block_parameter_count(2, _lstm_checks.MAX_UNITS + 1),
            ValueError,
            "`units` must be at most",
        ),
        (
            lambda: gru.gru_step(
                STEP_X, np.zeros((1, 2)), _gru_weights(reset_after=False)
            ),
            ValueError,
            r"`weights.bias` of GRU with 2 units must have shape \(2, 6\)"
            r".*reset_after=True",
        ),
        (
            lambda: gru.gru_step(
                STEP_X, np.zeros((1, 2)), _gru_weights(), reset_after=False
            ),
            ValueError,
            r"must have shape \(6,\).*reset_after=False",
        ),
        (
            lambda: gru.gru_sequence(
                np.zeros((1, 2, 3)), _gru_weights(), reset_after="no"
            ),
            TypeError,
            "`reset_after` must be True or False",
        ),
        (
            lambda: gru.gru_sequence(
                np.zeros((1, 2, 3)), _gru_weights(), initial_state=np.zeros(2)
            ),
            ValueError,
            "`initial_state` must have 2 dimensions",
        ),
        (
            lambda: gru.gru_step(STEP_X, np.full((1, 2), np.inf), _gru_weights()),
            ValueError,
            "`state` must contain only finite numbers",
        ),
        (
            lambda: gru.gru_gates(STEP_X, np.zeros((1, 3)), _gru_weights()),
            ValueError,
            r"`h_prev` must have shape \(1, 2\)",
        ),
    ],
)
def test_bad_input_names_the_parameter(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_sizes_beyond_the_limits_fail_before_allocating():
    units = _lstm_checks.MAX_UNITS + 1
    huge = np.broadcast_to(np.zeros(1), (units, 4 * units))  # a view: no memory
    with pytest.raises(ValueError, match="at most 4096"):
        lstm.lstm_step(
            np.zeros((1, 1)),
            STATE,
            lstm.LSTMWeights(np.zeros((1, 4 * units)), huge, np.zeros(4 * units)),
        )
    long_x = np.broadcast_to(np.zeros(1), (1, _lstm_checks.MAX_STEPS + 1, 3))
    with pytest.raises(ValueError, match="`x` has 100001 time steps"):
        lstm.lstm_sequence(long_x, _lstm_weights())
    wide_x = np.broadcast_to(np.zeros(1), (10_000, 1_000, 3))
    with pytest.raises(ValueError, match="would need a trace of"):
        gru.gru_sequence(wide_x, _gru_weights(units=2))


def test_adding_problem():
    data = adding.adding_problem(500, 20, seed=3)
    x, y = data
    assert isinstance(data, adding.AddingData)
    assert x.shape == (500, 20, 2) and y.shape == (500,) and x.dtype == np.float32
    assert np.all(x[:, :, 1].sum(axis=1) == 2)
    first = np.argmax(x[:, :, 1], axis=1)
    assert np.all(first < 10) and np.all(x[:, 10:, 1].sum(axis=1) == 1)
    marked = (x[:, :, 0] * x[:, :, 1]).sum(axis=1)
    np.testing.assert_allclose(marked, y, atol=1e-6)
    again = adding.adding_problem(500, 20, seed=3)
    np.testing.assert_array_equal(again.x, x)
    assert abs(np.mean((y - 1.0) ** 2) - adding.CHANCE_MSE) < 0.03


@pytest.mark.parametrize(
    ("arguments", "error", "words"),
    [
        ((5, 1), ValueError, "`length` must be at least 2"),
        ((5.0, 10), TypeError, "`count` must be an integer"),
        ((5, 10, -1), ValueError, "`seed` must be at least 0"),
        ((10**6, 10**3), ValueError, "must be at most 100,000,000 generated steps"),
    ],
)
def test_adding_problem_rejects_bad_sizes(arguments, error, words):
    count, length, *seed = arguments
    with pytest.raises(error, match=words):
        adding.adding_problem(count, length, seed=seed[0] if seed else 0)


def _brute_force_bits(train, test, order, alphabet_size):
    """The Witten-Bell model written with dictionaries, one position at a time."""
    from collections import Counter, defaultdict

    pairs, contexts, followers = Counter(), Counter(), defaultdict(set)
    for k in range(order + 1):
        for j in range(k, len(train)):
            h = (k, tuple(train[j - k : j]))
            pairs[h, train[j]] += 1
            contexts[h] += 1
            followers[h].add(train[j])
    bits = []
    for j in range(order, len(test)):
        p = 1.0 / alphabet_size
        for k in range(order + 1):
            h = (k, tuple(test[j - k : j]))
            if contexts[h]:
                types = len(followers[h])
                p = (pairs[h, test[j]] + types * p) / (contexts[h] + types)
        bits.append(-np.log2(p))
    return float(np.mean(bits))


@pytest.mark.parametrize("order", [0, 1, 2, 3])
def test_ngram_equals_the_dictionary_version(order):
    rng = np.random.default_rng(order)
    train, test = rng.integers(0, 5, size=2000), rng.integers(0, 5, size=300)
    train[::3], test[::3] = 1, 1  # some structure for the higher orders to find
    got = ngram.ngram_bits_per_character(train, test, order, 6)
    assert abs(got - _brute_force_bits(list(train), list(test), order, 6)) < 1e-9


def test_ngram_of_order_zero_on_uniform_text_costs_log2_of_the_alphabet():
    codes = np.tile(np.arange(8), 50)
    assert abs(ngram.ngram_bits_per_character(codes, codes, 0, 8) - 3.0) < 1e-9


@pytest.mark.parametrize(
    ("arguments", "error", "words"),
    [
        (([0, 1, 2], [0, 1], 2, 3), ValueError, "`test_codes` must have more than"),
        (([0, 1, 5], [0, 1, 2], 0, 3), ValueError, r"codes in \[0, 3\)"),
        (([0, 1.5], [0, 1], 0, 3), TypeError, "`train_codes` must hold whole"),
        (([0, 1], [0, 1], 7, 3), ValueError, "`order` must be at most 6"),
        (([0, 1], [0, 1], 0, 1), ValueError, "`alphabet_size` must be at least 2"),
        (("ab", [0, 1], 0, 3), TypeError, "`train_codes` must be an array"),
    ],
)
def test_ngram_rejects_bad_input(arguments, error, words):
    with pytest.raises(error, match=words):
        ngram.ngram_bits_per_character(*arguments)


def test_the_cell_diagrams_are_current_and_deterministic(tmp_path, monkeypatch):
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location(
        "draw_lstm_gru", root / "tools" / "draw_lstm_gru.py"
    )
    drawing = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(drawing)
    monkeypatch.setattr(drawing, "IMAGES", tmp_path)
    drawing.main()
    for name in ("lstm_gru_lstm_cell.svg", "lstm_gru_gru_cell.svg"):
        drawn = (tmp_path / name).read_bytes()
        assert drawn == (root / "images" / name).read_bytes(), (
            f"images/{name} is not what tools/draw_lstm_gru.py draws: run it"
        )
