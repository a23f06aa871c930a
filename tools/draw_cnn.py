"""Draw the schematic of Chapter 3: stride and zero padding, into ``images/cnn_*.svg``.

``images/cnn_stride_padding.svg``: a 5x5 input with one ring of zero padding, a 3x3
kernel at the first two of its positions with stride 2, and the 3x3 output, each output
cell coloured like the window it comes from. Run ``.venv/bin/python tools/draw_cnn.py``;
the output is deterministic (fixed SVG ids, no date), so an unchanged drawing leaves
git with nothing to commit.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from dlcourse.reference import conv  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
#: Input side, kernel side, stride and zero padding per side of the drawing.
SIDE, KERNEL, STRIDE, PADDING = 5, 3, 2, 1
#: Colours of the two kernel positions drawn, and of the zero padding.
WINDOW_COLOURS = ("#1f77b4", "#d62728")
PADDING_COLOUR = "#eeeeee"


def draw_grid(axis, left: float, cells: int, padding: int, label: str) -> None:
    """A grid of ``cells`` squares plus ``padding`` rings of zeros, labelled below."""
    total = cells + 2 * padding
    for row in range(total):
        for column in range(total):
            is_padding = not (
                padding <= row < padding + cells and padding <= column < padding + cells
            )
            axis.add_patch(
                Rectangle(
                    (left + column, total - 1 - row),
                    1,
                    1,
                    facecolor=PADDING_COLOUR if is_padding else "white",
                    edgecolor="#555555",
                    linewidth=0.8,
                )
            )
            if is_padding:
                axis.text(
                    left + column + 0.5,
                    total - 0.5 - row,
                    "0",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="#888888",
                )
    axis.text(left + total / 2, -0.8, label, ha="center", va="top", fontsize=10)


def main() -> None:
    """Draw and save the stride-and-padding schematic."""
    plt.rcParams["svg.hashsalt"] = "dlcourse"
    outputs = conv.output_size(SIDE + 2 * PADDING, KERNEL, STRIDE)
    padded = SIDE + 2 * PADDING
    figure, axis = plt.subplots(figsize=(8, 3.6))
    draw_grid(
        axis, 0, SIDE, PADDING, f"input {SIDE}x{SIDE}, padded with {PADDING} zero"
    )
    output_left = padded + 3
    offset = (padded - outputs) / 2
    for row in range(outputs):
        for column in range(outputs):
            axis.add_patch(
                Rectangle(
                    (output_left + column, offset + outputs - 1 - row),
                    1,
                    1,
                    facecolor="white",
                    edgecolor="#555555",
                    linewidth=0.8,
                )
            )
    axis.text(
        output_left + outputs / 2,
        -0.8,
        f"output {outputs}x{outputs}",
        ha="center",
        va="top",
        fontsize=10,
    )
    for index, colour in enumerate(WINDOW_COLOURS):
        column = index * STRIDE  # the kernel's first two positions along the row
        axis.add_patch(
            Rectangle(
                (column + 0.08, padded - KERNEL + 0.08),
                KERNEL - 0.16,
                KERNEL - 0.16,
                facecolor="none",
                edgecolor=colour,
                linewidth=2.5,
            )
        )
        axis.add_patch(
            Rectangle(
                (output_left + index, offset + outputs - 1),
                1,
                1,
                facecolor=colour,
                alpha=0.35,
                edgecolor=colour,
                linewidth=2,
            )
        )
        axis.annotate(
            "",
            xy=(output_left + index + 0.5, offset + outputs - 0.5),
            xytext=(column + KERNEL / 2, padded - 0.2),
            arrowprops={
                "arrowstyle": "->",
                "color": colour,
                "connectionstyle": "arc3,rad=-0.3",
            },
        )
    axis.text(
        padded + 1.5,
        padded + 0.6,
        f"{KERNEL}x{KERNEL} kernel, stride {STRIDE}: "
        f"floor(({SIDE} + 2*{PADDING} - {KERNEL}) / {STRIDE}) + 1 = {outputs}",
        ha="center",
        fontsize=10,
    )
    axis.set_xlim(-0.5, output_left + outputs + 0.5)
    axis.set_ylim(-1.8, padded + 1.2)
    axis.set_aspect("equal")
    axis.axis("off")
    path = ROOT / "images" / "cnn_stride_padding.svg"
    figure.savefig(path, metadata={"Date": None}, bbox_inches="tight")
    print("wrote", path.relative_to(ROOT))


if __name__ == "__main__":
    main()
