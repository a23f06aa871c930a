"""``dlcourse.source.show``: the code on the page is the package's own code."""

from __future__ import annotations

import inspect

import pytest

from dlcourse import data, source
from dlcourse._checks import checked


def _validate_double(x):
    if not isinstance(x, int | float):
        raise TypeError("`x` must be a number")
    return {"x": x}


@checked(_validate_double)
def double(x):
    """Twice x."""
    return 2 * x


def placeholder():
    """Only a docstring."""


class Counter:
    """Counts."""

    def __init__(self) -> None:
        """Start at zero."""
        self.count = 0

    def step(self) -> int:
        """One more."""
        self.count += 1
        return self.count


def test_show_gives_the_exact_source_of_a_package_function():
    shown = source.show(data.sha256_of)
    assert str(shown) == inspect.getsource(data.sha256_of).rstrip()
    assert repr(shown) == str(shown)


def test_a_checked_function_shows_its_core_with_the_decorator_line():
    text = str(source.show(double))
    assert text.startswith("@checked(_validate_double)\ndef double(x):")
    assert "return 2 * x" in text and "isinstance" not in text
    # The shown core is the very function behind the checks.
    assert inspect.unwrap(double).__name__ == "double"
    with pytest.raises(TypeError, match="`x` must be a number"):
        double("2")


def test_docstrings_can_be_left_out_of_functions_classes_and_methods():
    text = source.source_of(Counter, docstring=False)
    assert '"""' not in text
    assert "self.count += 1" in text and "class Counter:" in text
    assert source.source_of(Counter.step, docstring=False).splitlines() == [
        "def step(self) -> int:",
        "    self.count += 1",
        "    return self.count",
    ]
    assert '"""Twice x."""' in source.source_of(double)
    assert '"""Twice x."""' not in source.source_of(double, docstring=False)
    # A function that is only a docstring keeps it: removing it would leave no body.
    assert '"""Only a docstring."""' in source.source_of(placeholder, docstring=False)


def test_several_objects_are_shown_in_order_in_one_block():
    shown = source.show(Counter.step, double, docstring=False)
    text = str(shown)
    assert text.index("def step") < text.index("def double")
    assert "\n\n\n" in text
    markdown = shown._repr_markdown_()
    assert markdown.startswith("```python\n") and markdown.endswith("\n```")


def test_show_refuses_what_has_no_python_source():
    with pytest.raises(TypeError, match="show\\(\\) needs at least one"):
        source.show()
    with pytest.raises(TypeError, match="`obj` must be a function, method or class"):
        source.show(len)
    with pytest.raises(TypeError, match="`obj` must be a function, method or class"):
        source.source_of(3)
