"""A small helper for the one interactive demo each chapter has (introduced in Chapter 0).

:func:`interactive_plot` lays out ipywidgets controls above a Matplotlib drawing that is redrawn whenever a
control changes. The notebooks are executed with widget state saved, so the static site shows the
controls and the first drawing; moving them needs a live kernel (JupyterLab or Binder).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from dlcourse._checks import check_callable


def interactive_plot(
    draw: Callable[..., Any], controls: Mapping[str, Any], *, title: str = ""
) -> Any:
    """Return a widget: the ``controls`` (ipywidgets, by keyword) above the output of ``draw(**values)``.

    ``draw`` receives one keyword argument per control and draws with Matplotlib (it need not return
    anything). Controls are laid out in a row that wraps on narrow screens.
    """
    import ipywidgets
    import matplotlib.pyplot as plt

    check_callable("draw", draw)
    if not isinstance(controls, Mapping) or not controls:
        raise TypeError(
            f"`controls` must be a non-empty dict of ipywidgets by name, got {type(controls).__name__}"
        )
    for name, control in controls.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(
                f"`controls` keys must be Python names (they become keyword arguments), got {name!r}"
            )
        if not isinstance(control, ipywidgets.ValueWidget):
            raise TypeError(
                f"`controls[{name!r}]` must be an ipywidgets control such as IntSlider, got "
                f"{type(control).__name__}"
            )
    if not isinstance(title, str):
        raise TypeError(f"`title` must be a string, got {type(title).__name__}")

    def redraw(**values: Any) -> None:
        draw(**values)
        plt.show()

    output = ipywidgets.interactive_output(redraw, dict(controls))
    row = ipywidgets.HBox(
        list(controls.values()), layout=ipywidgets.Layout(flex_flow="row wrap")
    )
    children = [row, output]
    if title:
        children.insert(0, ipywidgets.HTML(f"<b>{title}</b>"))
    return ipywidgets.VBox(children)
