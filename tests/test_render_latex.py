"""LaTeX printing (derive/render/latex.py): expressions in the author's form, rule text,
wide worked-example lines, verdict summaries, and the Verification notes, phrased from a
verdict's fields, never from its English."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.pipeline import get_derivation, get_example
from derive.proof import Derivation, Step, Verdict, text, written_product, written_sum
from derive.render.latex import (
    LINE_CHARS,
    checked_notes,
    how_checked,
    number_ranges,
    plain_parentheses,
    printed_width,
    quantity_rows,
    tex,
    text_latex,
    verdict_runs,
)

x, y = sp.symbols("x y", real=True)
_T = sp.Symbol("t")


# --- expressions ---------------------------------------------------------------------------

@pytest.mark.parametrize(("expr", "expected"), [
    (-sp.MatMul(sp.MatrixSymbol("W", 3, 3), sp.MatrixSymbol("x", 3, 1)), "- W x"),
    (sp.MatMul(-2, sp.MatrixSymbol("W", 3, 3), sp.MatrixSymbol("x", 3, 1)), "- 2 W x"),
    (sp.Transpose(sp.MatMul(sp.MatrixSymbol("W", 3, 3), sp.MatrixSymbol("x", 3, 1))),
     r"(W x)^{\top}"),
    (sp.MatrixSymbol("b", 3, 1) - sp.MatMul(sp.MatrixSymbol("W", 3, 3),
                                          sp.MatrixSymbol("x", 3, 1)), "- W x + b"),
])
def test_matrix_products_print_their_sign_without_being_evaluated(expr: sp.Basic,
                                                                  expected: str) -> None:
    # as SymPy prints it, but for the parentheses (plain where nothing inside is tall) and ⊤
    sympys = sp.latex(expr, order="none", mul_symbol=None).replace("^{T}", r"^{\top}")
    assert tex(expr) == expected == plain_parentheses(sympys)


def test_a_number_before_an_indicator_gets_a_dot() -> None:
    assert tex(3 * sp.Heaviside(_T, 0)) == r"3 \cdot \mathbf{1}[t > 0]"
    assert tex(_T * sp.Heaviside(_T, 0)) == r"t \mathbf{1}[t > 0]"


# --- text and worked-example lines ----------------------------------------------------------

def test_rule_text_keeps_authored_maths_and_escapes_the_rest() -> None:
    out = text_latex(text("differentiation is linear: $J_{f+g} = J_f + J_g$ & 50% − done"))
    assert "$J_{f+g} = J_f + J_g$" in out
    assert r"\&" in out and r"\%" in out and r"\ensuremath{-}" in out
    with pytest.raises(ValueError, match="unbalanced"):
        text_latex(text("one $ sign"))


def test_wide_cost_line_is_broken_between_terms() -> None:
    from derive.numeric.two_two_two import _cost
    from derive.proof import Quantity

    ex = get_example("c-q3-cross-entropy")
    values = ex.values()
    by_name = {q.symbol.name: q.symbol for q in ex.quantities}
    outputs = {o: by_name[f"out_o{o}"] for o in (1, 2)}
    targets = {o: by_name[f"y{o}"] for o in (1, 2)}
    cost = Quantity(sp.Symbol("C"), _cost("cross-entropy", outputs, targets),
                    values[by_name["C"]], "Cost")   # the cost in one line of four logs
    rows = quantity_rows(cost, values, ex.notation)
    assert len(rows) >= 4                       # formula, numbers over lines, value
    assert rows[-1][1].startswith(r"\mathbf{")
    assert any(relation != "=" for relation, _ in rows)   # a continued sum
    assert all(printed_width(row) <= LINE_CHARS for _, row in rows)


def test_narrow_line_stays_on_one_line() -> None:
    ex = get_example("c-q3-cross-entropy")
    q = next(q for q in ex.quantities if q.symbol.name == "out_h1")
    rows = quantity_rows(q, ex.values(), ex.notation)
    assert len(rows) == 1 and rows[0][1].count("=") == 2


# --- verdicts: the runs on the page, the notes of the Verification appendix -----------------

def test_verdict_runs_and_ranges() -> None:
    assert number_ranges([2, 3, 4, 7, 9, 10]) == "2–4, 7, 9–10"
    d = get_derivation("local-gradients")   # max/min derivatives: checked, not proved
    statuses = [s.verdict.status for s in d.checked_steps]
    first_checked = statuses.index("checked") + 1
    runs = verdict_runs(d)
    assert runs.startswith(f"steps 1–{first_checked - 1} proved; steps {first_checked}–")
    assert runs.endswith("checked")


@pytest.mark.parametrize(("verdict", "expected"), [
    (Verdict("checked", "ignored words", 34, tactic="points", digits=(30, 60)),
     "equal at 34 points (edges of the domains among them) at 30 and 60 digits"),
    (Verdict("checked", "", 12, tactic="entries", digits=(30,), entries=4),
     "every entry equal at random points (30 digits)"),
    (Verdict("checked", "", 9, tactic="entries", sizes=((("n_1", 2),), (("n_1", 3),)),
             large=(("n_1", 7),), large_points=4),
     "every entry checked at n₁ = 2, 3; equal at 4 random points for n₁ = 7"),
    (Verdict("checked", "", 9, tactic="sizes", sizes=((("K", 2),),), assignments=14,
             every=("i", "j")),
     "proved for K = 2, numerically for the other concrete sizes (14 size and index "
     "assignments, every value of i, j)"),
    (Verdict("checked", "", 9, tactic="sizes", assignments=3,
             default_domain=(("w", -2.0, 2.0),)),
     "compared numerically on concrete sizes (3 size and index assignments); sampled with "
     "w in (-2, 2) (no domain declared)"),
    (Verdict("checked", "the verifier's own words", 1, tactic="unknown-kind"),
     "the verifier's own words"),
])
def test_how_checked_phrases_the_fields(verdict: Verdict, expected: str) -> None:
    assert how_checked(verdict) == expected


def _derivation(*verdicts: Verdict, where: sp.Basic | None = None) -> Derivation:
    steps = [Step(x, y, text("a step"), verdict=v, where=where) for v in verdicts]
    return Derivation("d", "t", text("s"), steps)


def test_steps_checked_alike_share_one_note_with_the_span_of_points() -> None:
    points = [Verdict("checked", "a", n, tactic="points", digits=(30, 60)) for n in (40, 34)]
    notes = checked_notes(_derivation(*points, where=sp.Ne(x, y)))
    assert notes == [("The steps marked as checked", "equal at 34 to 40 points (edges of the "
                      "domains among them) at 30 and 60 digits; claimed where $x \\neq y$")]


def test_steps_checked_differently_are_named_by_number() -> None:
    proved = Verdict("proved", "p")
    by_points = Verdict("checked", "a", 5, tactic="points", digits=(30, 60))
    by_entries = Verdict("checked", "a", 5, tactic="entries", digits=(30,))
    notes = checked_notes(_derivation(proved, by_points, by_entries, by_points))
    assert [which for which, _ in notes] == [
        "Steps 2, 4 (counting the steps after the givens)",
        "Step 3 (counting the steps after the givens)"]


# --- mathematics as a person writes it (issue 18) ---

_z, _a, _y = sp.symbols("z a y", real=True)


@pytest.mark.parametrize(("expr", "expected"), [
    (sp.log(_a), r"\log a"),
    (sp.log(1 - _a), r"\log(1 - a)"),
    (sp.log(1 / (1 + sp.exp(-_z))), r"\log\left(\frac{1}{1 + e^{- z}} \right)"),
    (sp.log(_a) ** 2, r"\log^{2} a"),
    (written_product(sp.log(_a), 1 - _y), r"\log(a) (1 - y)"),   # a factor follows: brackets
    (_y * sp.log(_a) + (1 - _y) * sp.log(1 - _a), r"y \log a + (1 - y) \log(1 - a)"),
    (sp.Derivative(sp.log(_a), _a), r"\frac{\mathrm{d}}{\mathrm{d} a} \log a"),
    (sp.Derivative(_y * sp.log(_a), _a), r"\frac{\partial}{\partial a} y \log a"),
])
def test_functions_print_as_written_by_hand(expr: sp.Basic, expected: str) -> None:
    assert tex(expr) == expected


@pytest.mark.parametrize(("latex", "expected"), [
    (r"\sigma\left(z\right)", r"\sigma(z)"),
    (r"\left(\left(a\right) + b\right)", "((a) + b)"),
    (r"\left(\frac{1}{2} + \left(a\right)\right)", r"\left(\frac{1}{2} + (a)\right)"),
    (r"\left(\sum_{k=1}^{3} x_k\right)", r"\left(\sum_{k=1}^{3} x_k\right)"),
])
def test_stretched_parentheses_only_around_what_is_tall(latex: str, expected: str) -> None:
    assert plain_parentheses(latex) == expected


def test_a_sympy_ordered_sum_starts_with_a_positive_term() -> None:
    yhat, y, z_i, z_j = sp.symbols("yhat y z_i z_j", real=True)
    assert tex(yhat - y) == r"\hat{y} - y"
    assert tex(sp.exp(z_i - z_j)) == "e^{z_{i} - z_{j}}"
    assert tex(written_sum(-y, yhat)) == r"- y + \hat{y}"     # the author's order is kept


def test_an_entry_of_a_named_derivative_takes_its_index_on_the_variable() -> None:
    from derive.authoring import indexed

    j, q = sp.symbols("j q")
    dC_db = indexed("dC_db", r"\frac{\partial C}{\partial b^{l}}")
    dC_dw = indexed("dC_dw", r"\frac{\partial C}{\partial w^{l}}")
    assert tex(dC_db[j]) == r"\frac{\partial C}{\partial b^{l}_{j}}"
    assert tex(dC_dw[j, q]) == r"\frac{\partial C}{\partial w^{l}_{j,q}}"


def test_numbers_substituted_read_as_written() -> None:
    from derive.proof import Quantity
    from derive.render.latex import quantity_rows, substituted

    a, b = sp.symbols("a b")
    assert substituted(a / b, {a: -0.038, b: -0.217}) == r"\frac{-0.038}{-0.217}"
    # a negative number that opens the expression or a bracket goes without brackets, as a
    # person writes it (review: sigma((-5) + ...)); inside, or as a power's base, with them
    assert substituted(a * b, {a: -0.5, b: 2.0}) == r"-0.5 \cdot 2"
    assert substituted(sp.Mul(b, a, evaluate=False), {a: -0.5, b: 2.0}) == r"2 \cdot (-0.5)"
    assert substituted(sp.exp(a + b), {a: -5.0, b: 2.0}) == r"e^{-5 + 2}"
    assert substituted(a + b, {a: -5.0, b: -2.0}) == r"-5 + (-2)"
    assert substituted(a**2, {a: -5.0}) == r"(-5)^{2}"
    # a form that repeats the symbol, the form before it or the value is shown once
    assert quantity_rows(Quantity(sp.Symbol("c"), a, 0.3, "g"), {a: 0.3}) == [
        ("=", r"a = \mathbf{0.3}")]
    assert quantity_rows(Quantity(sp.Symbol("L"), sp.log(a), 0.3, "g"), {a: 1.35}) == [
        ("=", r"\log a = \log 1.35 = \mathbf{0.3}")]


def test_a_named_matrix_transposed_prints_top() -> None:
    a = sp.MatrixSymbol("a", 3, 1)
    assert tex(sp.Transpose(a)) == r"a^{\top}" and "\t" not in tex(sp.Transpose(a))


def test_implied_left_sides_are_boxed_so_the_arrows_share_one_column() -> None:
    from derive.render.latex import step_lines

    p, t = sp.symbols("p t", positive=True)
    steps = [Step(sp.log(p), t, text("model"), kind="given"),
             Step(p, sp.exp(t), text("exponentiate"), kind="implies", eliminate=t)]
    (given, _, _), (implied, _, _) = step_lines(Derivation("d", "t", text("s"), steps))
    assert given == r"\log p" and implied == r"\derivequiv{p}"   # checked both ways
    one_way = Step(p, sp.exp(t), text("exponentiate"), kind="implies", eliminate=t, one_way=True)
    (_, _, _), (follows, _, _) = step_lines(Derivation("d", "t", text("s"), [steps[0], one_way]))
    assert follows == r"\derivimplies{p}"


def test_markdown_writes_the_preambles_arrows_as_plain_latex() -> None:
    from derive.render.markdown import portable

    assert portable(r"\derivequiv{p} &= e^{t}") == r"\Longleftrightarrow\quad{p} &= e^{t}"
    assert portable(r"\derivimplies{p}") == r"\Longrightarrow\quad{p}"


@pytest.mark.parametrize(("latex", "expected"), [
    (r"\tanh{\left(s \right)}", r"\tanh(s)"),            # no thin space after the operator
    (r"\tanh^{2}{\left(s \right)}", r"\tanh^{2}(s)"),
    (r"f{\left(z \right)}", "f(z)"),
    (r"\frac{\left(a\right)}{b}", r"\frac{(a)}{b}"),        # a fraction's argument keeps its braces
    (r"\log{\left(a \right)} + \log{\left(b \right)}", r"\log(a) + \log(b)"),
])
def test_a_functions_argument_is_not_braced(latex: str, expected: str) -> None:
    assert plain_parentheses(latex) == expected


def test_a_document_may_show_only_a_derivations_labelled_results() -> None:
    from derive.render.latex import step_lines

    x = sp.Symbol("x", real=True)
    steps = [Step(sp.Derivative(x**2, x), 2 * x, text("power rule"), label="power"),
             Step(sp.Derivative(x**2, x), x + x, text("as a sum")),
             Step(sp.Derivative(x**3, x), 3 * x**2, text("again"), label="cube")]
    d = Derivation("d", "t", text("s"), steps)
    shown = step_lines(d, ["power", "cube"])
    assert [s.label for _, _, s in shown] == ["power", "cube"]
    assert all(left for left, _, _ in shown)          # each result with its own left side
    with pytest.raises(KeyError, match="no step labelled 'nope'"):
        step_lines(d, ["nope"])


def test_a_monomial_lists_its_variables_alphabetically() -> None:
    x, y = sp.symbols("x y")
    assert tex(2 * y * x**2) == "2 x^{2} y"                       # SymPy: 2 y x^{2}
    assert tex(-8 * x * y**2 + 2 * y * x**2) == "2 x^{2} y - 8 x y^{2}"
    assert tex(written_product(y, x)) == "y x"                     # the author's order is kept


def test_narrow_quantities_go_two_to_a_line_and_wide_ones_one() -> None:
    from derive.proof import Quantity
    from derive.render.latex import paired_quantities

    a, b = sp.symbols("a b")
    narrow = [Quantity(sp.Symbol(f"q{k}"), a * k, 0.5 * k, "g") for k in range(1, 6)]
    rows = paired_quantities(narrow, {a: 0.5}, None)
    assert rows is not None and [len(r) for r in rows] == [2, 2, 1]
    wide = [*narrow, Quantity(sp.Symbol("w"), written_sum(*[a * b ** k for k in range(1, 12)]),
                              1.0, "g")]
    assert paired_quantities(wide, {a: 0.5, b: 0.5}, None) is None
    assert paired_quantities(narrow[:3], {a: 0.5}, None) is None    # too few to be worth it


def test_a_log_of_a_sum_that_prints_bare_keeps_its_brackets() -> None:
    from derive.render.latex import _has_top_level_sum

    assert _has_top_level_sum(r"\mathbf{1} - \hat y") and not _has_top_level_sum(r"\sigma(- z)")


def test_a_negative_number_alone_in_a_functions_parentheses_has_no_second_pair() -> None:
    import sympy as sp

    from derive.functions import sigmoid
    from derive.render.latex import substituted

    z = sp.Symbol("z", real=True)
    assert substituted(sigmoid(z), {z: -0.6306}) == r"\sigma(-0.6306)"
    assert substituted(1 - sigmoid(z), {z: -0.5}) == r"1 - \sigma(-0.5)"


def test_a_written_product_of_fractions_and_a_negated_fraction_print_as_written() -> None:
    # sheet A, A8 (review): "split the fraction into two factors" showed one fraction, and
    # the chain rule's -1 · (-e^-z) / (1 + e^-z)^2 a stray (-1)
    from derive.proof import written_product, written_sum

    z = sp.Symbol("z", real=True)
    e = sp.exp(-z)
    den = written_sum(1, e)
    assert tex(written_product(1 / den, e / den)) == (
        r"\frac{1}{1 + e^{- z}} \frac{e^{- z}}{1 + e^{- z}}")
    assert tex(written_product(-1, sp.Pow(den, -2, evaluate=False), -e)) == (
        r"- \frac{- e^{- z}}{(1 + e^{- z})^{2}}")
    # a product SymPy itself formed is one fraction, as SymPy prints it
    assert tex((1 / den) * (e / den)).count(r"\frac") == 1


def test_half_a_square_prints_as_a_person_writes_it() -> None:
    # E = sum 1/2 (yhat - y)^2 (review: it printed (yhat - y)^2 / 2); other halves unchanged
    from derive.proof import written_sum

    a, b = sp.symbols("a b")
    assert tex(sp.Rational(1, 2) * sp.Pow(written_sum(a, -b), 2, evaluate=False)) == (
        r"\frac{1}{2} (a - b)^{2}")
    assert tex(a / 2) == r"\frac{a}{2}"


@pytest.mark.parametrize(("value", "shown"), [
    (0.999999694, "0.9999997"),      # σ(15): not 1.000000, which it is not
    (-0.99999999, "-0.99999999"),
    (1.0, "1"), (3.0, "3"), (0.09, "0.09"), (0.5932701, "0.593270"),
])
def test_a_number_is_not_printed_as_a_whole_number_it_is_not(value: float, shown: str) -> None:
    from derive.render.latex import number
    assert number(value) == shown


def test_a_matrix_is_as_wide_as_its_widest_row() -> None:
    from derive.render.latex import printed_width

    column = r"\begin{bmatrix}a + b \\ c + d \\ e\end{bmatrix}"
    assert printed_width(column) == printed_width("a + b") + 2
    nested = rf"\begin{{bmatrix}}{column} \\ x\end{{bmatrix}}"
    assert printed_width(nested) == printed_width(column) + 2


@pytest.mark.parametrize(("rule", "expected"), [
    ("derivative of output $r$ by input $c$", "derivative of output $r$ by input~$c$"),
    ("the hidden layer's derivative", "the hidden layer's~derivative"),
    ("collect $t$", "collect~$t$"),
    ("differentiate", "differentiate"),                       # one word: nothing to tie
    ("substitute $x = 2$ into the definition of the logistic function",
     "substitute $x = 2$ into the definition of the logistic~function"),
    ("so $\\sigma(z)(1 - \\sigma(z)) = \\sigma(z) \\sigma(-z)$",
     "so $\\sigma(z)(1 - \\sigma(z)) = \\sigma(z) \\sigma(-z)$"),        # too long to tie
])
def test_a_rules_last_word_is_never_alone_on_its_line(rule: str, expected: str) -> None:
    from derive.render.latex import tied_end

    assert tied_end(rule) == expected


def test_a_sum_over_two_indices_prints_as_two_sums_not_a_stack_of_ranges() -> None:
    i, j, c, m, k = sp.symbols("i j l m K", integer=True)
    y = sp.IndexedBase("y")
    # SymPy's first limit is the innermost sum
    assert tex(sp.Sum(y[i, c]**2, (c, 1, k), (i, 1, m))) == \
        r"\sum_{i=1}^{m} \sum_{l=1}^{K} y_{i,l}^{2}"
    assert tex(sp.Sum(y[i, j], (j, 1, i), (i, 1, m))) == r"\sum_{i=1}^{m} \sum_{j=1}^{i} y_{i,j}"


def test_half_a_sum_is_written_before_it() -> None:
    i, m = sp.symbols("i m", integer=True)
    y = sp.IndexedBase("y")
    assert tex(sp.Mul(sp.Rational(1, 2), sp.Sum(y[i]**2, (i, 1, m)), evaluate=False)) == \
        r"\frac{1}{2} \sum_{i=1}^{m} y_{i}^{2}"


def test_a_derivative_written_as_an_operator_is_bracketed_before_another_factor() -> None:
    z, s = sp.symbols("z s", real=True)
    shown = tex(sp.Mul(sp.Derivative(sp.exp(z), z), s, evaluate=False))
    assert shown.startswith(r"\left(\frac{\mathrm{d}}{\mathrm{d} z} e^{z}\right)")
    assert r"\left(\left(" not in tex(sp.Mul(-1, sp.Derivative(sp.exp(z) + s * z, z), s,
                                             evaluate=False))


def test_a_fraction_beside_a_sum_of_fractions_stays_a_product() -> None:
    # A8: 1/(1 + e^-z) (1 - 1/(1 + e^-z)), not the nested (1 - 1/(1 + e^-z))/(1 + e^-z)
    z = sp.Symbol("z", real=True)
    den = written_sum(1, sp.exp(-z))
    printed = tex(written_product(1 / den, written_sum(1, -1 / den)))
    assert printed == r"\frac{1}{1 + e^{- z}} \left(1 - \frac{1}{1 + e^{- z}}\right)"


def test_an_indexed_family_can_place_its_indices_in_its_notation() -> None:
    # the factors of the chain rule, dz_{i,h}/dw_{h,k}: each index where the notation puts it
    from derive.authoring import indexed

    dz = indexed("dz/dw", r"\frac{\partial z_{#1,#2}}{\partial w_{#2,#3}}")
    i, h, k = sp.symbols("i h k", integer=True)
    assert tex(dz[i, h, k]) == r"\frac{\partial z_{i,h}}{\partial w_{h,k}}"
