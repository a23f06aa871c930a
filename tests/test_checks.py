"""The argument checks every public function relies on."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse import _checks


def test_check_int_accepts_numpy_integers_and_rejects_bools_and_floats():
    assert _checks.check_int("n", np.int64(3), minimum=1) == 3
    with pytest.raises(TypeError, match="`n` must be an integer, got True"):
        _checks.check_int("n", True)
    with pytest.raises(TypeError, match="`n` must be an integer, got 2.5"):
        _checks.check_int("n", 2.5)
    with pytest.raises(ValueError, match="`n` must be at least 1, got 0"):
        _checks.check_int("n", 0, minimum=1)
    with pytest.raises(ValueError, match="`n` must be at most 5, got 6"):
        _checks.check_int("n", 6, maximum=5)


def test_check_float_rejects_nan_strings_and_out_of_range():
    assert _checks.check_float("rate", 1) == 1.0
    with pytest.raises(ValueError, match="`rate` must be finite"):
        _checks.check_float("rate", float("nan"))
    with pytest.raises(TypeError, match="`rate` must be a real number, got '0.1'"):
        _checks.check_float("rate", "0.1")
    with pytest.raises(ValueError, match="`rate` must be greater than 0"):
        _checks.check_float("rate", 0.0, minimum=0.0, exclusive_minimum=True)


def test_check_choice_lists_the_options():
    with pytest.raises(ValueError, match="`mode` must be one of 'a', 'b'; got 'c'"):
        _checks.check_choice("mode", "c", ["a", "b"])
    with pytest.raises(TypeError, match="`mode` must be a string"):
        _checks.check_choice("mode", 1, ["a"])


def test_check_array_converts_and_reports_shape_problems():
    array = _checks.check_array("x", [[1, 2], [3, 4]], shape=(None, 2))
    assert array.dtype == np.float64
    with pytest.raises(
        ValueError, match=r"`x` must have shape \(any, 3\), got shape \(2, 2\)"
    ):
        _checks.check_array("x", array, shape=(None, 3))
    with pytest.raises(ValueError, match="`x` must have 3 dimensions, got shape"):
        _checks.check_array("x", array, ndim=3)
    with pytest.raises(ValueError, match="`x` must contain only finite numbers"):
        _checks.check_array("x", [1.0, np.inf])
    with pytest.raises(TypeError, match="`x` must be an array"):
        _checks.check_array("x", "not an array")
    with pytest.raises(TypeError, match="`x` must be a rectangular array"):
        _checks.check_array("x", [[1, 2], [3]])
    with pytest.raises(ValueError, match="`x` must not be empty"):
        _checks.check_array("x", np.zeros((0, 2)))


def test_check_array_int_rule():
    assert _checks.check_array("y", [1.0, 2.0], dtype="int").dtype == np.int64
    with pytest.raises(TypeError, match="`y` must hold whole numbers"):
        _checks.check_array("y", [1.5], dtype="int")


def test_check_same_length_names_both_arrays():
    with pytest.raises(ValueError, match="`x` has 3, `y` has 2"):
        _checks.check_same_length(("x", "y"), np.zeros(3), np.zeros(2))


def test_check_callable_and_bool():
    with pytest.raises(TypeError, match="`draw` must be callable"):
        _checks.check_callable("draw", 3)
    with pytest.raises(TypeError, match="`flag` must be True or False"):
        _checks.check_bool("flag", "yes")


def test_counts_have_a_documented_upper_limit():
    assert _checks.check_count("units", 10) == 10
    with pytest.raises(ValueError, match="`units` must be at most 1000000"):
        _checks.check_count("units", 10**9)
    with pytest.raises(ValueError, match="`units` must be at least 1"):
        _checks.check_count("units", 0)
    assert _checks.check_count("steps", 0, minimum=0) == 0


def test_check_allocation_refuses_before_creating_the_array():
    _checks.check_allocation("units", (1000, 1000))
    with pytest.raises(
        ValueError, match=r"`units, steps` ask for an array of 100000 x 100000"
    ):
        _checks.check_allocation(("units", "steps"), (10**5, 10**5))


def test_check_array_number_rule_size_limits_and_complex_values():
    ints = _checks.check_array("x", [1, 2], dtype="number")
    assert ints.dtype.kind == "i"
    with pytest.raises(TypeError, match="`x` must hold numbers"):
        _checks.check_array("x", ["a", "b"], dtype="number")
    with pytest.raises(TypeError, match="`x` must hold real numbers"):
        _checks.check_array("x", [1 + 2j])
    with pytest.raises(ValueError, match="`x` must hold at most 3 numbers"):
        _checks.check_array("x", np.zeros(4), max_size=3)
    with pytest.raises(ValueError, match="`x` must hold at least 2 numbers"):
        _checks.check_array("x", [1.0], min_size=2)
    with pytest.raises(ValueError, match="`x` must contain only finite numbers"):
        _checks.check_array("x", [np.nan], dtype="number")


def test_check_probability():
    assert _checks.check_probability("p", 0.25) == 0.25
    with pytest.raises(ValueError, match="`p` must be at most 1.0"):
        _checks.check_probability("p", 1.5)
    with pytest.raises(ValueError, match="`p` must be at least 0.0"):
        _checks.check_probability("p", -0.1)
    with pytest.raises(TypeError, match="`p` must be a real number"):
        _checks.check_probability("p", None)
