"""Every number the prose states is bound to a computation (CONTRIBUTING.md).

A number in a markdown cell that has a decimal point, a percent sign, or a unit of time
or memory must be one of:

* printed by the same notebook: it appears in a stored output (a result, or a sentence a
  hidden cell writes), so re-executing the notebook with other results makes this test
  fail until the prose follows;
* a setting of the computation: it appears in the notebook's code (``RATE = 0.01``);
* a published figure: its sentence cites the source (``{cite:p}``, ``{footcite:p}``
  ...);
* a constant listed in ``COURSE_CONSTANTS`` or ``EXEMPT`` below, with the reason.

Math (``$...$``), code spans, links and labels are not prose and are skipped. The test
reads the stored notebooks; it runs no kernel.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from toc_notebooks import toc_notebooks  # noqa: E402

NOTEBOOKS = [path for path in toc_notebooks() if path.suffix == ".ipynb"]

# : Definitional constants a chapter may state without printing them: (notebook stem,
# number) -> why.
EXEMPT: dict[tuple[str, str], str] = {}
#: Constants every chapter may state, as written (number and unit) -> why.
COURSE_CONSTANTS: dict[str, str] = {
    "60 s": "the quick-mode budget of every chapter (README, make bench)",
    "60 seconds": "the quick-mode budget of every chapter (README, make bench)",
    "1.5 GB": "the memory budget of every chapter (README, make bench)",
    "10 minutes": "the full-mode budget of every chapter (README)",
}

NUMBER = re.compile(
    r"(?<![\w.])"  # not the tail of a word, a version or a longer number
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d+)"
    r"(?P<unit>\s?(?:%|s\b|ms\b|seconds?\b|minutes?\b|min\b|hours?\b|[KMG]i?B\b))?"
)
CITATION = re.compile(r"\{(?:foot)?cite(?::\w+)?\}")
SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z(*_])|\n\s*\n|\n[-*] |\n\d+\. |\n\|")


def _strip_non_prose(text: str) -> str:
    """Blank out what is not prose: code, math, links, labels, HTML, options."""
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"~~~.*?~~~", " ", text, flags=re.S)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\\begin\{(\w+\*?)\}.*?\\end\{\1\}", " ", text, flags=re.S)
    text = re.sub(r"(?<!\\)\$[^$\n]+\$", " ", text)
    text = re.sub(r"`[^`\n]*`", " ", text)  # inline code, and the targets of roles
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link and image targets
    text = re.sub(r"<[^>\n]+>", " ", text)  # HTML tags and autolinks
    text = re.sub(r"^\([\w-]+\)=\s*$", " ", text, flags=re.M)  # MyST labels
    text = re.sub(r"^:[\w-]+:.*$", " ", text, flags=re.M)  # directive options
    text = re.sub(r"https?://\S+", " ", text)
    return text


def _is_stated_number(number: str, unit: str | None) -> bool:
    """Only numbers that report a measurement: decimals, percentages, durations,
    sizes."""
    if unit and unit.strip() == "s" and re.fullmatch(r"(1[89]|20)\d\d", number):
        return False  # a decade, "the 1990s"
    return bool(unit) or "." in number


def _variants(number: str, unit: str | None) -> set[str]:
    """Spellings under which an output may carry the same value.

    A decimal is specific enough on its own; a whole number must come with its unit
    (``90%``, ``15 s``), or it would match any count in any output.
    """
    plain = number.replace(",", "")
    unit = (unit or "").strip()
    forms: set[str] = set()
    if "." in plain:
        forms |= {number, plain}
    if unit == "%":
        forms |= {f"{plain}%", f"{plain} %"}
        if "." not in plain:
            forms.add(f"{plain}.0%")
    elif unit:
        forms |= {
            f"{plain} {u}" for u in ("s", "seconds", "min", "minutes", "ms", "h", unit)
        }
        forms |= {f"{plain}{u}" for u in ("s", "ms", "min")}
        forms |= {f"{plain}.0 s", f"{plain}.0s"}
    if unit == "%":
        decimals = len(plain.split(".")[1]) if "." in plain else 0
        fraction = f"{float(plain) / 100:.{decimals + 2}f}"
        forms.add(fraction)
    return forms


def _contains_number(haystack: str, form: str) -> bool:
    pattern = r"(?<![\d.])" + re.escape(form) + r"(?![\d%])(?!\.\d)"
    return re.search(pattern, haystack) is not None


def _cell_text(cell: dict) -> str:
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def _outputs_text(notebook: dict) -> str:
    pieces: list[str] = []
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            if "text" in output:
                pieces.append("".join(output["text"]))
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/"):
                    pieces.append("".join(value) if isinstance(value, list) else value)
    return "\n".join(pieces)


def unbound_numbers(notebook: dict, stem: str) -> list[str]:
    """The numbers of the notebook's prose that nothing binds, with their sentences."""
    outputs = _outputs_text(notebook)
    code = "\n".join(
        _cell_text(c) for c in notebook["cells"] if c["cell_type"] == "code"
    )
    problems = []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        prose = _strip_non_prose(_cell_text(cell))
        for sentence in SENTENCE_END.split(prose):
            for match in NUMBER.finditer(sentence):
                number, unit = match.group("number"), match.group("unit")
                if not _is_stated_number(number, unit):
                    continue
                written = " ".join(match.group(0).split())
                if written in COURSE_CONSTANTS or (stem, number) in EXEMPT:
                    continue
                if CITATION.search(sentence):
                    continue
                forms = _variants(number, unit)
                if any(
                    _contains_number(outputs, f) or _contains_number(code, f)
                    for f in forms
                ):
                    continue
                context = " ".join(sentence.split())
                problems.append(f"cell {index}: {match.group(0)!r} in: {context[:160]}")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=str)
def test_every_number_in_the_prose_is_bound(path):
    notebook = json.loads((ROOT / path).read_text(encoding="utf-8"))
    problems = unbound_numbers(notebook, path.stem)
    assert not problems, (
        f"{path}: {len(problems)} number(s) in the prose that no output, setting or "
        "citation binds (print them from a cell, read them from results/, cite them, "
        "or remove them):\n  " + "\n  ".join(problems)
    )


def test_the_checker_finds_a_number_typed_by_hand():
    notebook = {
        "cells": [
            {
                "cell_type": "markdown",
                "source": "The network reaches 97.2% after 12.5 s.",
            },
            {
                "cell_type": "code",
                "source": "print(acc)",
                "outputs": [{"text": "0.972\n"}],
            },
        ]
    }
    problems = unbound_numbers(notebook, "example")
    assert len(problems) == 1 and "12.5" in problems[0]


def test_citations_settings_and_math_bind_or_skip():
    notebook = {
        "cells": [
            {
                "cell_type": "markdown",
                "source": "LeNet-5 reached 0.95% error {cite:p}`lecun1998`. We use a "
                "rate of 0.01. The slope is $\\sigma(0) = 0.5$ and `x = 3.5`.",
            },
            {
                "cell_type": "code",
                "source": "RATE = 0.01  # Adam's step",
                "outputs": [],
            },
        ]
    }
    assert unbound_numbers(notebook, "example") == []


def test_a_decimal_percentage_binds_to_the_same_percentage_only():
    def problems(printed: str) -> list[str]:
        notebook = {
            "cells": [
                {"cell_type": "markdown", "source": "The stack gets 91.7% of them."},
                {
                    "cell_type": "code",
                    "source": "print(table)",
                    "outputs": [{"text": printed}],
                },
            ]
        }
        return unbound_numbers(notebook, "example")

    assert problems("stacked  91.7%  (3 seeds)\n") == []
    assert problems("stacked  91.7 %\n") == []
    assert problems("stacked  91.75%\n") and problems("stacked  191.7%\n")
