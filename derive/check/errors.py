"""What the checker refuses: maths it does not understand is undecided, never wrong."""

from __future__ import annotations

from derive.errors import DeriveError


class NotUnderstood(DeriveError):
    """The text is outside the restricted grammar of this field's notation; the message says
    what was not understood (it becomes the reason of an undecided finding)."""


class CheckInputError(DeriveError):
    """A file to check cannot be read, or its front matter is malformed (exit status 2)."""

    exit_code = 2
