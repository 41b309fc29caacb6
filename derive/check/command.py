"""``derive check FILE … [--format text|json|pdf]``: exit status 1 when anything is wrong,
0 otherwise, 2 for a file that cannot be read."""

from __future__ import annotations

import sys
from pathlib import Path

from derive.check.checker import check_file
from derive.check.findings import FileReport
from derive.check.report import as_json, as_text


def run_check(files: list[str], form: str, everything: bool = False,
              out: Path = Path("build/check")) -> int:
    """Check the files and print (for pdf: also write) what was found."""
    reports: list[FileReport] = []
    for name in files:
        reports.append(check_file(name))
        if form != "json" and len(files) > 1:
            print(f"derive: checked {name}", file=sys.stderr)
    if form == "json":
        print(as_json(reports))
    elif form == "pdf":
        from derive.check.marked_pdf import write_marked_pdfs

        for path in write_marked_pdfs(reports, out):
            print(f"derive: wrote {path}", file=sys.stderr)
        print(as_text(reports, everything))
    else:
        print(as_text(reports, everything))
    return 1 if any(f.verdict == "wrong" for r in reports for f in r.findings) else 0
