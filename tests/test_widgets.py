"""The interactive-demo helper."""

from __future__ import annotations

import ipywidgets
import matplotlib

matplotlib.use("Agg")
import pytest  # noqa: E402

from dlcourse import widgets  # noqa: E402


def test_interactive_plot_builds_controls_above_an_output():
    calls = []
    box = widgets.interactive_plot(
        lambda n: calls.append(n), {"n": ipywidgets.IntSlider(value=2)}, title="Demo"
    )
    assert isinstance(box, ipywidgets.VBox)
    assert isinstance(box.children[0], ipywidgets.HTML) and isinstance(
        box.children[-1], ipywidgets.Output
    )
    assert calls == [2]  # drawn once at creation, with the control's value
    box.children[1].children[0].value = 5
    assert calls[-1] == 5


def test_interactive_plot_rejects_bad_arguments():
    slider = ipywidgets.IntSlider()
    with pytest.raises(TypeError, match="`draw` must be callable"):
        widgets.interactive_plot("draw", {"n": slider})
    with pytest.raises(TypeError, match="`controls` must be a non-empty dict"):
        widgets.interactive_plot(print, {})
    with pytest.raises(
        TypeError, match=r"`controls\['n'\]` must be an ipywidgets control"
    ):
        widgets.interactive_plot(print, {"n": 3})
    with pytest.raises(ValueError, match="`controls` keys must be Python names"):
        widgets.interactive_plot(print, {"not a name": slider})
    with pytest.raises(TypeError, match="`title` must be a string"):
        widgets.interactive_plot(print, {"n": slider}, title=None)
    with pytest.raises(ValueError, match="`controls` must hold at most"):
        many = {f"n{i}": slider for i in range(widgets.MAX_CONTROLS + 1)}
        widgets.interactive_plot(print, many)


def test_the_title_is_shown_as_text_not_as_html():
    box = widgets.interactive_plot(
        lambda n: None, {"n": ipywidgets.IntSlider()}, title="a < b & <i>c</i>"
    )
    assert box.children[0].value == "<b>a &lt; b &amp; &lt;i&gt;c&lt;/i&gt;</b>"


def test_draw_must_take_the_controls_as_keywords():
    with pytest.raises(TypeError, match=r"`draw` must take one keyword argument per"):
        widgets.interactive_plot(lambda m: None, {"n": ipywidgets.IntSlider()})
