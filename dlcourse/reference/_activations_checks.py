"""Argument checks of :mod:`dlcourse.reference.activations` (the boundary)."""

from __future__ import annotations

from typing import Any

from dlcourse._checks import check_array, check_choice, check_int

#: The activations whose slope is written with their output (all but softmax).
ELEMENTWISE = ("linear", "relu", "sigmoid", "tanh")


def z(z: Any) -> dict[str, Any]:
    """An activation's input: a non-empty, finite array of numbers."""
    return {"z": check_array("z", z)}


def softmax(z: Any, axis: Any) -> dict[str, Any]:
    array = check_array("z", z)
    return {
        "z": array,
        "axis": check_int("axis", axis, minimum=-array.ndim, maximum=array.ndim - 1),
    }


def activate(z: Any, activation: Any) -> dict[str, Any]:
    from dlcourse.reference.activations import ACTIVATIONS

    return {
        "z": check_array("z", z),
        "activation": check_choice("activation", activation, ACTIVATIONS),
    }


def slope_from_output(h: Any, activation: Any) -> dict[str, Any]:
    return {
        "h": check_array("h", h),
        "activation": check_choice("activation", activation, ELEMENTWISE),
    }
