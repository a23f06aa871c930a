"""Draw the schematic diagram of Chapter 5 (deep stacking networks) into ``images/``.

* ``dsn_stack.svg``: a stack of three modules; every module reads the input (grey
  arrows) and the outputs of all modules below it (blue arrows); only the top module's
  output is the prediction.

Run ``.venv/bin/python tools/draw_dsn.py`` after changing the picture; the SVG is
committed. The output is deterministic (``svg.hashsalt``, no date), so the file changes
only when its picture does.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

IMAGES = Path(__file__).resolve().parent.parent / "images"
#: Modules in the drawn stack.
MODULES = 3
#: Horizontal distance between two modules, and the width and heights of the boxes.
SPACING, WIDTH, HIDDEN_HEIGHT, OUTPUT_HEIGHT = 1.7, 1.2, 0.6, 0.5
#: Where the first module starts, and the heights of the hidden and output boxes.
FIRST_LEFT, HIDDEN_Y, OUTPUT_Y = 2.0, 1.0, 2.2


def _arrow(axis: plt.Axes, start: tuple, end: tuple, **style) -> None:
    axis.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "->", **style})


def _module(axis: plt.Axes, k: int) -> float:
    """Draw module k (from 0): its hidden box, its output box, the arrow between."""
    left = FIRST_LEFT + SPACING * k
    middle = left + WIDTH / 2
    axis.add_patch(
        plt.Rectangle(
            (left, HIDDEN_Y), WIDTH, HIDDEN_HEIGHT, color="tab:orange", alpha=0.5
        )
    )
    axis.text(
        middle,
        HIDDEN_Y + HIDDEN_HEIGHT / 2,
        f"hidden $H^{{({k + 1})}}$\n(W: random/refined)",
        ha="center",
        va="center",
        fontsize=7,
    )
    axis.add_patch(
        plt.Rectangle(
            (left, OUTPUT_Y), WIDTH, OUTPUT_HEIGHT, color="tab:blue", alpha=0.4
        )
    )
    axis.text(
        middle,
        OUTPUT_Y + OUTPUT_HEIGHT / 2,
        f"$Y^{{({k + 1})}} = H U$",
        ha="center",
        va="center",
        fontsize=8,
    )
    _arrow(axis, (middle, HIDDEN_Y + HIDDEN_HEIGHT), (middle, OUTPUT_Y))
    return left


def draw_stack() -> plt.Figure:
    """A stack of MODULES modules, each fed the input and every lower output."""
    figure, axis = plt.subplots(figsize=(7, 3.2))
    axis.add_patch(plt.Rectangle((0, -0.3), WIDTH, 0.6, color="0.85"))
    axis.text(WIDTH / 2, 0, "input x", ha="center", va="center")
    for k in range(MODULES):
        left = _module(axis, k)
        _arrow(axis, (WIDTH, 0.0), (left + 0.3, HIDDEN_Y), color="0.5")
        for below in range(k):
            source = FIRST_LEFT + SPACING * below + WIDTH
            _arrow(
                axis,
                (source, OUTPUT_Y + OUTPUT_HEIGHT / 2),
                (left + 0.1, HIDDEN_Y + HIDDEN_HEIGHT - 0.05),
                color="tab:blue",
                alpha=0.6,
            )
    top_middle = FIRST_LEFT + SPACING * (MODULES - 1) + WIDTH / 2
    axis.text(top_middle, OUTPUT_Y + 0.75, "prediction", ha="center")
    axis.set_xlim(-0.2, FIRST_LEFT + SPACING * MODULES)
    axis.set_ylim(-0.5, 3.2)
    axis.axis("off")
    axis.set_title(
        "A deep stacking network: each module sees x and every lower module's output"
    )
    return figure


def main() -> None:
    plt.rcParams["svg.hashsalt"] = "dlcourse"  # stable ids: same picture, same file
    IMAGES.mkdir(exist_ok=True)
    figure = draw_stack()
    figure.savefig(IMAGES / "dsn_stack.svg", metadata={"Date": None})
    plt.close(figure)


if __name__ == "__main__":
    main()
