"""The Jinja environment: delimiters, the parenthesis trap, the names a template asks for."""

from __future__ import annotations

from pathlib import Path

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


# --- hostile and broken templates: nothing runs, every error is one line with its place ---

ATTACKS = [
    "((( cycler.__init__.__globals__.os.system('touch {marker}') )))",
    "((( lipsum.__globals__['os'].popen('touch {marker}').read() )))",
    "((( self.__init__.__globals__.__builtins__['__import__']('os').system('touch {marker}') )))",
    "((( ''.__class__.__mro__[1].__subclasses__() )))",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_template_cannot_reach_python(tmp_path: Path, attack: str) -> None:
    from derive.build.driver import render_tex
    from derive.errors import TemplateError

    marker = tmp_path / "ran"
    template = tmp_path / "evil.tex.j2"
    template.write_text("line one\n" + attack.format(marker=marker) + "\n")
    with pytest.raises(TemplateError, match=r"evil\.tex\.j2:2: not allowed in a template"):
        render_tex(template)
    assert not marker.exists()


@pytest.mark.parametrize(("source", "message"), [
    ("a\n\n((( 1/0 )))\n", r"doc\.tex\.j2:3: ZeroDivisionError"),
    ("((( derivation(3) )))", r"doc\.tex\.j2:1: TypeError: a name is a string"),
    ('x\n((* include "part.tex.j2" *))\n', r"part\.tex\.j2:2: 'nothere' is undefined"),
])
def test_a_broken_template_is_one_line_naming_its_file_and_line(tmp_path: Path, source: str,
                                                               message: str) -> None:
    from derive.build.driver import render_tex
    from derive.errors import TemplateError

    (tmp_path / "doc.tex.j2").write_text(source)
    (tmp_path / "part.tex.j2").write_text("one\ntwo ((( nothere )))\n")
    with pytest.raises(TemplateError, match=message) as err:
        render_tex(tmp_path / "doc.tex.j2")
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(("setting", "value", "source", "message"), [
    ("RENDER_SECONDS", 1, "((* for i in range(100000) *))((* for j in range(100000) *))"
     "((* endfor *))((* endfor *))", "longer than 1 s"),
    ("RENDER_CHARACTERS", 10_000, "((* for i in range(100000) *))((( 'x' * 100 )))"
     "((* endfor *))", "grew beyond 10,000 characters"),
])
def test_rendering_has_a_time_and_a_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               setting: str, value: int, source: str,
                                               message: str) -> None:
    from derive.build.driver import render_tex
    from derive.errors import TemplateError
    from derive.render import environment

    monkeypatch.setattr(environment, setting, value)
    (tmp_path / "doc.tex.j2").write_text(source)
    with pytest.raises(TemplateError, match=message):
        render_tex(tmp_path / "doc.tex.j2")


def test_only_an_explicit_setting_lifts_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    from jinja2.sandbox import SandboxedEnvironment

    from derive.render.environment import TRUSTED_SETTING

    monkeypatch.delenv(TRUSTED_SETTING, raising=False)
    assert isinstance(make_environment(), SandboxedEnvironment)
    monkeypatch.setenv(TRUSTED_SETTING, "1")
    assert not isinstance(make_environment(), SandboxedEnvironment)
