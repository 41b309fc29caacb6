"""The findings of ``derive check`` as a person or an autograder reads them: text lines
``FILE:LINE  ✓|✗|?  what was compared — reason`` with a summary per file, or JSON."""

from __future__ import annotations

import json
import re

from derive.check.findings import FileReport, Finding

MARKS = {"correct": "✓", "wrong": "✗", "undecided": "?"}
SHOWN_CHARS = 70


def _short(latex: str) -> str:
    text = re.sub(r"\s+", " ", latex).strip()
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS - 1] + "…"


def text_line(file: str, f: Finding) -> str:
    """One finding: where, the mark, what was compared, and why."""
    compared = f"{_short(f.lhs)} {f.relation} {_short(f.rhs)}" if f.rhs else _short(f.lhs)
    return f"{file}:{f.line}  {MARKS[f.verdict]}  {f.kind}: {compared}  — {f.reason}"


def summary_line(report: FileReport) -> str:
    s = report.summary
    decided = s["correct"] + s["wrong"]
    share = f"{100 * decided / s['judged']:.0f} %" if s["judged"] else "none"
    return (f"{report.file}: {s['correct']} correct, {s['wrong']} wrong, {s['undecided']} "
            f"undecided of {s['judged']} steps and evaluations ({share} decided); "
            f"{s['definitions_and_equations']} definitions and equations not judged")


def as_text(reports: list[FileReport], everything: bool = False) -> str:
    """The wrong and undecided findings (every finding with ``everything``), then summaries."""
    lines = [text_line(r.file, f) for r in reports for f in r.findings
             if everything or f.verdict != "correct"]
    return "\n".join(lines + [summary_line(r) for r in reports])


def as_json(reports: list[FileReport]) -> str:
    """The JSON an autograder reads."""
    return json.dumps({"files": [{
        "file": r.file,
        "findings": [{"line": f.line, "verdict": f.verdict, "kind": f.kind, "lhs": f.lhs,
                      "rhs": f.rhs, "relation": f.relation, "reason": f.reason}
                     for f in r.findings],
        "summary": r.summary} for r in reports]}, indent=2, ensure_ascii=False)
