"""What a reader would see wrong on a compiled page, read from LaTeX's log."""

from __future__ import annotations

import re
from pathlib import Path

TOLERANCE_PT = 1.0   # what no reader sees


def overfull_boxes(pdf: Path) -> list[str]:
    """The lines that run past the margin by more than the tolerance, as LaTeX logged them
    (the log of a build is kept in the work folder beside the PDF)."""
    log = pdf.parent / ".work" / pdf.stem / f"{pdf.stem}.log"
    found = re.findall(r"^Overfull \\hbox \(([\d.]+)pt too wide\)(.*)$",
                       log.read_text(errors="replace"), re.MULTILINE)
    return [f"{width} pt{where}" for width, where in found if float(width) > TOLERANCE_PT]
