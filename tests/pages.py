"""What a reader would see wrong on a compiled page, read from LaTeX's log."""

from __future__ import annotations

import re
from pathlib import Path

from derive.build.latexmk import latex_log

TOLERANCE_PT = 1.0   # what no reader sees


def overfull_boxes(pdf: Path) -> list[str]:
    """The lines that run past the margin by more than the tolerance, as LaTeX logged them
    when it compiled the PDF."""
    found = re.findall(r"^Overfull \\hbox \(([\d.]+)pt too wide\)(.*)$",
                       latex_log(pdf.with_suffix(".tex")).read_text(errors="replace"),
                       re.MULTILINE)
    return [f"{width} pt{where}" for width, where in found if float(width) > TOLERANCE_PT]
