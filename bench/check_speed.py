"""How long ``derive check`` takes on a 1,200-line solution (issue 19's target: under 10 s):
the hand-written sheet A solution of ../shared/handwritten (1,248 lines) when it is there,
and derive's own derivations and examples exported as Markdown, cut to 1,200 lines."""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HANDWRITTEN = Path(__file__).resolve().parents[2] / "shared" / "handwritten" / \
    "sheet-A-handwritten.txt"
LINES = 1200


def own_solution() -> str:
    """derive's own exports as one Markdown solution of at least LINES lines."""
    from derive.pipeline import get
    from derive.registry import DERIVATIONS, EXAMPLES, loaded_library
    from derive.render.markdown import to_markdown

    loaded_library()
    parts: list[str] = []
    for name in sorted(DERIVATIONS) + sorted(EXAMPLES):
        parts.append(to_markdown(get(name)))
        if sum(p.count("\n") for p in parts) >= LINES:
            break
    return "\n\n".join(parts)


def timed_check(path: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one ``derive check`` (CPU time is the fairer measure on
    a machine other jobs share)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "derive.cli", "check", str(path)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return time.perf_counter() - start, cpu


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        own = Path(tmp) / "own.md"
        own.write_text(own_solution())
        lines = own.read_text().count("\n")
        wall, cpu = timed_check(own)
        print(f"derive check, own exports    {wall:6.2f} s  ({cpu:.2f} s CPU; {lines} lines)")
    if HANDWRITTEN.exists():
        wall, cpu = timed_check(HANDWRITTEN)
        lines = HANDWRITTEN.read_text().count("\n")
        print(f"derive check, sheet A        {wall:6.2f} s  ({cpu:.2f} s CPU; {lines} lines; "
              "target < 10 s)")


if __name__ == "__main__":
    main()
