"""``derive check`` over the development solutions: per file, the lines marked wrong, the
correct / wrong / undecided counts and the share decided (docs/check.md's measured numbers).

    PYTHONPATH=. python bench/check_corpus.py [FILE ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

from derive.check.checker import check_file

ROOT = Path(__file__).resolve().parents[1]
HANDWRITTEN = ROOT.parent / "shared" / "handwritten"
EXTRA = ROOT / "tests" / "data" / "handwritten_extra"
LIBRARY = ROOT / "tests" / "data" / "check-library"      # round 8: results against the library


def corpus() -> list[Path]:
    """The real hand-written solutions (when they are here) and the written ones."""
    files = sorted(HANDWRITTEN.glob("*.txt")) if HANDWRITTEN.exists() else []
    return files + [p for folder in (EXTRA, LIBRARY)
                    for p in sorted(folder.iterdir()) if p.name != "LABELS.md"]


def main(names: list[str]) -> None:
    for path in [Path(n) for n in names] or corpus():
        report = check_file(path)
        s = report.summary
        wrong = sorted(f.line for f in report.findings if f.verdict == "wrong")
        decided = (s["correct"] + s["wrong"]) / max(s["judged"], 1)
        print(f"{path.name:32s} {s['correct']:4d} ✓ {s['wrong']:3d} ✗ {s['undecided']:4d} ? "
              f"({decided:4.0%} decided)  wrong at {wrong}")


if __name__ == "__main__":
    main(sys.argv[1:])
