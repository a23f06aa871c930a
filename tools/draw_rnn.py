"""Draw the schematic diagrams of the recurrent-network chapter into ``images/``.

* ``rnn_feedback.svg``: a feed-forward network, an Elman network (hidden layer fed
  back) and a Jordan network (output fed back), side by side;
* ``rnn_unfolded.svg``: an Elman network and the same network unfolded over four
  time steps.

Run ``.venv/bin/python tools/draw_rnn.py`` after changing a picture; the SVGs are
committed. The output is deterministic (``svg.hashsalt``, no date), so a file changes
only when its picture does. The colours follow the course's timeline
(``tools/make_timeline.py``): feedback, the mark of a recurrent network, is drawn in
the timeline's colour for recurrent architectures.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Circle, FancyArrowPatch  # noqa: E402

IMAGES = Path(__file__).resolve().parent.parent / "images"
#: The timeline's colour for recurrent architectures, used here for every feedback.
FEEDBACK_COLOUR = "tab:orange"
#: Fill colours of the input, hidden and output units.
INPUT_FILL, HIDDEN_FILL, OUTPUT_FILL = "#dde8f6", "#fde9c8", "#dff2df"
#: Copies of the network in the unfolded picture.
STEPS_DRAWN = 4
#: Horizontal distance between two copies in the unfolded picture.
STEP_WIDTH = 1.7


def _node(axis: plt.Axes, xy: tuple[float, float], label: str, fill: str) -> None:
    axis.add_patch(Circle(xy, 0.28, facecolor=fill, edgecolor="black", zorder=3))
    axis.text(*xy, label, ha="center", va="center", fontsize=10, zorder=4)


def _arrow(
    axis: plt.Axes,
    start: tuple[float, float],
    end: tuple[float, float],
    *,
    colour: str = "black",
    bend: float = 0.0,
    label: str = "",
    label_offset: tuple[float, float] = (0.0, 0.0),
) -> None:
    axis.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=12,
            color=colour,
            lw=1.3,
            connectionstyle=f"arc3,rad={bend}",
            shrinkA=11,
            shrinkB=11,
            zorder=2,
        )
    )
    if label:
        middle = np.add(start, end) / 2 + np.array(label_offset)
        axis.text(*middle, label, color=colour, fontsize=9, ha="center", va="center")


def _self_loop(axis: plt.Axes, xy: tuple[float, float], label: str) -> None:
    start, end = (xy[0] + 0.27, xy[1] + 0.08), (xy[0] + 0.27, xy[1] - 0.08)
    axis.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=12,
            color=FEEDBACK_COLOUR,
            lw=1.3,
            connectionstyle="arc,angleA=0,angleB=0,armA=28,armB=28,rad=6",
            shrinkA=0,
            shrinkB=0,
            zorder=2,
        )
    )
    axis.text(
        xy[0] + 0.85, xy[1], label, color=FEEDBACK_COLOUR, fontsize=9, va="center"
    )


def _column(axis: plt.Axes, x: float, suffix: str = "") -> None:
    """Input, hidden and output units stacked at ``x``, joined by W and V."""
    _node(axis, (x, 0), f"$x{suffix}$", INPUT_FILL)
    _node(axis, (x, 1), f"$h{suffix}$", HIDDEN_FILL)
    _node(axis, (x, 2), f"$y{suffix}$", OUTPUT_FILL)
    _arrow(axis, (x, 0), (x, 1), label="W", label_offset=(-0.25, 0))
    _arrow(axis, (x, 1), (x, 2), label="V", label_offset=(-0.25, 0))


def draw_feedback() -> plt.Figure:
    """Feed-forward, Elman (hidden fed back) and Jordan (output fed back)."""
    figure, axes = plt.subplots(1, 3, figsize=(8, 3.2))
    titles = ("feed-forward", "Elman: hidden → hidden", "Jordan: output → hidden")
    for axis, title in zip(axes, titles, strict=True):
        _column(axis, 0.0)
        axis.set_title(title, fontsize=10)
        axis.set_xlim(-1, 1.2)
        axis.set_ylim(-0.5, 2.5)
        axis.set_aspect("equal")
        axis.axis("off")
    _self_loop(axes[1], (0, 1), "U")
    _arrow(
        axes[2],
        (0.2, 2.0),
        (0.2, 1.0),
        colour=FEEDBACK_COLOUR,
        bend=-0.9,
        label="F",
        label_offset=(0.55, 0),
    )
    figure.tight_layout()
    return figure


def draw_unfolded() -> plt.Figure:
    """An Elman network, and the same network unfolded over STEPS_DRAWN steps."""
    figure, axis = plt.subplots(figsize=(10, 3.3))
    _column(axis, 0.0, "_t")
    _self_loop(axis, (0, 1), "U")
    axis.text(1.55, 1, "=", fontsize=22, ha="center", va="center")
    for step in range(STEPS_DRAWN):
        x = 3 + STEP_WIDTH * step
        _column(axis, x, f"_{step + 1}")
        _arrow(
            axis,
            (max(x - STEP_WIDTH, 2.1), 1),
            (x, 1),
            colour=FEEDBACK_COLOUR,
            label="U",
            label_offset=(0, 0.18),
        )
    axis.text(2.05, 1, "$h_0$", ha="right", va="center", fontsize=10)
    axis.set_xlim(-0.7, 3 + STEP_WIDTH * STEPS_DRAWN - 1)
    axis.set_ylim(-0.5, 2.5)
    axis.set_aspect("equal")
    axis.axis("off")
    figure.tight_layout()
    return figure


def main() -> None:
    """Write every diagram of the chapter."""
    plt.rcParams["svg.hashsalt"] = "dlcourse"  # stable ids across runs
    for name, draw in (("feedback", draw_feedback), ("unfolded", draw_unfolded)):
        figure = draw()
        figure.savefig(IMAGES / f"rnn_{name}.svg", metadata={"Date": None})
        plt.close(figure)


if __name__ == "__main__":
    main()
