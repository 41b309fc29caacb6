"""The authoring API: building a derivation is its record (derive/authoring.py)."""

from __future__ import annotations

import pickle

import pytest
import sympy as sp

from derive.authoring import NamedSymbol, Proof, indexed, matrix, symbol
from derive.registry import BUILDERS, DERIVATIONS, derivation
from derive.render.latex import tex

x = symbol("x", real=True)


def test_a_symbol_carries_its_notation_and_it_is_part_of_its_identity() -> None:
    loss = symbol("J", r"J(\theta)", real=True)
    other = symbol("J", r"J(\Theta)", real=True)
    assert isinstance(loss, NamedSymbol) and loss != other and loss != sp.Symbol("J", real=True)
    assert loss.is_real and tex(2 * loss) == r"2 J(\theta)"
    assert pickle.loads(pickle.dumps(loss)) == loss
    assert symbol("y") == sp.Symbol("y")    # no notation: a plain SymPy symbol


def test_indexed_families_and_matrices_print_their_notation() -> None:
    z = indexed("z", "z^{L}", real=True)
    j = sp.Symbol("j", integer=True)
    w = matrix("W1", 2, 3, "W^{(1)}")
    assert tex(z[j]) == "z^{L}_{j}" and z[j].is_real
    assert tex(w) == "W^{(1)}" and w.shape == (2, 3)


def test_a_chain_gives_only_right_sides_and_labels_address_steps() -> None:
    proof = Proof(title="t")
    c = proof.chain(sp.Derivative(x**2, x)).eq(2 * x, "power rule", label="power")
    c.eq(x + x, "write it as a sum")
    assert [(s.lhs, s.rhs) for s in proof.steps] == [(sp.Derivative(x**2, x), 2 * x)] * 1 + [
        (sp.Derivative(x**2, x), x + x)]
    assert c.rhs == x + x and proof.step("power").rhs == 2 * x
    assert proof.derivation("d").step("power") is proof.steps[0]
    with pytest.raises(KeyError, match="no step labelled 'nope' .*power"):
        proof.step("nope")
    with pytest.raises(ValueError, match="two steps are labelled 'power'"):
        c.eq(2 * x, "again", label="power")


def test_a_given_defines_what_it_names_whatever_its_type() -> None:
    i, k = sp.symbols("i k", integer=True)
    s, z = sp.IndexedBase("s"), sp.IndexedBase("z")
    proof = Proof(title="t")
    proof.given(s[i], sp.exp(z[i]), "definition")
    proof.given(sp.Symbol("C"), x**2, "the cost")
    proof.given(s[1], x, "an entry with a number: defines that entry only")
    assert proof.definitions[s](k) == sp.exp(z[k])
    assert proof.definitions[sp.Symbol("C")] == x**2 and proof.definitions[s[1]] == x
    assert all(step.kind == "given" for step in proof.steps)


def test_equations_chain_as_implications_solved_for_one_symbol() -> None:
    t, p = sp.symbols("t p", positive=True)
    proof = Proof(title="t")
    proof.equation(sp.log(p), t, "model", eliminate=t).implies(p, sp.exp(t), "exponentiate")
    given, step = proof.steps
    assert given.kind == "given" and step.kind == "implies" and step.eliminate == t


def test_the_decorator_holds_the_settings_and_the_name_is_given_once() -> None:
    @derivation("test-authoring-square", title="The square's derivative", problems=("X1",),
                domains={x: (-2.0, 2.0)}, summary="Twice x.")
    def square(proof: Proof) -> None:
        proof.chain(sp.Derivative(x**2, x)).eq(2 * x, "power rule", label="power")

    try:
        built = BUILDERS["test-authoring-square"]()
        assert (built.name, built.title, built.problems) == (
            "test-authoring-square", "The square's derivative", ("X1",))
        assert built.domains == {x: (-2.0, 2.0)} and built.summary == ("Twice x.",)
        verified = square()
        assert verified.step("power").verdict is not None
        assert verified.step("power").verdict.status == "proved"
    finally:
        DERIVATIONS.pop("test-authoring-square", None)
        BUILDERS.pop("test-authoring-square", None)


def test_an_unknown_setting_or_a_missing_title_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="unknown setting domain "):
        derivation("test-authoring-typo", title="t", domain={})
    with pytest.raises(ValueError, match="has no title"):
        Proof().derivation("untitled")


def test_notation_does_not_reorder_what_sympy_sorts() -> None:
    named, plain = symbol("sigma", r"\sigma"), sp.Symbol("sigma")
    yhat, y = symbol("yhat", r"\hat{y}"), symbol("y", "y")
    assert str(named * (1 - named)) == str(plain * (1 - plain))
    assert str(yhat - y) == str(sp.Symbol("yhat") - sp.Symbol("y"))


def test_a_builder_shared_by_several_derivations_is_built_with_its_settings() -> None:
    from derive.authoring import build_derivation

    def power(proof: Proof, n: int) -> None:
        proof.chain(sp.Derivative(x**n, x)).eq(n * x ** (n - 1), "power rule")

    cube = build_derivation(lambda p: power(p, 3), "cube", title="Cube", domains={x: (0.0, 1.0)})
    assert cube.name == "cube" and cube.title == "Cube" and cube.steps[0].rhs == 3 * x**2
