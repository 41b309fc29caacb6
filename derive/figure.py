"""The plain data of a figure: plots, computation graphs and a line's geometry.

Like :mod:`derive.proof`, these hold numbers and words only: the library computes them, the
renderers draw them (TikZ and pgfplots), and ``derive show NAME --format json`` prints them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from derive.numeric.vector_graph import Tensor

if TYPE_CHECKING:
    from derive.numeric.graph import Node


@dataclass
class Series:
    """One curve: points computed by the program, a legend entry in LaTeX."""

    legend: str
    xs: list[float]
    ys: list[float]
    dashed: bool = False
    marks: bool = False
    points: str = ""                   # a pgfplots mark ("*", "o"): the points alone, no line


@dataclass
class Plot:
    """One set of axes."""

    series: list[Series]
    xlabel: str = ""
    ylabel: str = ""
    title: str = ""
    ymin: float | None = None
    ymax: float | None = None
    log_y: bool = False
    log_x: bool = False                # base-2 ticks (batch sizes, widths)
    legend_pos: str = "north west"
    bars: bool = False                 # a categorical x (components): bars side by side


@dataclass
class GraphPanel:
    """A scalar computation graph, forward and backward done, with a title and its rule."""

    output: Node
    title: str = ""
    rule: str = ""                     # LaTeX: the local-gradient rule the panel shows
    width: float = 0.32                # the fraction of the line it takes: three to a row,
    # or a wide panel (1.0) on a row of its own (panels fill rows in order)


@dataclass
class Figure:
    """A named figure: one or more plots side by side, a graph, or a line's geometry."""

    name: str
    caption: str                       # LaTeX (the library writes captions as LaTeX text)
    plots: list[Plot] = field(default_factory=list)
    graphs: list[GraphPanel] = field(default_factory=list)  # scalar graphs, side by side
    tensor_graph: Tensor | None = None  # a vector graph whose nodes carry arrays
    geometry: Boundary | None = None
    show_numbers: bool = True          # graphs: draw values and gradients, or structure only
    landscape: bool = False            # a large graph gets a turned page of its own
    notes: list[str] = field(default_factory=list)   # LaTeX lines printed under the figure
    problems: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)  # extra numbers for the JSON view

    # Notebook display; the renderer is imported lazily so the data has no import edge to it.
    def _repr_html_(self) -> str:
        from derive.render.notebook import figure_html

        return figure_html(self)

    def _repr_svg_(self) -> str | None:
        from derive.render.notebook import figure_svg

        return figure_svg(self)

    def _repr_latex_(self) -> str:
        from derive.render.notebook import figure_latex

        return figure_latex(self)


@dataclass
class Boundary:
    """The line theta0 + theta1 x1 + theta2 x2 = 0 with its normal and distance from 0."""

    theta: tuple[float, float, float]
    foot: tuple[float, float]          # the point of the line closest to the origin
    unit_normal: tuple[float, float]
    distance: float
    extent: float                      # half-width of the square drawn around the origin
    normal_tex: str = ""               # the unit normal, exactly (LaTeX)
    distance_tex: str = ""             # the distance, exactly (LaTeX)
