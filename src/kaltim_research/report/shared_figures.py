"""Charts that several notebooks of one scenario show, drawn once per scenario.

The fan chart is in notebooks 02 and 06 and the components chart in 03, 04 and 06, for every
province: ten drawings of four pictures. The runner has the first kernel of a scenario draw
each once after the engine (:func:`draw_shared`, into ``figures/`` of the report folder, where
they also serve readers as PNG files) and the notebooks show those files (:func:`show`); a
notebook run by hand, without the runner's results folder, draws the chart itself. The PNG is
rendered as the inline backend renders a figure (IPython's ``print_figure``: PNG at the
figure's dpi, tight bounding box, the figure's face colour), so the picture is the same
either way (issue 18).
"""
from __future__ import annotations

import io
from pathlib import Path

from kaltim_research.fileio import atomic_write_file
from kaltim_research.report.integrity import province_slug

FIGURES_DIR = "figures"
SHARED_CHARTS = ("fan_chart", "components_chart")


def build(chart: str, run, province: str):
    """The matplotlib Figure of ``chart`` for ``province`` from a scenario run (notebook
    :class:`~kaltim_research.report.notebook.Run`)."""
    from kaltim_research.report import charts
    from kaltim_research.report.notebook import history

    if chart == "fan_chart":
        return charts.fan_chart(run["results"], province, history(province)["exports_annual"],
                                nowcast=run["nowcast"])
    if chart == "components_chart":
        return charts.components_chart(run["results"], province)
    raise ValueError(f"unknown shared chart {chart!r}; expected one of {SHARED_CHARTS}")


def figure_path(results_dir: Path, chart: str, province: str) -> Path:
    return Path(results_dir) / FIGURES_DIR / f"{chart}_{province_slug(province)}.png"


def png_bytes(fig) -> bytes:
    """PNG as the notebook's inline backend renders ``fig`` (IPython.core.pylabtools)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", facecolor=fig.get_facecolor(),
                edgecolor=fig.get_edgecolor(), dpi=fig.dpi, bbox_inches="tight")
    return buf.getvalue()


def draw_shared(scenario_path: Path, results_dir: Path) -> list[Path]:
    """Draw every shared chart of a finished engine run into ``results_dir/figures``."""
    import matplotlib.pyplot as plt

    from kaltim_research.report.notebook import load_run

    run = load_run(scenario_path, results_dir)
    written = []
    for province in run.summary["bases"]:
        for chart in SHARED_CHARTS:
            fig = build(chart, run, province)
            data = png_bytes(fig)
            plt.close(fig)
            path = figure_path(results_dir, chart, province)
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_file(path, lambda tmp, data=data: tmp.write_bytes(data))
            written.append(path)
    return written


def show(run, chart: str, province: str):
    """Show ``chart`` for ``province`` in a notebook: the runner's PNG when the run has one,
    else the chart drawn now (returned, shown by the inline backend)."""
    path = figure_path(run.results_dir, chart, province)
    if path.is_file():
        from IPython.display import Image, display

        display(Image(data=path.read_bytes(), format="png"))
        return None
    return build(chart, run, province)
