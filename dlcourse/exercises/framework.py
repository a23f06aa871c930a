"""The checker framework every chapter's exercises are built on (introduced in Chapter 0).

An :class:`Exercise` wraps a *checker*: a function that receives the learner's answer and either returns
(the answer is right; it may return a short congratulation) or raises :class:`Wrong` with a message that
says what is wrong without giving the answer away. The framework turns every outcome into a
:class:`CheckResult`, never a traceback:

* the answer is still ``...`` or ``None``, or the learner's function raises ``NotImplementedError``:
  "not done yet";
* the checker raises :class:`Wrong`: "incorrect", with its message;
* the learner's code raises anything else: "incorrect", naming the exception in one line.

Checkers are plain functions, so ``tests/`` can run each one on the right answer and on typical wrong ones.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

Status = Literal["correct", "incorrect", "not done"]

NOT_DONE_MESSAGE = "Replace the `...` (or the `raise NotImplementedError`) with your answer, then run this cell again."


class Wrong(Exception):
    """Raised by a checker when the answer is wrong; its message is shown to the learner."""


class NotDone(Exception):
    """Raised by a checker (or a learner's stub) when there is no answer yet."""


@dataclass(frozen=True)
class CheckResult:
    """The outcome of :meth:`Exercise.check`: a status and a message for the learner."""

    exercise: str
    status: Status
    message: str

    @property
    def passed(self) -> bool:
        """True only when the answer is correct."""
        return self.status == "correct"

    def __str__(self) -> str:
        mark = {
            "correct": "✓ Correct",
            "incorrect": "✗ Incorrect",
            "not done": "… Not done yet",
        }[self.status]
        return f"{mark} ({self.exercise}). {self.message}".rstrip()

    def __repr__(self) -> str:
        return str(self)

    def __bool__(self) -> bool:
        return self.passed


@dataclass(frozen=True)
class TextBlock:
    """A hint or a solution: shown as plain text in a notebook."""

    title: str
    text: str

    def __str__(self) -> str:
        return f"{self.title}: {self.text}"

    def __repr__(self) -> str:
        return str(self)


class Exercise:
    """One exercise: ``check(answer)``, ``hint()`` and ``solution()``.

    ``checker`` receives the answer and raises :class:`Wrong` (or :class:`NotDone`) when it is not right;
    whatever string it returns is added to the "Correct" message.
    """

    def __init__(
        self,
        name: str,
        checker: Callable[[Any], str | None],
        *,
        hint: str,
        solution: str,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"`name` must be a non-empty string, got {name!r}")
        if not callable(checker):
            raise TypeError(f"`checker` must be callable, got {type(checker).__name__}")
        if not isinstance(hint, str) or not isinstance(solution, str):
            raise TypeError("`hint` and `solution` must be strings")
        self.name = name
        self._checker = checker
        self._hint = hint
        self._solution = solution

    def check(self, answer: Any = ...) -> CheckResult:
        """Check ``answer`` and say whether it is right; never raises."""
        if answer is Ellipsis or answer is None:
            return CheckResult(self.name, "not done", NOT_DONE_MESSAGE)
        try:
            extra = self._checker(answer)
        except NotDone as signal:
            return CheckResult(self.name, "not done", str(signal) or NOT_DONE_MESSAGE)
        except NotImplementedError:
            return CheckResult(self.name, "not done", NOT_DONE_MESSAGE)
        except Wrong as wrong:
            return CheckResult(self.name, "incorrect", str(wrong))
        except (
            Exception
        ) as error:  # the learner's own code failed: say so in one line, no traceback
            return CheckResult(
                self.name,
                "incorrect",
                f"Your code raised {type(error).__name__}: {error}",
            )
        return CheckResult(self.name, "correct", extra or "")

    def hint(self) -> TextBlock:
        """A nudge towards the answer that does not give it away."""
        return TextBlock("Hint", self._hint)

    def solution(self) -> TextBlock:
        """The answer, for after an honest attempt."""
        return TextBlock("Solution", self._solution)

    def __repr__(self) -> str:
        return (
            f"Exercise({self.name!r}): call .check(your_answer), .hint() or .solution()"
        )


def call_answer(function: Any, *args: Any, what: str) -> Any:
    """Call the learner's ``function``; turn a missing, unfinished or failing function into a learner-facing message.

    A function that returns ``None`` (its body is still ``...``) counts as not done.
    """
    if function is Ellipsis or function is None:
        raise NotDone(NOT_DONE_MESSAGE)
    if not callable(function):
        raise Wrong(
            f"{what} should be a function, but you gave {type(function).__name__}."
        )
    try:
        result = function(*args)
    except (NotImplementedError, NotDone):
        raise NotDone(NOT_DONE_MESSAGE) from None
    except Wrong:
        raise
    except Exception as error:
        raise Wrong(f"Calling {what} raised {type(error).__name__}: {error}") from None
    if (
        result is None or result is Ellipsis
    ):  # a stub whose body is still `...` returns None
        raise NotDone(NOT_DONE_MESSAGE)
    return result


def expect_array(
    got: Any,
    expected: Any,
    *,
    what: str,
    atol: float = 1e-5,
    diagnoses: Mapping[str, Any] | None = None,
) -> None:
    """Raise :class:`Wrong` unless ``got`` equals ``expected`` within ``atol``.

    ``diagnoses`` maps a message to the output a typical mistake would give (a transposed weight, a
    missing bias, the wrong nonlinearity); when ``got`` matches one of them, that message is the one shown.
    """
    if got is Ellipsis or got is None:
        raise NotDone(NOT_DONE_MESSAGE)
    try:
        got_array = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise Wrong(
            f"{what} should be an array of numbers, but it is {type(got).__name__}."
        ) from None
    expected_array = np.asarray(expected, dtype=np.float64)
    if got_array.shape != expected_array.shape:
        for message, output in (diagnoses or {}).items():
            if np.shape(output) == got_array.shape and np.allclose(
                got_array, output, atol=atol, rtol=0
            ):
                raise Wrong(message)
        raise Wrong(
            f"{what} has shape {got_array.shape}, but it should have shape {expected_array.shape}."
        )
    if not np.all(np.isfinite(got_array)):
        raise Wrong(f"{what} contains NaN or infinity.")
    if np.allclose(got_array, expected_array, atol=atol, rtol=0):
        return
    for message, output in (diagnoses or {}).items():
        output = np.asarray(output, dtype=np.float64)
        if output.shape == got_array.shape and np.allclose(
            got_array, output, atol=atol, rtol=0
        ):
            raise Wrong(message)
    if np.allclose(got_array, -expected_array, atol=atol, rtol=0):
        raise Wrong(f"{what} has the right size but the wrong sign everywhere.")
    largest = float(np.max(np.abs(got_array - expected_array)))
    raise Wrong(
        f"{what} has the right shape, but its values are off by up to {largest:.3g} (allowed: {atol:g})."
    )


def expect_number(
    got: Any,
    expected: float,
    *,
    what: str,
    rel_tol: float = 0.0,
    abs_tol: float = 0.0,
    diagnoses: Mapping[str, float] | None = None,
    integer: bool = False,
) -> None:
    """Raise :class:`Wrong` unless ``got`` is a number equal to ``expected`` within the tolerances.

    ``diagnoses`` maps a message to the value a typical mistake gives (a forgotten bias, one gate too few).
    With ``integer=True`` (a count), a right value given as a float is still wrong.
    """
    if got is Ellipsis or got is None:
        raise NotDone(NOT_DONE_MESSAGE)
    if isinstance(got, bool) or not isinstance(got, numbers.Real):
        raise Wrong(f"{what} should be a number, but it is {type(got).__name__}.")
    if math.isclose(float(got), expected, rel_tol=rel_tol, abs_tol=abs_tol):
        if integer and not isinstance(got, numbers.Integral):
            raise Wrong("The count is right, but give it as a whole number (an int).")
        return
    for message, value in (diagnoses or {}).items():
        if math.isclose(float(got), value, rel_tol=rel_tol, abs_tol=abs_tol):
            raise Wrong(message)
    direction = "too large" if float(got) > expected else "too small"
    raise Wrong(f"{what} is {direction}.")
