"""Exercises of Chapter 0, "The toolkit": the template every chapter's exercises follow.

* ``softmax`` - implement a numerically stable softmax (coding, checked on tricky inputs);
* ``dense_parameter_count`` - how many weights a ``Dense`` layer has (a number).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcourse.exercises.framework import (
    Exercise,
    Wrong,
    call_answer,
    expect_array,
    expect_number,
)
from dlcourse.reference.dense import softmax as reference_softmax

#: The layer asked about in ``dense_parameter_count``: 64 pixels in, 10 classes out.
DENSE_INPUTS, DENSE_UNITS = 64, 10


def _check_softmax(answer: Any) -> str:
    rows = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [-1.0, 5.0, 2.0]])
    got = call_answer(answer, rows.copy(), what="your softmax")
    expected = reference_softmax(rows)
    expect_array(
        got,
        expected,
        what="softmax of a (3, 3) batch",
        diagnoses={
            "Each column sums to 1 instead of each row: normalise along the last axis (axis=-1).": np.exp(
                rows
            )
            / np.exp(rows).sum(axis=0, keepdims=True),
            "Every entry of the batch is divided by the same total: sum each row separately "
            "(axis=-1, keepdims=True).": np.exp(rows) / np.exp(rows).sum(),
            "Those are the exponentials, not yet normalised: divide by their sum.": np.exp(
                rows
            ),
        },
    )
    large = np.array([[1000.0, 1001.0, 1002.0]])
    with np.errstate(all="ignore"):
        got_large = call_answer(answer, large.copy(), what="your softmax")
    try:
        got_large = np.asarray(got_large, dtype=float)
    except (TypeError, ValueError):
        raise Wrong(
            "For large logits your softmax does not return an array of numbers."
        ) from None
    if not np.all(np.isfinite(got_large)):
        raise Wrong(
            "For logits near 1000 your softmax overflows to NaN or infinity. Softmax does not change "
            "when you subtract the same number from every logit of a row: which number keeps exp small?"
        )
    expect_array(
        got_large, reference_softmax(large), what="softmax of [[1000, 1001, 1002]]"
    )
    return "Your softmax is right and stable for large logits."


softmax = Exercise(
    "softmax",
    _check_softmax,
    hint="exp of each logit, divided by the sum of the exps in the same row. Large logits overflow exp: "
    "subtract something from each row first that does not change the result.",
    solution="def softmax(logits):\n"
    "    shifted = logits - logits.max(axis=-1, keepdims=True)\n"
    "    exps = np.exp(shifted)\n"
    "    return exps / exps.sum(axis=-1, keepdims=True)",
)


def _check_dense_parameter_count(answer: Any) -> str:
    expected = DENSE_INPUTS * DENSE_UNITS + DENSE_UNITS
    expect_number(
        answer,
        expected,
        what="Your count",
        integer=True,
        diagnoses={
            "That counts the kernel only: each unit also has a bias.": DENSE_INPUTS
            * DENSE_UNITS,
            "That counts one weight per input and unit plus one bias per input: a bias belongs to each unit, "
            "not to each input.": DENSE_INPUTS * DENSE_UNITS + DENSE_INPUTS,
            "That adds inputs and units: a dense layer connects every input to every unit.": DENSE_INPUTS
            + DENSE_UNITS,
        },
    )
    return "Keras's model.count_params() agrees."


dense_parameter_count = Exercise(
    "dense_parameter_count",
    _check_dense_parameter_count,
    hint="A Dense layer stores a kernel of shape (inputs, units) and one bias per unit.",
    solution=f"{DENSE_INPUTS} * {DENSE_UNITS} + {DENSE_UNITS} = {DENSE_INPUTS * DENSE_UNITS + DENSE_UNITS}",
)
