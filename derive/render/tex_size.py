"""How wide a short piece of math prints in Latin Modern, estimated without running TeX.

Graphviz must know every node's and label's size before TeX draws them; these estimates err
on the wide side (tests/test_render_graphs.py compares them with TeX's own measure).
"""

from __future__ import annotations

import re

# widths in em of Latin Modern's math glyphs (digits are 0.5 em, the minus sign 0.778 em)
CHAR_EM = {**dict.fromkeys("0123456789", 0.5), ".": 0.278, ",": 0.278 + 0.17, "(": 0.389,
           ")": 0.389, "-": 0.778, "+": 0.778, "=": 0.778, "/": 0.5, "|": 0.278, "[": 0.278,
           "]": 0.278, "'": 0.275, "!": 0.278, ";": 0.45}
COMMAND_EM = {"times": 0.778, "cdot": 0.278, "sigma": 0.571, "ell": 0.417, "partial": 0.53,
              "exp": 1.45, "log": 1.3, "tanh": 1.95, "max": 1.8, "min": 1.6, "mathrm": 0.0,
              "top": 0.778, "hat": 0.0, "tilde": 0.0, "eta": 0.5, "theta": 0.47, "delta": 0.45,
              "alpha": 0.64, "frac": 0.0, "odot": 0.778, "quad": 1.0, ",": 0.167, ";": 0.278}
SPACED = {"=": 0.556, "+": 0.444, "-": 0.444, "times": 0.444, "cdot": 0.444}  # around a binop
# math italic letters (cmmi10); others count LETTER_EM
ITALIC_EM = dict(zip("abcdefghijklmnopqrstuvwxyz",
                     (0.529, 0.429, 0.433, 0.520, 0.466, 0.490, 0.477, 0.576, 0.345, 0.412,
                      0.521, 0.298, 0.878, 0.600, 0.485, 0.503, 0.446, 0.451, 0.469, 0.361,
                      0.572, 0.485, 0.716, 0.572, 0.490, 0.465), strict=True))
ITALIC_EM.update({"E": 0.738, "W": 0.944, "C": 0.715, "L": 0.681, "I": 0.440, "J": 0.555})
LETTER_EM = 0.75           # any other letter (capitals, mostly)
SLACK = 1.07               # the estimate's margin: it should not fall short of TeX's width
SCRIPT = 0.8               # a sub- or superscript's width relative to its base's (a script
                           # font is drawn wider than the base font scaled down)


def math_width(latex: str, size_pt: float) -> float:
    """Estimated width (bp) of ``latex`` set in math mode at ``size_pt``; every ``\\\\``
    starts a line and the widest line counts."""
    return max(_line_width(line, size_pt) for line in latex.split(r"\\"))


def tex_group(s: str, at: int) -> tuple[str, int]:
    """The argument starting at ``at`` (spaces before it skipped): a {braced group}'s inside,
    a \\command or one character; and the index after it."""
    while at < len(s) and s[at] == " ":
        at += 1
    if at >= len(s):
        return "", at
    if s[at] == "{":
        depth, end = 0, at
        while end < len(s):
            depth += {"{": 1, "}": -1}.get(s[end], 0)
            if depth == 0:
                break
            end += 1
        return s[at + 1:end], end + 1
    if s[at] == "\\":
        m = re.match(r"\\([A-Za-z]+|.)", s[at:])
        assert m is not None
        return m.group(0), at + m.end()
    return s[at], at + 1


def _em(text: str) -> float:
    """Width in em of math text at its own size (scripts at SCRIPT of it)."""
    em, k, previous_operand = 0.0, 0, False
    while k < len(text):
        ch = text[k]
        if ch in "_^":
            script, k = tex_group(text, k + 1)
            em += SCRIPT * _em(script)
            continue
        if ch in "{}" or ch == " " or ch == "$":
            k += 1
            continue
        if ch == "\\":
            token, k = tex_group(text, k)
            name = token[1:]
            if name in ("frac", "tfrac"):       # the wider of numerator and denominator
                top, k = tex_group(text, k)
                bottom, k = tex_group(text, k)
                em += SCRIPT * max(_em(top), _em(bottom)) + 0.24
                previous_operand = True
                continue
            em += COMMAND_EM.get(name, LETTER_EM)
            operator = name in SPACED
        else:
            em += CHAR_EM.get(ch, ITALIC_EM.get(ch, LETTER_EM if ch.isalpha() else 0.5))
            operator = ch in SPACED
            name = ch
            k += 1
        if operator and previous_operand:
            em += SPACED[name]
        previous_operand = not operator and name not in "(["
    return em


def _line_width(latex: str, size_pt: float) -> float:
    return _em(latex) * size_pt * 72 / 72.27 * SLACK
