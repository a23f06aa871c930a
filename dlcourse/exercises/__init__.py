"""Exercise checkers, after Kaggle's learntools: ``check``, ``hint`` and ``solution``.

A chapter's exercises live in their own module (``dlcourse.exercises.toolkit`` for
Chapter 0, and one per chapter after it). The framework is in
:mod:`dlcourse.exercises.framework`; the names below are re-exported for convenience.
Introduced in Chapter 0 ("The toolkit").
"""

from dlcourse.exercises.framework import (
    CheckResult,
    Exercise,
    NotDone,
    Wrong,
    call_answer,
    expect_array,
    expect_number,
)

__all__ = [
    "CheckResult",
    "Exercise",
    "NotDone",
    "Wrong",
    "call_answer",
    "expect_array",
    "expect_number",
]
