"""The one error hierarchy of derive: every error a user can cause is a DeriveError."""

from __future__ import annotations


class DeriveError(Exception):
    """Base of every error derive reports to a user as a one-line message."""

    exit_code = 1


class UnknownNameError(DeriveError):
    """A derivation, example or sheet name that is not in the library."""

    exit_code = 2

    def __init__(self, kind: str, name: str, known: list[str]) -> None:
        import difflib

        close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(known)}"
        super().__init__(f"unknown {kind} '{name}'{hint}")
        self.name = name
        self.close = close


class DuplicateNameError(DeriveError):
    """Two builders registered under one name (a user's derivation named like one of ours)."""

    exit_code = 2


class NameMismatchError(DeriveError):
    """A derivation registered under one name whose Derivation carries another."""

    exit_code = 2


class RefutedStepError(DeriveError):
    """A derivation step the verifier refuted or could not decide: the page would claim
    what was not verified."""

    exit_code = 2


class DisagreementError(DeriveError):
    """A worked example's two computations of one value (back-propagation and finite
    differences, say) disagree: its numbers would vouch for a wrong formula."""

    exit_code = 2


class DomainError(DeriveError):
    """A symbol whose declared domain contradicts its SymPy assumptions (x positive, sampled
    from (-3, 3)), or a domain that is empty."""

    exit_code = 2


class TemplateError(DeriveError):
    """A Jinja template that does not parse or render; the message names file and line."""


class LatexError(DeriveError):
    """A LaTeX run that failed; the message names the error and the offending line."""
