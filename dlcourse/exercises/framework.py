"""The checker framework of every chapter's exercises (introduced in Chapter 0).

An :class:`Exercise` wraps a *checker*: a function that receives the learner's answer
and either returns (the answer is right; it may return a short congratulation) or raises
:class:`Wrong` with a message that says what is wrong without giving the answer away.
The framework turns every outcome into a :class:`CheckResult`, never a traceback:

* the answer is still ``...`` or ``None``, or the learner's function is still a stub
  (its body only ``...``, ``pass`` or ``raise NotImplementedError``): "not done yet";
* the checker raises :class:`Wrong`: "incorrect", with its message;
* the learner's code raises anything (``SystemExit`` included; only
  ``KeyboardInterrupt`` passes): "incorrect", naming the exception in one line; a
  function that returns ``None`` for some input is incorrect, and the message says for
  which;
* the checker itself fails: "checker error", which says the fault is the course's, not
  the learner's.

A checker calls the learner's function through :func:`call_answer` on several inputs,
some drawn fresh at every check from :func:`fresh_rng`, so that an answer that ignores
its input cannot pass. The exercise's ``answer`` is the one reference solution:
:meth:`Exercise.solution` shows its code, and ``tests/`` checks it, and typical wrong
answers, against the checker.
"""

from __future__ import annotations

import ast
import copy
import html
import inspect
import math
import numbers
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from dlcourse._checks import describe
from dlcourse.source import source_of

Status = Literal["correct", "incorrect", "not done", "checker error"]

NOT_DONE_MESSAGE = (
    "Replace the `...` (or the `raise NotImplementedError`) with your answer, "
    "then run this cell again."
)
CHECKER_ERROR_MESSAGE = (
    "The checker itself failed ({error}). That is a bug in the course, "
    "not in your answer: please report it."
)


class Wrong(Exception):
    """Raised by a checker when the answer is wrong; the learner sees its message."""


class NotDone(Exception):
    """Raised by a checker (or a learner's stub) when there is no answer yet."""


class _LearnerFailed(Wrong):
    """The learner's own code raised: incorrect, never a checker error."""


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
            "checker error": "⚠ Checker error",
        }[self.status]
        return f"{mark} ({self.exercise}). {self.message}".rstrip()

    def __repr__(self) -> str:
        return str(self)

    def __bool__(self) -> bool:
        return self.passed


@dataclass(frozen=True)
class TextBlock:
    """A hint: shown as plain text in a notebook."""

    title: str
    text: str

    def __str__(self) -> str:
        return f"{self.title}: {self.text}"

    def __repr__(self) -> str:
        return str(self)


class Solution:
    """An exercise's solution: its code, from the package, and an explanation."""

    def __init__(self, exercise: str, code: str, explanation: str) -> None:
        self.exercise = exercise
        self.code = code
        self.explanation = explanation

    def _repr_html_(self) -> str:
        # Folded: in JupyterLab, running the cell (as Run All does) unfolds its
        # output, so the answer itself waits behind a click. HTML only: a front end
        # prefers a Markdown form when there is one, and Markdown cannot fold.
        parts = (
            [f"<pre><code>{html.escape(self.code)}</code></pre>"] if self.code else []
        )
        if self.explanation:
            parts.append(f"<p>{html.escape(self.explanation)}</p>")
        return (
            "<details><summary>Show the solution of "
            f"{html.escape(self.exercise)}</summary>" + "".join(parts) + "</details>"
        )

    def __str__(self) -> str:
        return "\n\n".join(part for part in (self.code, self.explanation) if part)

    def __repr__(self) -> str:
        return str(self)


class Exercise:
    """One exercise: ``check(answer)``, ``hint()`` and ``solution()``.

    Args: name: the name the learner fills in (``rnn_step``), shown in every message.
    checker: receives the answer; raises :class:`Wrong` (or :class:`NotDone`) when it is
    not right; whatever string it returns is added to the "Correct" message. hint: a
    nudge that does not spell out the algorithm. answer: the reference solution (a
    function, or a value), the one source of the solution. explanation: text shown after
    the solution's code (why it is right, what to notice).
    """

    def __init__(
        self,
        name: str,
        checker: Callable[[Any], str | None],
        *,
        hint: str,
        answer: Any,
        explanation: str = "",
    ) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"`name` must be a non-empty string, got {describe(name)}")
        if not callable(checker):
            raise TypeError(f"`checker` must be callable, got {describe(checker)}")
        if not isinstance(hint, str) or not isinstance(explanation, str):
            raise TypeError("`hint` and `explanation` must be strings")
        if answer is None or answer is Ellipsis:
            raise TypeError("`answer` must be the reference solution, not None or ...")
        self.name = name
        self.answer = answer
        self._checker = checker
        self._hint = hint
        self._explanation = explanation

    def check(self, answer: Any = ...) -> CheckResult:
        """Check ``answer`` and say whether it is right; never raises (but for
        ``KeyboardInterrupt``)."""
        if answer is Ellipsis or answer is None or is_stub(answer):
            return CheckResult(self.name, "not done", NOT_DONE_MESSAGE)
        try:
            extra = self._checker(answer)
        except NotDone as signal:
            return CheckResult(self.name, "not done", str(signal) or NOT_DONE_MESSAGE)
        except Wrong as wrong:
            return CheckResult(self.name, "incorrect", str(wrong))
        except NotImplementedError:
            return CheckResult(self.name, "not done", NOT_DONE_MESSAGE)
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # the checker's own bug, never the learner's
            message = CHECKER_ERROR_MESSAGE.format(
                error=f"{type(error).__name__}: {error}"
            )
            return CheckResult(self.name, "checker error", message)
        return CheckResult(self.name, "correct", extra or "")

    def hint(self) -> TextBlock:
        """A nudge towards the answer that does not give it away."""
        return TextBlock("Hint", self._hint)

    def solution(self) -> Solution:
        """The answer, for after an honest attempt: the reference solution's code and
        why it works."""
        if callable(self.answer):
            code = source_of(self.answer)
        else:
            code = f"{self.name} = {self.answer!r}"
        return Solution(self.name, code, self._explanation)

    def __repr__(self) -> str:
        return (
            f"Exercise({self.name!r}): call .check(your_answer), .hint() or .solution()"
        )


def fresh_rng() -> np.random.Generator:
    """A random generator seeded from the operating system: new inputs at every
    check."""
    return np.random.default_rng()


def is_stub(function: Any) -> bool:
    """True when ``function`` is a learner's untouched stub: its body is only a
    docstring, ``...``, ``pass`` or ``raise NotImplementedError``."""
    if not inspect.isfunction(function):
        return False
    try:
        code = textwrap.dedent(inspect.getsource(function))
        tree = ast.parse(code)
    except (OSError, TypeError, SyntaxError):
        return False
    definition = tree.body[0] if tree.body else None
    if not isinstance(definition, ast.FunctionDef):
        return False
    for statement in definition.body:
        if isinstance(statement, ast.Pass):
            continue
        if isinstance(statement, ast.Expr) and isinstance(
            statement.value, ast.Constant
        ):
            if statement.value.value is Ellipsis or isinstance(
                statement.value.value, str
            ):
                continue
        if isinstance(statement, ast.Raise) and statement.exc is not None:
            raised = (
                statement.exc.func
                if isinstance(statement.exc, ast.Call)
                else statement.exc
            )
            if isinstance(raised, ast.Name) and raised.id == "NotImplementedError":
                continue
        return False
    return True


def call_answer(function: Any, *args: Any, what: str, case: str | None = None) -> Any:
    """Call the learner's ``function`` on copies of ``args``; turn every failure into a
    message.

    ``case`` names the input in messages ("a batch of 3 random sequences"); by default
    it is described from the arguments. A function that returns ``None`` is incorrect,
    and the message names the case.
    """
    if function is Ellipsis or function is None or is_stub(function):
        raise NotDone(NOT_DONE_MESSAGE)
    if not callable(function):
        raise Wrong(f"{what} should be a function, but you gave {describe(function)}.")
    described = case or "with " + ", ".join(describe(arg) for arg in args)
    try:
        result = function(*copy.deepcopy(args))
    except (NotImplementedError, NotDone):
        raise NotDone(NOT_DONE_MESSAGE) from None
    except Wrong:
        raise
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        raise _LearnerFailed(
            f"Calling {what} {described} raised {type(error).__name__}: {error}"
        ) from None
    if result is None or result is Ellipsis:
        raise Wrong(
            f"{what} returned None {described}: some path through it has no `return`."
        )
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

    ``diagnoses`` maps a message to the output a typical mistake would give (a
    transposed weight, a missing bias, the wrong nonlinearity); when ``got`` matches one
    of them, that message is the one shown.
    """
    if got is Ellipsis or got is None:
        raise Wrong(f"{what} is None: give an array of numbers.")
    try:
        got_array = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
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
            f"{what} has shape {got_array.shape}, "
            f"but it should have shape {expected_array.shape}."
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
        f"{what} has the right shape, but its values are off by up to {largest:.3g} "
        f"(allowed: {atol:g})."
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
    """Raise :class:`Wrong` unless ``got`` is a number equal to ``expected`` within the
    tolerances.

    ``diagnoses`` maps a message to the value a typical mistake gives (a forgotten bias,
    one gate too few). With ``integer=True`` (a count), a right value given as a float
    is still wrong.
    """
    if got is Ellipsis or got is None:
        raise NotDone(NOT_DONE_MESSAGE)
    if isinstance(got, bool) or not isinstance(got, numbers.Real):
        raise Wrong(f"{what} should be a number, but it is {type(got).__name__}.")
    if not math.isfinite(float(got)):
        raise Wrong(f"{what} is {float(got)!r}, not a finite number.")
    if math.isclose(float(got), expected, rel_tol=rel_tol, abs_tol=abs_tol):
        if integer and not isinstance(got, numbers.Integral):
            raise Wrong("The count is right, but give it as a whole number (an int).")
        return
    for message, value in (diagnoses or {}).items():
        if math.isclose(float(got), value, rel_tol=rel_tol, abs_tol=abs_tol):
            raise Wrong(message)
    direction = "too large" if float(got) > expected else "too small"
    raise Wrong(f"{what} is {direction}.")


class Progress:
    """A checklist of a chapter's exercises: one line each, with its status."""

    def __init__(self, results: list[CheckResult]) -> None:
        self.results = results

    @property
    def done(self) -> int:
        """How many exercises are correct."""
        return sum(result.passed for result in self.results)

    def _lines(self) -> list[str]:
        marks = {
            "correct": "✓",
            "incorrect": "✗",
            "not done": "…",
            "checker error": "⚠",
        }
        return [f"{marks[r.status]} {r.exercise}: {r.status}" for r in self.results]

    def __str__(self) -> str:
        lines = self._lines()
        return "\n".join([*lines, f"{self.done} of {len(self.results)} correct"])

    def __repr__(self) -> str:
        return str(self)


def progress(exercises: Any, namespace: Mapping[str, Any]) -> Progress:
    """Check every exercise of a chapter on the learner's current answers.

    Args:
        exercises: the chapter's exercises module (``dlcourse.exercises.rnn``).
        namespace: where the answers live; in a notebook, ``globals()``. An exercise
            whose name is not defined there counts as not done.
    """
    if not isinstance(namespace, Mapping):
        raise TypeError(
            "`namespace` must be a mapping such as globals(), "
            f"got {describe(namespace)}"
        )
    found = [value for value in vars(exercises).values() if isinstance(value, Exercise)]
    if not found:
        raise ValueError(
            f"`exercises` must be an exercises module, got {describe(exercises)}"
        )
    return Progress(
        [exercise.check(namespace.get(exercise.name, ...)) for exercise in found]
    )
