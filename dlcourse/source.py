"""Show code from the package on the page (introduced in Chapter 0).

A chapter's "From scratch" section displays the very functions it then checks against
Keras, taken from ``dlcourse`` itself, so the page and the package cannot disagree.
:func:`show` returns an object that a notebook renders as a highlighted Python block,
both in JupyterLab and on the built site.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from typing import Any

from dlcourse._checks import check_bool, check_str, describe


class SourceCode:
    """Python source to display: a fenced code block in a notebook, text elsewhere."""

    def __init__(self, text: str) -> None:
        self.text = check_str("text", text)

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.text}\n```"

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text


def _strip_docstring(code: str) -> str:
    """Remove the docstrings of what ``code`` defines, and of its methods."""
    tree = ast.parse(code)
    lines = code.splitlines()
    drop: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
                and len(body) > 1
            ):
                end = body[0].end_lineno or body[0].lineno
                drop.update(range(body[0].lineno - 1, end))
    return "\n".join(line for number, line in enumerate(lines) if number not in drop)


def source_of(obj: Any, *, docstring: bool = True) -> str:
    """The source code of a function, method or class of the package, dedented."""
    check_bool("docstring", docstring)
    target = inspect.unwrap(obj) if callable(obj) else obj
    target = getattr(target, "__func__", target)
    try:
        code = textwrap.dedent(inspect.getsource(target))
    except (TypeError, OSError):
        raise TypeError(
            f"`obj` must be a function, method or class defined in Python source, "
            f"got {describe(obj)}"
        ) from None
    return code.rstrip() if docstring else _strip_docstring(code).rstrip()


def show(*objects: Any, docstring: bool = True) -> SourceCode:
    """Display the code of ``objects`` (functions, methods or classes), in order.

    Args:
        objects: what to show; a checked entry point shows its core (the line
            ``@checked(...)`` above it says where its argument checks live).
        docstring: keep the docstrings (``False`` leaves only the code).
    """
    if not objects:
        raise TypeError("show() needs at least one function, method or class")
    check_bool("docstring", docstring)
    return SourceCode(
        "\n\n\n".join(source_of(obj, docstring=docstring) for obj in objects)
    )
