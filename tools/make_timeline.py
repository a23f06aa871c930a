"""Draw the timeline of the course's architectures (images/timeline.svg).

The one source of the timeline: the introduction and the recurrent-network chapter
both show the SVG this script writes, so their dates and colours cannot disagree
(recurrent architectures in orange, feed-forward ones in blue). Run
``.venv/bin/python tools/make_timeline.py`` after changing a date; the SVG is
committed, so the book build needs no plotting.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# (year, label, recurrent?): the first publication of each architecture of the course.
EVENTS = [
    (1986, "Jordan network\n(output feedback)", True),
    (1989, "CNN trained by backprop\n(LeCun et al.)", False),
    (1990, "Elman network\n(hidden feedback)", True),
    (1997, "LSTM\n(Hochreiter & Schmidhuber)", True),
    (2000, "forget gate\n(Gers et al.)", True),
    (2006, "DBN\n(Hinton, Osindero & Teh)", False),
    (2011, "DSN / deep convex net\n(Deng & Yu)", False),
    (2014, "GRU\n(Cho et al.)", True),
]


# Where each label sits above (+) or below (-) the axis, chosen so that no two overlap.
HEIGHTS = [0.75, -0.75, 1.4, -0.75, 0.75, -0.75, 0.75, -0.75]


def main() -> None:
    # Stable ids: the file only changes when the picture does.
    plt.rcParams["svg.hashsalt"] = "dlcourse"
    figure, axis = plt.subplots(figsize=(10, 3.6))
    axis.axhline(0, color="0.3", linewidth=1.2, zorder=1)
    for index, (year, label, recurrent) in enumerate(EVENTS):
        colour = "tab:orange" if recurrent else "tab:blue"
        height = HEIGHTS[index]
        axis.plot(
            [year, year],
            [0, height - 0.4 * np.sign(height)],
            color=colour,
            linewidth=1,
            zorder=1,
        )
        axis.scatter([year], [0], s=60, color=colour, zorder=2)
        axis.text(
            year,
            height,
            f"{year}\n{label}",
            ha="center",
            va="center",
            fontsize=10.5,
            color="0.1",
        )
    axis.scatter([], [], color="tab:orange", label="recurrent (has feedback)")
    axis.scatter([], [], color="tab:blue", label="feed-forward (no feedback)")
    axis.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.14),
        ncol=2,
        frameon=False,
        fontsize=10.5,
    )
    axis.set_xlim(1983, 2017)
    axis.set_ylim(-1.2, 1.8)
    axis.set_yticks([])
    for side in ("left", "right", "top"):
        axis.spines[side].set_visible(False)
    axis.set_xticks(range(1985, 2020, 5))
    figure.tight_layout()
    figure.savefig(ROOT / "images" / "timeline.svg", metadata={"Date": None})
    if "--png" in sys.argv:  # a preview for people without an SVG viewer
        figure.savefig(sys.argv[-1], dpi=80)


if __name__ == "__main__":
    main()
