"""Draw the schematic diagrams of Chapter 4 (deep belief networks) into ``images/``.

* ``dbn_rbm.svg``: one RBM, every visible unit joined to every hidden unit, none
  inside a layer;
* ``dbn_stack.svg``: greedy pre-training (RBMs trained bottom up), the DBN as a
  generative model (the top two layers an undirected RBM, directed sigmoid layers
  below) and the discriminative MLP that backpropagation fine-tunes.

Run ``.venv/bin/python tools/draw_dbn.py`` after changing a picture; the SVGs are
committed. The output is deterministic (``svg.hashsalt``, no date), so a file changes
only when its picture does.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

IMAGES = Path(__file__).resolve().parent.parent / "images"
VISIBLE_COLOR, HIDDEN_COLOR, OUTPUT_COLOR = "tab:blue", "tab:orange", "tab:green"
#: Unit sizes the chapter's stack uses, for the labels.
PIXELS, HIDDEN_1, HIDDEN_2, CLASSES = 784, 256, 256, 10


def _units(axis: plt.Axes, xs: np.ndarray, y: float, color: str) -> None:
    axis.scatter(
        xs, np.full(len(xs), y), s=260, color=color, edgecolor="black", zorder=3
    )


def draw_rbm() -> plt.Figure:
    """One RBM: the bipartite graph of visible and hidden units."""
    figure, axis = plt.subplots(figsize=(4.8, 2.6))
    visible_x, hidden_x = np.arange(6.0), np.arange(1.0, 5.0)
    for vx, hx in itertools.product(visible_x, hidden_x):
        axis.plot([vx, hx], [0, 1], color="0.6", lw=0.8, zorder=1)
    _units(axis, visible_x, 0, VISIBLE_COLOR)
    _units(axis, hidden_x, 1, HIDDEN_COLOR)
    axis.text(5.6, 0, "visible v (bias b)", va="center")
    axis.text(4.6, 1, "hidden h (bias c)", va="center")
    axis.text(2.5, 0.5, "W", ha="center", va="center", fontsize=11, backgroundcolor="w")
    axis.set_title(
        "an RBM: W joins the layers, no connections inside a layer", fontsize=10
    )
    axis.set_xlim(-0.5, 8.5)
    axis.set_ylim(-0.4, 1.4)
    axis.axis("off")
    return figure


def _box(axis: plt.Axes, level: int, label: str, color: str) -> None:
    axis.add_patch(plt.Rectangle((0, level * 1.3), 4, 0.7, color=color, alpha=0.35))
    axis.text(2, level * 1.3 + 0.35, label, ha="center", va="center", fontsize=9)


def _link(axis: plt.Axes, level: int, style: str, text: str) -> None:
    bottom, top = level * 1.3 + 0.7, level * 1.3 + 1.3
    axis.annotate("", xy=(2, top), xytext=(2, bottom), arrowprops={"arrowstyle": style})
    axis.text(2.15, (bottom + top) / 2, text, fontsize=8, va="center")


def draw_stack() -> plt.Figure:
    """Pre-training, the generative DBN and the fine-tuned MLP, side by side."""
    figure, axes = plt.subplots(1, 3, figsize=(11, 3.6))
    pretraining, generative, discriminative = axes
    boxes = [
        (f"pixels v ({PIXELS})", VISIBLE_COLOR),
        (f"h1 ({HIDDEN_1})", HIDDEN_COLOR),
        (f"h2 ({HIDDEN_2})", HIDDEN_COLOR),
    ]
    for axis in axes:
        for level, (label, color) in enumerate(boxes):
            _box(axis, level, label, color)
    _link(pretraining, 0, "<->", "RBM 1, trained 1st on v")
    _link(pretraining, 1, "<->", "RBM 2, trained 2nd on p(h1 | v)")
    pretraining.set_title("greedy pre-training, no labels", fontsize=10)
    _link(generative, 0, "<-", "directed: p(v | h1)")
    _link(generative, 1, "<->", "undirected RBM: p(h1, h2)")
    generative.set_title(
        "the DBN as a generative model:\nsample the top RBM, then go down", fontsize=10
    )
    _link(discriminative, 0, "->", "sigmoid layer, W1 and c1")
    _link(discriminative, 1, "->", "sigmoid layer, W2 and c2")
    _box(discriminative, 3, f"softmax ({CLASSES}), added", OUTPUT_COLOR)
    _link(discriminative, 2, "->", "labels, backpropagation")
    discriminative.set_title(
        "fine-tuning: the stack as an MLP,\ntrained with labels", fontsize=10
    )
    for axis in axes:
        axis.set_xlim(-0.2, 5.6)
        axis.set_ylim(-0.2, 4.8)
        axis.axis("off")
    figure.tight_layout()
    return figure


def main() -> None:
    plt.rcParams["svg.hashsalt"] = "dlcourse"  # stable ids: same picture, same file
    IMAGES.mkdir(exist_ok=True)
    for name, draw in (("rbm", draw_rbm), ("stack", draw_stack)):
        figure = draw()
        figure.savefig(IMAGES / f"dbn_{name}.svg", metadata={"Date": None})
        plt.close(figure)


if __name__ == "__main__":
    main()
