"""What checking a solution finds: one Finding per judged link, and a file's report."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Finding:
    """One judged link."""

    line: int
    verdict: str      # correct | wrong | undecided
    kind: str         # step | arithmetic | implication
    lhs: str
    rhs: str
    reason: str
    relation: str = "="


@dataclass
class FileReport:
    """The findings of one file and how many links were not judged (definitions, equations)."""

    file: str
    findings: list[Finding] = field(default_factory=list)
    not_judged: int = 0

    @property
    def summary(self) -> dict[str, int]:
        counts = {"correct": 0, "wrong": 0, "undecided": 0}
        for f in self.findings:
            counts[f.verdict] += 1
        return {**counts, "judged": len(self.findings), "definitions_and_equations":
                self.not_judged}
