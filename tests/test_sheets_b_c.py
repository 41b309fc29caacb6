"""Sheets B and C: every new derivation verifies, canonical forms, mutations, oracles."""

from __future__ import annotations

import re

import numpy as np
import pytest
import sympy as sp

from derive.functions import Prime, sigmoid
from derive.library import backprop as bp
from derive.library import mlp_matrix as mm
from derive.matrices import at_sizes
from derive.numeric import mlp_instance
from derive.numeric.two_two_two import PUBLISHED
from derive.pipeline import get_derivation, get_example
from derive.render.latex import tex
from tests.mutation import mutated, status
from tests.pages import overfull_boxes

NEW = ["mlp-regression", "mlp-classification-se", "mlp-classification-bce",
       "backprop-equations", "backprop-any-activation", "backprop-linear", "backprop-one-neuron",
       "output-error-sigmoid-ce", "output-error-softmax-ll", "cross-entropy-minimum",
       "linear-composition", "linear-jacobians", "backprop-matrix-forms", "softmax-properties",
       "activation-derivative-bounds"]


@pytest.mark.parametrize("name", NEW)
def test_new_derivations_verify_and_oracles_agree(name: str) -> None:
    d = get_derivation(name)
    assert d.tally()["refuted"] == 0
    assert all(s.verdict is not None and s.verdict.status in ("proved", "checked", "given")
               for s in d.steps)
    assert all(o.verdict is not None and o.verdict.status in ("proved", "checked")
               for o in d.oracles)


def test_index_form_results_are_proved_in_general() -> None:
    for name in ("backprop-equations", "output-error-sigmoid-ce", "output-error-softmax-ll",
                 "cross-entropy-minimum", "softmax-properties"):
        d = get_derivation(name)
        assert d.tally()["checked"] == 0, name
        assert d.tally()["proved"] == len(d.checked_steps) > 0, name


def test_bce_collapse_canonical_form() -> None:
    """∂ℓ/∂ŷ · ∂ŷ/∂s2 written out at concrete sizes is (ŷ − y)ᵀ/K, entry by entry."""
    setting = mm.SETTINGS["mlp-classification-bce"]
    d = mm.mlp_gradients(setting)
    sizes = {mm.n: 2, mm.d: 2, mm.K: 3}
    product = sp.MatMul(setting.dl_dyhat, sp.Identity(mm.K))
    yh = mm.yhat        # the sheet's own matrices (a namesake of other notation is another)
    got = at_sizes(product, sizes)
    expected = at_sizes((yh - mm.y).T / mm.K
                        * sp.DiagMatrix(sp.HadamardProduct(yh, sp.OneMatrix(mm.K, 1) - yh))
                        ** -1, sizes)
    assert sp.simplify(got - sp.ImmutableMatrix(expected)) == sp.zeros(1, 3)
    assert d.steps[[s.lhs for s in d.steps].index(mm.dl_ds2) + 2].rhs == setting.collapsed


def test_bp_canonical_forms() -> None:
    d = get_derivation("backprop-equations")
    results = {str(s.lhs): s.rhs for s in d.steps}
    assert sp.simplify(results["deltaL[j]"].doit()
                       - bp.grad_a[bp.j] * sigmoid(bp.zL[bp.j]) * (1 - sigmoid(bp.zL[bp.j]))) == 0
    assert results["dC_db[j]"] == bp.delta[bp.j]
    assert sp.expand(results["dC_dw[j, k]"] - bp.a_prev[bp.k] * bp.delta[bp.j]) == 0


@pytest.mark.parametrize("index, rhs", [
    (12, bp.a_prev[bp.j] * bp.delta[bp.k]),                                   # indices swapped
    (2, 2 * bp.grad_a[bp.j] * Prime(sigmoid(bp.zL[bp.j]), bp.zL[bp.j])),        # factor 2
    (6, sp.Sum(bp.wn[bp.j, bp.q] * bp.delta_n[bp.q], (bp.q, 1, bp.M))
     * Prime(sigmoid(bp.z[bp.j]), bp.z[bp.j])),                                # w not transposed
    (9, -bp.delta[bp.j]),                                                     # sign flipped
])
def test_bp_mutations_are_refuted(index: int, rhs: sp.Expr) -> None:
    d = mutated(lambda: bp.backprop_equations("m", "m", "sigmoid", ()), index, lambda _: rhs)
    assert status(d, index) == "refuted"


@pytest.mark.parametrize("index, rhs", [
    (1, bp.grad_a[bp.j] * Prime(sigmoid(bp.zL[bp.j]), bp.zL[bp.j])),          # σ′ kept for unit j
    (4, sp.Sum(bp.delta_n[bp.q] * bp.wn[bp.q, bp.j] * Prime(sigmoid(bp.z[bp.j]), bp.z[bp.j]),
               (bp.q, 1, bp.M))),
])
def test_one_neuron_with_sigma_prime_kept_is_refuted(index: int, rhs: sp.Expr) -> None:
    d = mutated(bp.backprop_one_neuron, index, lambda _: rhs)
    assert status(d, index) == "refuted"


@pytest.mark.parametrize("name", ["backprop-equations", "backprop-one-neuron", "backprop-linear",
                                  "output-error-sigmoid-ce", "output-error-softmax-ll"])
def test_the_definition_of_an_error_is_a_given_not_a_proved_step(name: str) -> None:
    # δ = ∂C/∂z defines δ: marked given on the page, and its reason does not restate it
    d = get_derivation(name)
    opening = [s for s in d.steps if s.rhs.has(sp.Derivative) and str(s.lhs).startswith("delta")
               and s.lhs != (d.steps[d.steps.index(s) - 1].lhs if d.steps.index(s) else None)]
    assert opening and all(s.kind == "given" and s.verdict.status == "given" for s in opening)
    assert all("by definition" in "".join(p for p in s.rule if isinstance(p, str))
               for s in opening)
    assert all(s.kind != "given" for s in d.steps if s.label in ("BP1", "BP2"))


def test_matrix_mutations_are_refuted() -> None:
    setting = mm.SETTINGS["mlp-regression"]
    steps = mm.mlp_gradients(setting).steps
    w2 = [k for k, s in enumerate(steps) if s.lhs == mm.dl_dW2][-1]
    # a1 not transposed: a shape mismatch; and the error without its factor 2
    wrong_shape = sp.MatMul(sp.Transpose(mm.dl_ds2), mm.a1)
    no_two = sp.MatMul(sp.Transpose(sp.Transpose(mm.minus(mm.yhat, mm.y))), sp.Transpose(mm.a1))
    for rhs in (no_two, wrong_shape):
        d = mutated(lambda: mm.mlp_gradients(setting), w2, lambda _, r=rhs: r)
        assert status(d, w2) == "refuted", rhs


@pytest.mark.parametrize("name", list(mm.SETTINGS))
def test_instance_gradients_match_finite_differences_and_torch(name: str) -> None:
    ex = get_example(f"{name}-instance")
    assert ex.comparisons and all(c.abs_error < 1e-7 for c in ex.comparisons)
    torch = pytest.importorskip("torch", reason="`make test` installs torch==2.13.0 (CPU)")
    setting = mm.SETTINGS[name]
    inputs = mlp_instance.instance_inputs(setting)
    t = {k.name: torch.tensor(v, dtype=torch.float64, requires_grad=True)
         for k, v in inputs.items()}
    f = {"mlp-regression": lambda s: 3 * torch.relu(s)}.get(name, torch.tanh)
    g = (lambda s: s) if name == "mlp-regression" else torch.sigmoid
    yhat = g(t["W2"] @ f(t["W1"] @ t["x"] + t["b1"]) + t["b2"])
    if name == "mlp-classification-bce":
        loss = torch.nn.functional.binary_cross_entropy(yhat, t["y"])
    else:
        loss = ((yhat - t["y"]) ** 2).sum()
    loss.backward()
    values = ex.values()
    engine = mlp_instance.autodiff_gradients(setting, inputs)   # the sheet's autodiff column
    for param, grad in mlp_instance.GRADIENTS.items():
        auto = t[param.name].grad.numpy()
        ours = values[grad]
        np.testing.assert_allclose(ours, auto.T if param.name.startswith("b") else auto,
                                   rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(engine[param], auto, rtol=1e-12, atol=1e-14)


def test_instance_compares_with_both_finite_differences_and_autodiff() -> None:
    ex = get_example("mlp-regression-instance")
    assert ex.compared == ("derived formula", "finite differences", "autodiff")
    for c in ex.comparisons:
        fd, auto = c.abs_errors
        assert 1e-13 < fd < 1e-7 and auto < 1e-13     # FD truncates; autodiff is exact
    assert "finite differences and autodiff" in ex.against


def test_two_two_two_matches_the_published_example() -> None:
    ex = get_example("c-q3-squared-error")
    assert [c.right for c in ex.comparisons] == list(PUBLISHED.values())
    assert str(ex.comparisons[0].label[0]) == "out_h1"       # printed through the notation
    assert r"$\partial E/\partial w_5$" in [c.label[0] for c in ex.comparisons]
    for c in ex.comparisons:       # the published values are printed to 8-9 digits
        assert c.abs_error < 5e-9, c.label


def test_two_two_two_cross_entropy_gradients_match_sympy_diff() -> None:
    from derive.numeric.two_two_two import DEFAULTS, written_out
    from derive.numeric.worksheet import Worksheet

    ex = get_example("c-q3-cross-entropy")
    w = {e: Worksheet().symbol(f"w{e}") for e in range(1, 9)}
    raw, _ = written_out("cross-entropy", w)
    point = {w[e]: DEFAULTS[f"w{e}"] for e in w}
    for e in w:     # back-propagation against sympy.diff of the cost written out in the weights
        exact = float(sp.N(sp.diff(raw, w[e]).xreplace(point), 17))
        assert ex[f"dC_w{e}"].value == pytest.approx(exact, rel=1e-13, abs=1e-16)
    # the sheet's cross-check is an independent computation, finite differences of a NumPy
    # forward pass, not the same arithmetic again (review 19: a 1e-19 column said nothing)
    assert ex.compared == ("back-propagation", "finite differences")
    assert len(ex.comparisons) == 8
    assert all(1e-13 < c.abs_error < 1e-8 for c in ex.comparisons)
    # BP1 with cross-entropy: the output error is a − y, no σ′ factor
    assert ex["delta_o1"].value == pytest.approx(ex["out_o1"].value - ex["y1"].value)


def test_bp_numeric_check_and_overflow_example() -> None:
    check = get_example("bp-numeric-check")
    assert len(check.comparisons) == 10 and all(c.abs_error < 1e-8 for c in check.comparisons)
    overflow = get_example("softmax-overflow")
    assert np.all(np.isinf(overflow["e_z"].value)) and np.all(np.isnan(overflow["naive"].value))
    stable = overflow["stable"].value
    assert stable.sum() == pytest.approx(1.0) and np.all(np.isfinite(stable))


@pytest.mark.parametrize("sheet, headings, example, quantity", [
    ("B-two-layer-mlp", ["1.2 (a)", "1.2 (b)", "1.3 (a)", "1.3 (b)", "1.3 (c)", "1.4.1", "1.4.2",
                         "1.4.3", "1.4.4", "1.4.5", "1.4.6", "1.5"],
     "softmax-overflow", "ls"),
    ("C-backprop-cross-entropy", ["P1 Q1", "P1 Q2", "P2 Q1", "P2 Q2", "P2 Q3", "P2 Q4",
                                  "P3 Q1", "P3 Q2", "P3 Q3", "B1", "O1"],
     "c-q3-cross-entropy", "w5_new"),
])
def test_sheet_builds_with_every_problem_and_computed_values(
        tmp_path: object, sheet: str, headings: list[str], example: str, quantity: str) -> None:
    import subprocess

    from derive.build.driver import build_sheet

    pdf = build_sheet(sheet, tmp_path, force=True).pdf  # type: ignore[arg-type]
    words = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    for heading in headings:
        assert heading in words, heading
    assert overfull_boxes(pdf) == []
    source = pdf.with_suffix(".tex").read_text()
    assert not [c for c in source if ord(c) < 32 and c not in "\n"]   # a tab once hid in ^{\top}
    value = np.ravel(get_example(example)[quantity].value)[0]
    assert f"{value:.6g}"[:6] in words.replace("−", "-")


# One notation per sheet (issue 18): σ′ as ŷ ⊙ (𝟏 − ŷ), the bold vector of ones, the
# Conventions' w^{l}_{jk} without commas, W^{l} for the weight matrices, inputs printed once.

def _printed(name: str) -> list[str]:
    d = get_derivation(name)
    return [tex(e, d.notation) for s in d.steps for e in (s.lhs, s.rhs)]


@pytest.mark.parametrize("name", ["mlp-classification-se", "mlp-classification-bce"])
def test_sigmoid_jacobian_has_one_form(name: str) -> None:
    lines = " ".join(_printed(name))
    assert r"\operatorname{diag}(\hat y \odot (\mathbf{1} - \hat y))" in lines
    assert r"\sigma(s_2)) \sigma(s_2)" not in lines and r"\sigma(s_2) \odot" not in lines
    assert r"\operatorname{diag}(1 - \tanh" not in lines


def test_cross_entropy_loss_writes_the_vector_of_ones_bold() -> None:
    loss = mm.binary_cross_entropy(mm.yhat)
    assert r"(\mathbf{1} - y)^{\top} \log(\mathbf{1} - \hat y)" in tex(loss, mm.NOTATION)


@pytest.mark.parametrize("name", ["backprop-equations", "backprop-any-activation",
                                  "backprop-linear"])
def test_weights_print_as_in_the_conventions(name: str) -> None:
    lines = " ".join(_printed(name))
    assert re.search(r"w\^\{l(\+1)?\}_\{[^}]*,", lines) is None
    assert "w^{l+1}_{qj}" in lines and "w^{l}_{jk}" in lines


def test_numeric_check_names_matrices_capital_and_instances_share_inputs() -> None:
    ex = get_example("bp-numeric-check")
    assert {ex.notation[s] for s in ex.notation if str(s) in ("w1", "w2", "w3")} == {
        "W^{1}", "W^{2}", "W^{3}"}
    first, se, bce = (get_example(f"{n}-instance") for n in mm.SETTINGS)
    inputs = {q.symbol for q in first.quantities if q.formula is None}
    assert inputs == {mm.x, mm.y, mm.W1, mm.b1, mm.W2, mm.b2}
    assert {q.symbol for q in se.quantities if q.formula is None} == {mm.y}
    # the cross-entropy's own target holds a 0 and a 1: both of its log terms are exercised
    (target,) = [q for q in bce.quantities if q.formula is None]
    assert target.symbol == mm.y and set(np.ravel(target.value)) == {0.0, 1.0}


def test_numeric_check_writes_sigma_prime_as_sigma_times_one_minus_sigma() -> None:
    ex = get_example("bp-numeric-check")
    deltas = [tex(q.formula, ex.notation) for q in ex.quantities
              if str(q.symbol).startswith("delta") and q.formula is not None]
    # two column vectors are multiplied entry-wise, never juxtaposed: σ(z) ⊙ (1 − σ(z))
    for line, layer in zip(deltas[:3], (3, 2, 1), strict=True):
        assert rf"\odot \sigma(z^{{{layer}}}) \odot (1 - \sigma(z^{{{layer}}}))" in line, line
    assert deltas[1].startswith(r"((W^{3})^{\top} \delta^{3}) \odot")   # BP2's bracket kept
    assert not [line for line in deltas if r")) (1 -" in line or r"))(1 -" in line]


def test_bp_numeric_check_compares_every_error_with_finite_differences_by_z() -> None:
    # "check all four numerically": δˡ itself (BP1, BP2), not only the b and W gradients
    ex = get_example("bp-numeric-check")
    labels = [str(c.label[0]) for c in ex.comparisons]
    for layer, rule in ((3, "BP1"), (2, "BP2"), (1, "BP2")):
        label = rf"$\delta^{{{layer}}} = \partial C/\partial z^{{{layer}}}$ ({rule})"
        assert label in labels, label
        c = ex.comparisons[labels.index(label)]
        assert 1e-14 < c.abs_error < 1e-8      # a finite difference: close, not the same sum
        np.testing.assert_allclose(c.left, ex[f"delta{layer}"].value)


# --- sheet C as an instructor reads it (review 19, issue 18) --------------------------------

def _sheet_c_tex() -> str:
    from derive.build.driver import SHEET_DIR, render_tex

    return render_tex(SHEET_DIR / "C-backprop-cross-entropy.tex.j2")


def test_two_two_two_names_biases_by_layer_and_errors_by_cost() -> None:
    # b_h, b_o (not b_1, b_2: the sheet's b^l_j has the layer up and the unit down), and the
    # cost in a bracket, δ^(CE), δ^(SE) (a bare superscript is a layer)
    for name, mark in (("c-q3-cross-entropy", "CE"), ("c-q3-squared-error", "SE")):
        ex = get_example(name)
        shown = {str(s): ex.notation[s] for s in ex.notation}
        assert shown["b_h"] == "b_h" and shown["b_o"] == "b_o"
        assert shown["delta_o1"] == rf"\delta^{{(\mathrm{{{mark}}})}}_{{o_1}}"
        assert shown["delta_h2"] == rf"\delta^{{(\mathrm{{{mark}}})}}_{{h_2}}"
        assert not any(re.search(r"\\delta\^\{[CE]\}", v) for v in shown.values())


def test_gradient_tables_have_a_head_for_every_column_and_no_stacked_fraction_in_a_row() -> None:
    from derive.render.tables import table_head, table_rows

    for name in ("c-q3-cross-entropy", "c-q3-squared-error"):
        ex = get_example(name)
        for table in ex.tables:
            head = table_head(table)
            assert head.split(" & ")[0].strip(), head          # the first column is headed
            for symbol, formula, cells in table_rows(table, ex):
                assert r"\frac" not in symbol + formula + "".join(cells), symbol
        grads = next(t for t in ex.tables if "Gradients" in t.title)
        assert [str(r.symbol) for r in grads.rows] == [f"w{e}" for e in range(1, 9)]


def test_sheet_c_reads_as_a_hand_out() -> None:
    tex_source = _sheet_c_tex()
    body, appendix = tex_source.split(r"\section*{Verification}")
    # P1 Q1: the table marks the iterates it leaves out
    assert r"& $\cdots$ & $v_{15}$" in body
    # no "Given:" block and no program words before the appendix
    assert "Given:" not in body and "computed in the last group" not in body
    assert "b_1 = 0.35" not in body and "b_{1}" not in body
    # the appendix's tables are cross-checks, not a second solution
    assert r"\subsection*{Cross-checks of the worked examples}" in appendix
    assert r"\paragraph{Cross-check of Problem 3 Q3 (a), (b)" in appendix
    assert "closed form" not in appendix
    # rows are made taller only where a label holds a stacked fraction
    rows = [line for line in appendix.splitlines() if line.startswith(r"\rule[")]
    assert rows and all(("\\frac" in r) == r.startswith(r"\rule[-2.4ex]") for r in rows)


def test_figure_2_is_cut_at_the_hidden_activations() -> None:
    from derive.pipeline import get_figure

    fig = get_figure("c-q3-graph")
    top, *hidden = fig.graphs
    assert top.width == 1.0 and [p.width for p in hidden] == [0.48, 0.48]
    assert top.output.label == "E"
    # each hidden unit's output carries the gradient the output layer sends back to it
    ex = get_example("c-q3-squared-error")
    for h, panel in enumerate(hidden, 1):
        assert panel.output.label == f"a_{{h_{h}}}"
        assert panel.output.data == pytest.approx(ex[f"out_h{h}"].value)
        expected = sum(ex[f"delta_o{o}"].value * ex[f"w{e}"].value
                       for e, o in ((4 + h, 1), (6 + h, 2)))     # Σ_o δ_o w_(o,h)
        assert panel.output.grad == pytest.approx(expected)
