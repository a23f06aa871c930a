"""A small helper for the one interactive demo each chapter has (from Chapter 0).

:func:`interactive_plot` lays out ipywidgets controls above a Matplotlib drawing that is
redrawn whenever a control changes. The notebooks are executed with widget state saved,
so the static site shows the controls and the first drawing; moving them needs a live
kernel (JupyterLab or Binder).
"""

from __future__ import annotations

import html
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from dlcourse._checks import check_callable, check_str

#: The most controls one demo lays out.
MAX_CONTROLS = 50


def interactive_plot(
    draw: Callable[..., Any], controls: Mapping[str, Any], *, title: str = ""
) -> Any:
    """Return a widget: the ``controls`` above the output of ``draw(**values)``.

    Controls are laid out in a row that wraps on narrow screens.

    Args:
        draw: a function that receives one keyword argument per control and draws with
            Matplotlib (it need not return anything).
        controls: the ipywidgets controls by keyword (at most ``MAX_CONTROLS``).
        title: a heading above the controls (plain text).
    """
    import ipywidgets
    import matplotlib.pyplot as plt

    check_callable("draw", draw)
    if not isinstance(controls, Mapping) or not controls:
        raise TypeError(
            "`controls` must be a non-empty dict of ipywidgets by name, "
            f"got {type(controls).__name__}"
        )
    if len(controls) > MAX_CONTROLS:
        raise ValueError(
            f"`controls` must hold at most {MAX_CONTROLS} controls, got {len(controls)}"
        )
    for name, control in controls.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(
                "`controls` keys must be Python names (they become keyword "
                f"arguments), got {name!r:.60}"
            )
        if not isinstance(control, ipywidgets.ValueWidget):
            raise TypeError(
                f"`controls[{name!r}]` must be an ipywidgets control such as "
                f"IntSlider, got {type(control).__name__}"
            )
    check_str("title", title)
    try:
        inspect.signature(draw).bind(**controls)
    except TypeError as error:
        raise TypeError(
            f"`draw` must take one keyword argument per control "
            f"({', '.join(controls)}): {error}"
        ) from None
    except ValueError:  # a built-in without a signature: called as it is
        pass

    def redraw(**values: Any) -> None:
        draw(**values)
        plt.show()

    output = ipywidgets.interactive_output(redraw, dict(controls))
    row = ipywidgets.HBox(
        list(controls.values()), layout=ipywidgets.Layout(flex_flow="row wrap")
    )
    children = [row, output]
    if title:
        children.insert(0, ipywidgets.HTML(f"<b>{html.escape(title)}</b>"))
    return ipywidgets.VBox(children)
