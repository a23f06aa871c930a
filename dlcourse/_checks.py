"""Argument checks shared by every public ``dlcourse`` function.

Each check raises ``TypeError`` (wrong kind of object) or ``ValueError`` (right kind,
wrong value) with a message that names the parameter, says what was expected and shows
what was given, so that a learner never meets a bare traceback from deep inside NumPy or
TensorFlow. These are plumbing, used by every chapter.

Sizes have documented upper limits, so that a slip such as ``units=10**9`` is refused
at once instead of allocating until the machine runs out of memory:

* :data:`MAX_COUNT` for a count of things (units, steps, samples, filters, ...),
  checked with :func:`check_count`;
* :data:`MAX_EPOCHS` and :data:`MAX_BATCH_SIZE` for training loops;
* :data:`MAX_ELEMENTS` for the number of numbers in an array a function is about to
  create, checked with :func:`check_allocation` before it is created.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import numpy as np

F = TypeVar("F", bound=Callable[..., Any])

#: The largest count (of units, steps, samples, filters, ...) a check accepts.
MAX_COUNT = 1_000_000
#: The largest number of epochs (or training rounds) a check accepts.
MAX_EPOCHS = 100_000
#: The largest batch size a check accepts.
MAX_BATCH_SIZE = 1_048_576
#: The largest array (in numbers, about 800 MB of float64) a function may create.
MAX_ELEMENTS = 100_000_000


def describe(value: Any) -> str:
    """A short description of ``value`` for messages: its type, and shape for arrays."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    shape = getattr(value, "shape", None)
    if shape is not None and not isinstance(value, type):
        return f"a {type(value).__name__} of shape {tuple(shape)}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def check_int(
    name: str, value: Any, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """Return ``value`` as an ``int`` if it is a whole number in ``[minimum, maximum]``.

    For a size, prefer :func:`check_count`, whose ``maximum`` defaults to
    :data:`MAX_COUNT`.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be an integer, got {describe(value)}")
    value = int(value)
    _check_range(name, value, minimum, maximum)
    return value


def check_count(
    name: str, value: Any, *, minimum: int = 1, maximum: int = MAX_COUNT
) -> int:
    """Return ``value`` as an ``int`` if it is a count within ``[minimum, maximum]``.

    The default ``maximum`` is :data:`MAX_COUNT`: a count beyond it is refused before
    anything is allocated.
    """
    return check_int(name, value, minimum=minimum, maximum=maximum)


def check_allocation(
    names: str | Sequence[str],
    shape: Sequence[int],
    *,
    maximum: int = MAX_ELEMENTS,
) -> None:
    """Raise ``ValueError`` if an array of ``shape`` would exceed ``maximum`` numbers.

    Call it with the already checked sizes *before* creating the array; ``names`` are
    the parameters the sizes come from (named in the message).
    """
    total = 1
    for length in shape:
        total *= int(length)
    if total > maximum:
        listed = names if isinstance(names, str) else ", ".join(names)
        described = " x ".join(str(int(length)) for length in shape)
        raise ValueError(
            f"`{listed}` ask for an array of {described} = {total:,} numbers, "
            f"more than the limit of {maximum:,}; use smaller sizes"
        )


def check_float(
    name: str,
    value: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
) -> float:
    """Return ``value`` as a finite ``float`` within the given bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a real number, got {describe(value)}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"`{name}` must be finite, got {value!r}")
    if exclusive_minimum and minimum is not None and value <= minimum:
        raise ValueError(f"`{name}` must be greater than {minimum}, got {value!r}")
    _check_range(name, value, minimum, maximum)
    return value


def _check_range(
    name: str, value: float, minimum: float | None, maximum: float | None
) -> None:
    if minimum is not None and value < minimum:
        raise ValueError(f"`{name}` must be at least {minimum}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"`{name}` must be at most {maximum}, got {value!r}")


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` if it is a ``bool`` (``np.bool_`` is accepted)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"`{name}` must be True or False, got {describe(value)}")
    return bool(value)


def check_str(name: str, value: Any) -> str:
    """Return ``value`` if it is a string."""
    if not isinstance(value, str):
        raise TypeError(f"`{name}` must be a string, got {describe(value)}")
    return value


def check_choice(name: str, value: Any, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices`` (strings)."""
    options = list(choices)
    check_str(name, value)
    if value not in options:
        listed = ", ".join(repr(option) for option in options)
        raise ValueError(f"`{name}` must be one of {listed}; got {value!r}")
    return value


def check_callable(name: str, value: Any) -> Callable[..., Any]:
    """Return ``value`` if it can be called."""
    if not callable(value):
        raise TypeError(
            f"`{name}` must be callable (a function), got {describe(value)}"
        )
    return value


def check_array(
    name: str,
    value: Any,
    *,
    ndim: int | Sequence[int] | None = None,
    shape: Sequence[int | None] | None = None,
    dtype: str = "float",
    finite: bool = True,
    min_size: int = 1,
    max_size: int | None = MAX_ELEMENTS,
) -> np.ndarray:
    """Return ``value`` as a NumPy array after checking kind, rank, shape and values.

    Args:
        name: the parameter's name, for the messages.
        value: what was given.
        ndim: the allowed number(s) of dimensions, or ``None`` for any.
        shape: the required shape; ``None`` in it matches any length.
        dtype: ``"float"`` (converted to float64 unless already floating), ``"int"``
            (whole numbers, returned as int64), ``"number"`` (any numeric or boolean
            dtype, kept) or ``"any"`` (not checked).
        finite: refuse NaN and infinity.
        min_size: the fewest numbers the array may hold (1: not empty).
        max_size: the most numbers it may hold (default :data:`MAX_ELEMENTS`), or
            ``None`` for no limit.
    """
    if isinstance(value, str | bytes | dict | set) or value is None:
        raise TypeError(
            f"`{name}` must be an array (a NumPy array or nested lists of numbers), "
            f"got {describe(value)}"
        )
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        raise TypeError(
            f"`{name}` must be a rectangular array of numbers (every row the same "
            f"length), got {describe(value)}"
        ) from None
    if array.dtype == object:
        raise TypeError(
            f"`{name}` must be a rectangular array of numbers, got {describe(value)}"
        )
    numeric = np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_
    if dtype == "float":
        if not numeric or np.issubdtype(array.dtype, np.complexfloating):
            raise TypeError(
                f"`{name}` must hold real numbers, got an array of dtype {array.dtype}"
            )
        if not np.issubdtype(array.dtype, np.floating):
            array = array.astype(np.float64)
    elif dtype == "int":
        if np.issubdtype(array.dtype, np.floating):
            if not np.all(np.isfinite(array)) or not np.all(array == np.round(array)):
                raise TypeError(
                    f"`{name}` must hold whole numbers (integer labels), got "
                    "non-integer values"
                )
            array = array.astype(np.int64)
        elif not np.issubdtype(array.dtype, np.integer):
            raise TypeError(
                f"`{name}` must hold integers, got an array of dtype {array.dtype}"
            )
        else:
            array = array.astype(np.int64)
    elif dtype == "number":
        if not numeric:
            raise TypeError(
                f"`{name}` must hold numbers, got an array of dtype {array.dtype}"
            )
    elif dtype != "any":
        raise ValueError(f"internal: unknown dtype rule {dtype!r}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            wanted = " or ".join(str(n) for n in allowed)
            raise ValueError(
                f"`{name}` must have {wanted} dimensions, got shape {array.shape}"
            )
    if shape is not None:
        if array.ndim != len(shape) or any(
            want is not None and want != got
            for want, got in zip(shape, array.shape, strict=False)
        ):
            wanted = (
                "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
            )
            raise ValueError(
                f"`{name}` must have shape {wanted}, got shape {array.shape}"
            )
    if array.size < min_size:
        if min_size == 1:
            raise ValueError(f"`{name}` must not be empty, got shape {array.shape}")
        raise ValueError(
            f"`{name}` must hold at least {min_size} numbers, got shape {array.shape}"
        )
    if max_size is not None and array.size > max_size:
        raise ValueError(
            f"`{name}` must hold at most {max_size:,} numbers, got shape {array.shape}"
        )
    if (
        finite
        and np.issubdtype(array.dtype, np.inexact)
        and not np.all(np.isfinite(array))
    ):
        raise ValueError(
            f"`{name}` must contain only finite numbers, got NaN or infinity"
        )
    return array


def check_probability(name: str, value: Any) -> float:
    """Return ``value`` as a ``float`` if it is a probability (a real in [0, 1])."""
    return check_float(name, value, minimum=0.0, maximum=1.0)


def check_same_length(names: Sequence[str], *arrays: np.ndarray) -> None:
    """Raise ``ValueError`` unless all arrays have the same first dimension."""
    lengths = [len(array) for array in arrays]
    if len(set(lengths)) > 1:
        described = ", ".join(
            f"`{n}` has {length}" for n, length in zip(names, lengths, strict=True)
        )
        raise ValueError(
            f"{' and '.join(f'`{n}`' for n in names)} must have the same number "
            f"of rows: {described}"
        )


_INSIDE_CHECKED_CORE: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "inside_checked_core", default=False
)


def checked(validate: Callable[..., dict[str, Any] | None]) -> Callable[[F], F]:
    """Put argument checks in front of a teaching core, out of its lines.

    ``validate`` receives the core's arguments by name (defaults filled in), raises
    ``TypeError`` or ``ValueError`` for a bad one, and returns the arguments converted
    (a dict by name; ``None`` keeps them as given). A core called from inside another
    checked core is not checked again: the arguments were checked where they entered
    the package. ``inspect.unwrap`` (and :func:`dlcourse.source.show`) give back the
    core, which reads like its equations.
    """

    def decorate(core: F) -> F:
        signature = inspect.signature(core)

        @functools.wraps(core)
        def entry(*args: Any, **kwargs: Any) -> Any:
            if _INSIDE_CHECKED_CORE.get():
                return core(*args, **kwargs)
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError as error:
                raise TypeError(f"{core.__name__}(): {error}") from None
            bound.apply_defaults()
            converted = validate(**bound.arguments)
            arguments = bound.arguments if converted is None else converted
            token = _INSIDE_CHECKED_CORE.set(True)
            try:
                return core(**arguments)
            finally:
                _INSIDE_CHECKED_CORE.reset(token)

        entry.validate = validate  # type: ignore[attr-defined]
        return entry  # type: ignore[return-value]

    return decorate
