"""Draw the LSTM and GRU chapter's two cell diagrams (images/lstm_gru_*.svg).

Run after changing a picture: ``.venv/bin/python tools/draw_lstm_gru.py``. The SVGs are
committed, so the book build needs no plotting; the output is deterministic (fixed
``svg.hashsalt``, no date), so a file changes only when its picture does.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "images"
FIGURE_SIZE = (8.6, 4.4)  # inches, both diagrams
GATE_COLOURS = {"sigmoid": "tab:red", "tanh": "tab:gray", "operation": "white"}


def arrow(axes, start, end, label=None, label_offset=(0.0, 0.15)) -> None:
    """An arrow from ``start`` to ``end``, with an optional label near its middle."""
    axes.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={"arrowstyle": "->", "color": "black", "lw": 1.1},
    )
    if label:
        middle = ((start[0] + end[0]) / 2 + label_offset[0], (start[1] + end[1]) / 2)
        axes.text(
            middle[0], middle[1] + label_offset[1], label, ha="center", fontsize=10
        )


def line(axes, points) -> None:
    """A plain line through ``points`` (a wire that splits into several arrows)."""
    xs, ys = zip(*points, strict=True)
    axes.plot(xs, ys, color="black", lw=1.1)


def box(axes, x, y, label, kind) -> None:
    """A gate (coloured, rounded) or an element-wise operation (white circle)."""
    style = "round,pad=0.35" if kind != "operation" else "circle,pad=0.12"
    axes.text(
        x,
        y,
        label,
        ha="center",
        va="center",
        fontsize=11,
        zorder=3,
        bbox={
            "boxstyle": style,
            "facecolor": GATE_COLOURS[kind],
            "alpha": 0.3 if kind != "operation" else 1.0,
            "edgecolor": "black",
        },
    )


def input_bus(axes, gate_xs, gate_y) -> None:
    """x_t from below and h_{t-1} from the left join into one wire to every gate."""
    axes.text(0.05, 0.55, r"$h_{t-1}$", fontsize=11, va="center")
    axes.text(1.35, -0.45, r"$x_t$", fontsize=11, ha="center")
    line(axes, [(0.55, 0.55), (1.35, 0.55)])
    line(axes, [(1.35, -0.25), (1.35, 0.55)])
    line(axes, [(1.35, 0.55), (max(gate_xs), 0.55)])
    for x in gate_xs:
        arrow(axes, (x, 0.55), (x, gate_y - 0.35))
    axes.text(1.45, 0.25, r"$[x_t,\ h_{t-1}]$ enters every gate", fontsize=9, ha="left")


def finish(figure, axes, title, name) -> None:
    axes.set_xlim(0, 10)
    axes.set_ylim(-0.7, 4.9)
    axes.axis("off")
    axes.set_title(title, fontsize=11)
    figure.savefig(IMAGES / f"lstm_gru_{name}.svg", metadata={"Date": None})
    plt.close(figure)


def draw_lstm() -> None:
    figure, axes = plt.subplots(figsize=FIGURE_SIZE)
    gate_y, cell_y, write_y, out_y = 1.5, 4.2, 3.0, 2.2
    gates = {
        "f": (2.5, r"$f_t = \sigma$", "sigmoid"),
        "i": (3.8, r"$i_t = \sigma$", "sigmoid"),
        "g": (5.1, r"$g_t = \tanh$", "tanh"),
        "o": (6.5, r"$o_t = \sigma$", "sigmoid"),
    }
    input_bus(axes, [x for x, _, _ in gates.values()], gate_y)
    for x, label, kind in gates.values():
        box(axes, x, gate_y, label, kind)
    # the cell state along the top: one multiplication, one addition
    axes.text(0.05, cell_y, r"$c_{t-1}$", fontsize=11, va="center")
    arrow(axes, (0.55, cell_y), (2.3, cell_y))
    box(axes, 2.5, cell_y, r"$\times$", "operation")
    arrow(axes, (2.7, cell_y), (4.25, cell_y))
    box(axes, 4.45, cell_y, "+", "operation")
    arrow(axes, (4.65, cell_y), (9.3, cell_y))
    axes.text(9.35, cell_y, r"$c_t$", fontsize=11, va="center")
    arrow(axes, (2.5, gate_y + 0.35), (2.5, cell_y - 0.22), "forget", (0.45, 0.0))
    # the write: i_t * g_t added to the cell
    box(axes, 4.45, write_y, r"$\times$", "operation")
    arrow(axes, (3.8, gate_y + 0.35), (4.3, write_y - 0.17))
    arrow(axes, (5.1, gate_y + 0.35), (4.6, write_y - 0.17))
    arrow(axes, (4.45, write_y + 0.2), (4.45, cell_y - 0.2), "write", (0.45, 0.0))
    # the output: o_t * tanh(c_t)
    line(axes, [(7.6, cell_y), (7.6, 3.55)])
    box(axes, 7.6, 3.25, "tanh", "operation")
    arrow(axes, (7.6, 2.95), (7.6, out_y + 0.2))
    box(axes, 7.6, out_y, r"$\times$", "operation")
    arrow(axes, (6.5, gate_y + 0.35), (7.42, out_y - 0.12))
    arrow(axes, (7.8, out_y), (9.3, out_y), "show", (0.0, 0.12))
    axes.text(9.35, out_y, r"$h_t$", fontsize=11, va="center")
    finish(
        figure,
        axes,
        "LSTM cell (Keras stores the four blocks in the order i, f, c, o)",
        "lstm_cell",
    )


def draw_gru() -> None:
    figure, axes = plt.subplots(figsize=FIGURE_SIZE)
    gate_y, state_y, mix_y = 1.5, 4.2, 3.1
    gates = {
        "z": (2.8, r"$z_t = \sigma$", "sigmoid"),
        "r": (4.3, r"$r_t = \sigma$", "sigmoid"),
        "h": (6.6, r"$\tilde h_t = \tanh$", "tanh"),
    }
    input_bus(axes, [x for x, _, _ in gates.values()], gate_y)
    for x, label, kind in gates.values():
        box(axes, x, gate_y, label, kind)
    # the state along the top: keep the share z of it, add the rest from the candidate
    axes.text(0.05, state_y, r"$h_{t-1}$", fontsize=11, va="center")
    arrow(axes, (0.55, state_y), (2.6, state_y))
    box(axes, 2.8, state_y, r"$\times$", "operation")
    arrow(axes, (3.0, state_y), (6.4, state_y))
    box(axes, 6.6, state_y, "+", "operation")
    arrow(axes, (6.8, state_y), (9.3, state_y))
    axes.text(9.35, state_y, r"$h_t$", fontsize=11, va="center")
    arrow(axes, (2.8, gate_y + 0.35), (2.8, state_y - 0.22), "keep", (-0.4, 0.0))
    # 1 - z scales the candidate
    line(axes, [(2.8, 2.45), (4.9, 2.45)])
    box(axes, 5.3, 2.45, r"$1-$", "operation")
    arrow(axes, (5.62, 2.6), (6.42, mix_y - 0.1))
    box(axes, 6.6, mix_y, r"$\times$", "operation")
    arrow(axes, (6.6, gate_y + 0.35), (6.6, mix_y - 0.2))
    arrow(axes, (6.6, mix_y + 0.2), (6.6, state_y - 0.2), "replace", (0.55, 0.0))
    # the reset gate scales the recurrent part of the candidate
    arrow(axes, (4.75, gate_y), (5.7, gate_y))
    axes.text(
        5.2,
        1.7,
        r"$r_t \odot (h_{t-1} U_h + b'_h)$",
        fontsize=9,
        ha="center",
    )
    finish(
        figure,
        axes,
        "GRU cell, reset_after=True (Keras stores the blocks in the order z, r, h)",
        "gru_cell",
    )


def main() -> None:
    plt.rcParams["svg.hashsalt"] = "dlcourse"  # stable ids: same picture, same file
    IMAGES.mkdir(exist_ok=True)
    draw_lstm()
    draw_gru()


if __name__ == "__main__":
    main()
