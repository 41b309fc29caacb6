"""The Jinja environment: delimiters, the parenthesis trap, the names a template asks for."""

from __future__ import annotations

import jinja2
import pytest

from derive.render.environment import make_environment


@pytest.mark.parametrize(("source", "expected"), [
    ("f( ((( x )))) = ((( x ))) ", "f( 5) = 5 "),
    ("f({}((( x ))))", "f({}5)"),
    ("((* if x > 1 *))big((* endif *))((= a comment =))", "big"),
])
def test_delimiters_leave_tex_braces_and_parentheses_alone(source: str, expected: str) -> None:
    assert make_environment().from_string(source).render(x=5) == expected


def test_a_parenthesis_before_the_variable_start_is_an_error_naming_the_line() -> None:
    with pytest.raises(jinja2.TemplateSyntaxError) as err:
        make_environment().from_string("a\nb\n\\left(((( x )))\\right)").render(x=5)
    assert err.value.lineno == 3 and "( ((( ... )))" in err.value.message
