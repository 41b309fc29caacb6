"""LaTeX markup around a solution's maths that is not maths: ``\\boxed{…}`` around an answer,
equation numbers and labels (``\\nonumber``, ``\\tag{3}``, ``\\label{…}``), and
``\\intertext{…}``, words between two rows of an align."""

from __future__ import annotations

import re


def unboxed(body: str) -> str:
    """``\\boxed{a = b}`` as ``a = b`` (a boxed answer is a statement like any other)."""
    while (k := body.find("\\boxed{")) >= 0:
        depth, j = 0, k + len("\\boxed")
        while j < len(body):
            if body[j] == "{":
                depth += 1
            elif body[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if j >= len(body):
            break
        body = body[:k] + body[k + len("\\boxed{"):j] + body[j + 1:]
    return body


_TAGS = re.compile(r"\\(?:nonumber|notag)(?![a-zA-Z])|\\(?:tag\*?|label)\s*\{[^{}]*\}")
_INTERTEXT = re.compile(r"\\(?:short)?intertext\s*\{")


def untagged(body: str) -> str:
    """Equation numbers and labels (``\\nonumber``, ``\\tag{3}``, ``\\label{…}``) removed;
    ``\\intertext{…}`` (words between two rows of an align) made a row break, its words
    dropped but its lines kept, so the rows after it keep their line numbers."""
    body = _TAGS.sub(" ", body)
    while (match := _INTERTEXT.search(body)) is not None:
        depth, j = 1, match.end()
        while j < len(body) and depth:
            depth += {"{": 1, "}": -1}.get(body[j], 0)
            j += 1
        words = body[match.start():j]
        before = body[:match.start()].rstrip()
        cut = "" if before.endswith("\\\\") or not before.strip() else "\\\\"
        body = body[:match.start()] + cut + "\n" * words.count("\n") + " " + body[j:]
    return body
