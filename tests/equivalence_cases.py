"""The equivalence table: what the engine must say about typical learner answers to the chapter's
identities. Data only, shared by tests/test_equivalence_table.py and tests/bench/check_latency.py.

Every row is a promise to learners: "correct" means the answer IS equal to the expected answer for
all admissible values of the declared symbols, and the expected answers of the identities are
checked against finite differences of the function they differentiate (IDENTITIES).
"""
from __future__ import annotations

from dataclasses import dataclass

CORRECT, INCORRECT, INVALID = "correct", "incorrect", "invalid"


@dataclass(frozen=True)
class Case:
    expected: str
    answer: str
    symbols: str
    status: str  # correct | incorrect | invalid
    codes: tuple[str, ...]  # the diagnostic codes an incorrect answer gets, in order (() for none)
    why: str
    layout: str = "exact"
    mistakes: tuple[tuple[str, str], ...] = ()  # (answer, feedback) listed by the exercise

    @property
    def id(self) -> str:
        return f"{self.expected} :: {self.answer} [{self.symbols}]"


@dataclass(frozen=True)
class Identity:
    """`expected` is the derivative of `function` with respect to `wrt`, checked by finite differences.

    wrt: one symbol (gradient of a scalar: same shape as the symbol; Jacobian of a vector:
    rows = outputs) or several scalars "x, y" (stacked as a column). kind: "derivative",
    "hessian" (of a scalar function), or "differential" (the directional derivative along `along`).
    """

    function: str
    wrt: str
    expected: str
    symbols: str
    kind: str = "derivative"
    along: str | None = None


CASES: list[Case] = []
IDENTITIES: list[Identity] = []


def ok(answer: str, why: str, **extra):
    return (answer, CORRECT, (), why, extra)


def no(answer: str, codes: tuple[str, ...], why: str, **extra):
    return (answer, INCORRECT, codes, why, extra)


def bad(answer: str, why: str, **extra):
    return (answer, INVALID, (), why, extra)


def group(expected: str, symbols: str, *rows, of: str | None = None, wrt: str | None = None,
          kind: str = "derivative", along: str | None = None) -> None:
    """Rows sharing an expected answer; `of`/`wrt` name the function it is the derivative of."""
    if of is not None:
        IDENTITIES.append(Identity(of, wrt, expected, symbols, kind, along))
    for answer, status, codes, why, extra in rows:
        CASES.append(Case(expected, answer, symbols, status, codes, why, **extra))


# --- gradients of scalar functions of a vector (column layout: ∇f has the shape of x) ------------

group("a", "a: n, x: n",
      ok("a", "∇ aᵀx = a"),
      ok("(a^T)^T", "double transpose"),
      ok("a'^T", "mixed transpose spellings undo each other"),
      no("a^T", ("transpose", "shape"), "row instead of column: the layout slip"),
      no("aᵀ", ("transpose", "shape"), "unicode transpose, same slip"),
      no("-a", ("sign",), "sign slip"),
      no("x", (), "differentiated the wrong factor"),
      of="a^T x", wrt="x")
group("a", "a: n, x: n",
      ok("1a", "∇ xᵀa = a as well (a unit factor)"),
      no("2a", ("factor",), "doubled as if quadratic"),
      of="x^T a", wrt="x")

group("2x", "x: n",
      ok("2x", "∇ xᵀx = 2x, implicit product"),
      ok("2*x", "explicit product"),
      ok("x + x", "unsimplified"),
      ok("2 x", "product with a space"),
      ok("2⋅x", "unicode dot operator"),
      ok("x*2", "scalar on the right"),
      ok("4x/2", "unsimplified fraction"),
      no("x", ("factor",), "forgot the 2: off by 1/2"),
      no("2x^T", ("transpose", "shape"), "row vector: layout"),
      no("2||x||", ("shape",), "a scalar where a vector is due"),
      no("x^2", (), "element-wise square is not the gradient"),
      of="x^T x", wrt="x")
group("2x", "x: n",
      ok("2(x)", "∇‖x‖² = 2x (norm spelling of the same function)"),
      no("2‖x‖", ("shape",), "differentiated the norm like a scalar"),
      of="||x||^2", wrt="x")

group("(A + A^T) x", "A: n×n, x: n",
      ok("(A+A^T)x", "∇ xᵀAx for a general A"),
      ok("Ax + A^T x", "expanded"),
      ok("A x + Aᵀx", "unicode transpose, juxtaposed"),
      ok("(A + A')x", "prime as transpose"),
      ok("(A^T+A)*x", "summands swapped"),
      ok("(A.T + A) x", "numpy-style .T"),
      ok("A^Tx + Ax", "A^Tx: the T is the transpose, x the next factor"),
      ok("(x^T(A + A^T))^T", "transpose of the row form"),
      no("2Ax", ("symmetric",), "2Ax holds only for symmetric A (the chapter's near-miss)"),
      no("2A^T x", ("symmetric",), "the other half of the same assumption"),
      no("x^T(A+A^T)", ("transpose", "shape"), "row vector instead of column: the chapter's near-miss"),
      no("xᵀ(A + Aᵀ)", ("transpose", "shape"), "same, unicode"),
      no("-(A+A^T)x", ("sign",), "sign slip"),
      no("Ax", ("symmetric", "factor"), "half of the gradient, and only if A were symmetric: both are said"),
      no("A^T x", ("symmetric", "factor"), "the other half: symmetric assumption plus factor 1/2"),
      bad("2xA", "x (n×1) times A (n×n) is not defined: shapes are reported, not guessed"),
      ok("(A+A^T)x + 0", "adding zero is harmless"),
      of="x^T A x", wrt="x")
group("(A + A^T) x", "A: n×n, x: n",
      ok("xᵀ(A+Aᵀ)", "layout 'either' accepts the row form", layout="either"),
      ok("x^T (A^T + A)", "layout 'either' again", layout="either"),
      no("2Ax", ("symmetric",), "layout 'either' does not excuse a symmetry assumption", layout="either"))
group("2A x", "A: n×n symmetric, x: n",
      ok("2Ax", "symmetric A: 2Ax is right (the chapter's table)"),
      ok("2*A*x", "explicit products"),
      ok("(A+A^T)x", "general formula, equal for symmetric A"),
      ok("A x + A^T x", "expanded general formula"),
      ok("2(x^T A)^T", "transposed row form"),
      ok("2 A^T x", "Aᵀ = A"),
      no("2 x^T A", ("transpose", "shape"), "row form"),
      no("A x", ("factor",), "forgot the 2"),
      no("4Ax", ("factor",), "doubled twice"),
      no("2x", (), "dropped A"),
      of="x^T A x", wrt="x")

group("x/||x||", "x: n",
      ok("x/||x||", "∇‖x‖ = x/‖x‖"),
      ok("x/‖x‖₂", "unicode norm with subscript 2"),
      ok("x/||x||_2", "ASCII subscript"),
      ok("x/norm(x)", "norm()"),
      ok("x / sqrt(x^T x)", "norm written out"),
      ok("x (x^T x)^(-1/2)", "fractional power of the 1×1 product"),
      ok("x/\\|x\\|", "LaTeX norm bars"),
      ok("x/√(xᵀx)", "radical sign"),
      no("x/||x||^2", (), "differentiated ‖x‖² / 2 instead"),
      no("x^T/||x||", ("transpose", "shape"), "row vector"),
      no("||x||", ("shape",), "the function, not its gradient"),
      no("x/||x||_1", (), "wrong norm"),
      of="||x||", wrt="x")

group("2A^T(A x - b)", "A: m×n, x: n, b: m",
      ok("2A^T(Ax-b)", "∇‖Ax−b‖² (juxtaposed Ax)"),
      ok("2 A' (A x - b)", "prime transpose, spaces"),
      ok("2AᵀAx - 2Aᵀb", "expanded, unicode"),
      ok("2(A^T A x - A^T b)", "factored 2"),
      ok("-2A^T(b - Ax)", "two sign flips"),
      ok("(2(Ax-b)^T A)^T", "transpose of the row form"),
      no("2(Ax-b)^T A", ("transpose", "shape"), "row form of the gradient"),
      no("A^T(Ax-b)", ("factor",), "forgot the 2 of the square"),
      no("2A^T(b-Ax)", ("sign",), "residual the other way round"),
      no("2A^T A x", (), "dropped b"),
      bad("2A(Ax-b)", "A (m×n) times an m-vector: non-conformable, shapes named"),
      bad("2A^T(Ax-y)", "y is not declared: say which symbol"),
      of="||A x - b||^2", wrt="x")
group("2X^T(X w - y)", "X: m×n, w: n, y: m",
      ok("2X^T(Xw - y)", "linear regression gradient, as in the chapter"),
      ok("2XᵀXw − 2Xᵀy", "expanded, unicode minus"),
      bad("2(Xw - y)X^T", "an m-vector times an n×m matrix: non-conformable"),
      bad("2X(Xw - y)", "X (m×n) times an m-vector"),
      of="||X w - y||^2", wrt="w")
group("2X^T(X w - y) + 2λw", "X: m×n, w: n, y: m, λ: scalar positive",
      ok("2X^T(Xw - y) + 2λw", "ridge gradient"),
      ok("2(X^TX + λI)w - 2X^Ty", "collected with the identity (size of I from context)"),
      ok("2(X^T X + lambda I) w - 2 X^T y", "ASCII lambda"),
      ok("2 X'(X w - y) + 2 lambda*w", "prime and explicit product"),
      no("2X^T(Xw - y) + λw", (), "regularizer's 2 forgotten"),
      no("2X^T(Xw - y)", (), "regularizer forgotten"),
      bad("2(X^TX + λ)w - 2X^Ty", "a scalar added to a matrix: the missing I is reported"),
      of="||X w - y||^2 + λ ||w||^2", wrt="w")

group("softmax(x)", "x: n",
      ok("softmax(x)", "∇ log-sum-exp = softmax"),
      ok("exp(x)/sum(exp(x))", "softmax written out"),
      ok("exp(x - logsumexp(x))", "the stable form"),
      ok("e^x / sum(e^x)", "e to a vector power is exp element-wise, as learners write softmax"),
      no("exp(x)", (), "forgot the normalisation"),
      no("softmax(x)^T", ("transpose", "shape"), "row vector"),
      of="log(sum(exp(x)))", wrt="x")

# --- Jacobians -----------------------------------------------------------------------------------

group("A", "A: m×n, x: n",
      ok("A", "J of Ax is A"),
      no("A^T", ("transpose", "shape"), "denominator layout for a Jacobian"),
      of="A x", wrt="x")
group("diag(y)", "x: n, y: n",
      ok("diag(y)", "J of x ⊙ y w.r.t. x"),
      ok("diag(y)^T", "a diagonal matrix is symmetric"),
      no("y", ("shape",), "a vector where the Jacobian is a matrix"),
      no("y y^T", (), "outer product is not diag"),
      of="x .* y", wrt="x")
group("diag(softmax(x)) - softmax(x) softmax(x)^T", "x: n",
      ok("diag(softmax(x)) - softmax(x)*softmax(x)'", "softmax Jacobian diag(s) − ssᵀ, written in x"),
      ok("(diag(softmax(x)) - softmax(x) softmax(x)^T)^T", "the softmax Jacobian is symmetric"),
      no("softmax(x) softmax(x)^T - diag(softmax(x))", ("sign",), "sign slip"),
      of="softmax(x)", wrt="x")
group("diag(s) - s s^T", "s: n",
      ok("diag(s) - s s^T", "softmax Jacobian in terms of s = softmax(x)"),
      ok("diag(s) - ssᵀ", "as the chapter writes it: ssᵀ is s·sᵀ"),
      ok("diag(s) - s*s'", "prime"),
      ok("diag(s) - s.T.T s.T", "numpy-flavoured"),
      ok("diag(s) - (s s^T)^T", "the outer product is symmetric"),
      ok("-(s s^T - diag(s))", "negated difference"),
      no("s s^T - diag(s)", ("sign",), "sign slip"),
      no("diag(s)", (), "dropped the outer product"),
      no("diag(s) - s s^T - s s^T", (), "outer product twice"),
      bad("diag(s) - s^T s", "sᵀs is a scalar: cannot subtract it from a matrix"),
      bad("diag(s) - s s", "s·s: non-conformable product, shapes named"))
group("diag(sigma(z) .* (1 - sigma(z)))", "z: n",
      ok("diag(σ(z) ⊙ (1 − σ(z)))", "J of element-wise sigmoid, unicode"),
      ok("diag(σ(z)) (I - diag(σ(z)))", "product of diagonals"),
      ok("diag(sigmoid(z)) - diag(sigmoid(z))^2", "expanded; square of a diagonal matrix"),
      ok("diag(hadamard(sigma(z), 1 - sigma(z)))", "hadamard()"),
      no("σ(z)⊙(1−σ(z))", ("shape",), "the diagonal, not the matrix"),
      of="sigma(z)", wrt="z")
group("diag(σ1'(x))", "σ1: function, x: n",
      ok("diag(σ₁'(x))", "J of an element-wise generic function, subscript digit"),
      ok("diag(sigma_1'(x))", "ASCII Greek with underscore"),
      no("diag(σ1(x))", (), "the function, not its derivative"),
      no("σ1'(x)", ("shape",), "the diagonal only"),
      of="σ1(x)", wrt="x")
group("[cos θ, -r sin θ; sin θ, r cos θ]", "r: scalar positive, θ: scalar",
      ok("[cos(theta), -r*sin(theta); sin(theta), r*cos(theta)]", "polar Jacobian, ASCII"),
      ok("[[cos(θ), −r sin(θ)], [sin(θ), r cos(θ)]]", "nested-list literal, unicode minus"),
      ok("[cos θ, -r sin θ; sin θ, r cos θ]", "bare function arguments inside a literal"),
      no("[cos θ, sin θ; -r sin θ, r cos θ]", ("transpose",), "transposed Jacobian (gradients as columns)"),
      no("[cos θ, r sin θ; sin θ, r cos θ]", ("value",), "lost the minus"),
      no("[cos θ, -sin θ; sin θ, cos θ]", ("value",), "forgot the r"),
      of="(r cos θ, r sin θ)", wrt="r, θ")
group("r", "r: scalar positive, θ: scalar",
      ok("det([cos θ, -r sin θ; sin θ, r cos θ])", "det J = r, computed from the literal"),
      ok("r (cos(θ)^2 + sin(θ)^2)", "unsimplified"),
      ok("r cos^2 θ + r sin^2 θ", "function powers sin^2 θ"),
      no("1", ("value",), "forgot the r"),
      no("r^2", ("value",), "squared"))
group("A^T σ1'(A x)", "A: m×n, x: n, σ1: function",
      ok("A^T σ1'(Ax)", "chain rule Jₕᵀ∇g for g = sum of σ₁"),
      ok("(σ1'(A x)^T A)^T", "transpose of the row form"),
      no("σ1'(A x)^T A", ("transpose", "shape"), "row form"),
      no("A^T σ1(A x)", (), "forgot to differentiate"),
      bad("σ1'(Ax) A", "an m-vector times an m×n matrix: non-conformable"),
      of="sum(σ1(A x))", wrt="x")
group("J^T g", "J: m×n, g: m",
      ok("J^T g", "chain rule with a Jacobian and an outer gradient"),
      ok("Jᵀg", "unicode, juxtaposed"),
      ok("(g^T J)^T", "transpose of the vector-Jacobian product"),
      no("g^T J", ("transpose", "shape"), "the row form vᵀJ"),
      bad("J g", "non-conformable: the shapes say the transpose is missing"))

# --- backpropagation -----------------------------------------------------------------------------

group("δ_z x^T", "δ_z: m, x: n, W: m×n, b: m",
      ok("δ_z x^T", "∂L/∂W = δ_z xᵀ"),
      ok("delta_z x^T", "ASCII Greek"),
      ok("δz xᵀ", "no underscore, unicode transpose"),
      ok("delta_z*x'", "prime"),
      ok("δ_z * x.T", "numpy .T"),
      ok("(x δ_z^T)^T", "transposed outer product"),
      no("x δ_z^T", ("transpose", "shape"), "the transpose (n×m instead of m×n)"),
      no("-δ_z x^T", ("sign",), "sign slip"),
      bad("δ_z^T x", "an inner product of vectors of different lengths: non-conformable"),
      bad("x^T δ_z", "same, the other way round"),
      of="δ_z^T (W x + b)", wrt="W")
group("W^T δ_z", "δ_z: m, x: n, W: m×n, b: m",
      ok("W^T δ_z", "∂L/∂x = Wᵀδ_z"),
      ok("Wᵀδ_z", "unicode, juxtaposed"),
      ok("W' delta_z", "prime, ASCII Greek"),
      ok("(δ_z^T W)^T", "transposed row form"),
      no("δ_z^T W", ("transpose", "shape"), "row form"),
      bad("W δ_z", "W (m×n) times an m-vector: non-conformable"),
      of="δ_z^T (W x + b)", wrt="x")
group("δ_z", "δ_z: m, x: n, W: m×n, b: m",
      ok("δ_z", "∂L/∂b = δ_z"),
      ok("delta_z", "ASCII"),
      no("δ_z^T", ("transpose", "shape"), "row"),
      of="δ_z^T (W x + b)", wrt="b")
group("δ_a ⊙ σ1'(z)", "δ_a: n, z: n, σ1: function",
      ok("hadamard(delta_a, σ₁'(z))", "δ_z = δ_a ⊙ σ'(z) with hadamard()"),
      ok("σ1'(z) ⊙ δ_a", "the element-wise product commutes"),
      ok("delta_a .* sigma_1'(z)", "MATLAB .*"),
      ok("diag(σ1'(z)) δ_a", "as a Jacobian-vector product"),
      no("δ_a ⊙ σ1(z)", (), "forgot the derivative"),
      bad("δ_a σ1'(z)", "juxtaposed vectors are a matrix product, and that does not conform"),
      of="δ_a^T σ1(z)", wrt="z")
group("softmax(z) - y", "z: n, y: n",
      ok("exp(z)/sum(exp(z)) - y", "softmax + cross-entropy: ŷ − y (y one-hot)"),
      ok("-(y - softmax(z))", "negated"),
      no("y - softmax(z)", ("sign",), "label minus prediction"),
      no("softmax(z)", (), "forgot y"))

# --- activation derivatives (scalars) ------------------------------------------------------------

group("sigma(z)(1 - sigma(z))", "z: scalar",
      ok("σ(z)(1-σ(z))", "σ' = σ(1 − σ)"),
      ok("sigma(z)*(1-sigma(z))", "ASCII"),
      ok("sigmoid(z) - sigmoid(z)^2", "expanded"),
      ok("exp(-z)/(1+exp(-z))^2", "from the quotient rule"),
      ok("e^(-z)/(1+e^(-z))^2", "e as a constant"),
      ok("exp(z)/(1+exp(z))^2", "multiplied through by e^{2z}"),
      ok("σ(z) σ(-z)", "the symmetric form"),
      no("σ(z)^2", ("value",), "near-miss: squared"),
      no("σ(z)(1+σ(z))", ("value",), "plus instead of minus"),
      no("1/(1+exp(-z))", ("value",), "the function itself"),
      of="sigma(z)", wrt="z")
group("1 - tanh(z)^2", "z: scalar",
      ok("1 - tanh(z)^2", "tanh' = 1 − tanh²"),
      ok("1-tanh^2 z", "function power with a bare argument"),
      ok("1/cosh(z)^2", "sech² written as 1/cosh²"),
      ok("cosh(z)^-2", "negative power"),
      ok("4/(e^z + e^(-z))^2", "from the exponential definition"),
      no("1 + tanh(z)^2", ("value",), "sign slip inside"),
      no("tanh(z)^2 - 1", ("sign",), "negated"),
      no("2 - 2tanh(z)^2", ("factor",), "doubled"),
      of="tanh(z)", wrt="z")
group("step(z)", "z: scalar",
      ok("step(z)", "ReLU' away from 0"),
      ok("heaviside(z)", "another name"),
      ok("(sign(z) + 1)/2", "from the sign function"),
      ok("relu(z)/z", "ratio form (z ≠ 0 at every sample)"),
      no("relu(z)", ("value",), "the function itself"),
      no("1", ("value",), "forgot the negative side"),
      of="relu(z)", wrt="z")

# --- scalar calculus and spellings ---------------------------------------------------------------

group("sigma(x)", "x: scalar",
      ok("1/(1+e^-x)", "e^-x is e^(−x)"),
      ok("exp(x)/(1+exp(x))", "the other form"),
      ok("1/(1 + exp(-x))", "exp()"),
      no("1/(1+e^x)", ("value",), "sign of the exponent"),
      of="log(1 + exp(x))", wrt="x")
group("cos x", "x: scalar",
      ok("cos(x)", "d sin x = cos x; bare argument in the expected"),
      ok("sin(x + pi/2)", "phase shift"),
      no("-cos x", ("sign",), "sign"),
      no("-sin x", ("value",), "derivative of cos instead"),
      of="sin x", wrt="x")
group("2 ln(x) / x", "x: scalar positive",
      ok("2ln(x)/x", "d (ln x)² = 2 ln x / x"),
      ok("ln(x^2)/x", "log rule, x positive"),
      ok("2 log x / x", "bare argument"),
      no("2/x", ("value",), "forgot the inner log"),
      of="ln(x)^2", wrt="x")
group("ln(x^2)", "x: scalar",
      ok("2 ln|x|", "x of either sign: ln x² = 2 ln|x|"),
      ok("2 ln(abs(x))", "abs()"),
      no("2 ln(x)", ("undefined",), "undefined for negative x: right only where defined"),
      no("ln(x)", ("undefined",), "wrong and undefined for negative x"))
group("1", "x: scalar",
      ok("sin(x)^2 + cos(x)^2", "Pythagoras"),
      ok("sin^2 x + cos^2 x", "function powers, bare arguments"),
      ok("exp(ln(2)) - 1", "constants fold numerically"),
      no("sin(2x)", ("value",), "not constant"))
group("x^2", "x: scalar",
      ok("x**2", "Python power"),
      ok("x²", "unicode superscript"),
      ok("x*x", "product"),
      ok("x⋅x", "unicode dot"),
      no("2x", ("value",), "the derivative instead"))
group("(6x_1 + 2x_2, 2x_1 + 2x_2)", "x_1: scalar, x_2: scalar",
      ok("[6x1+2x2; 2x1+2x2]", "gradient of 3x₁² + 2x₁x₂ + x₂²; x1 means x_1"),
      ok("(6x₁+2x₂, 2x₁+2x₂)", "tuple with unicode subscripts"),
      ok("[[6x_1 + 2x_2], [2x_1 + 2x_2]]", "nested-list column"),
      ok("2(3x1 + x2, x1 + x2)", "a scalar times a tuple"),
      no("[6x1+2x2, 2x1+2x2]", ("transpose", "shape"), "a row instead of a column"),
      no("(6x1+2x2, 2x1+x2)", ("value",), "dropped a factor 2 in one component"),
      no("(2x1+2x2, 6x1+2x2)", ("value",), "components swapped"),
      of="3x_1^2 + 2x_1x_2 + x_2^2", wrt="x_1, x_2")
group("(2x + y, x + 2y)", "x: scalar, y: scalar",
      ok("(2*x + y, x + 2*y)", "gradient of x² + xy + y², tuple"),
      ok("[2x+y; x+2y]", "column literal"),
      no("(x + 2y, 2x + y)", ("value",), "components swapped"),
      of="x^2 + x y + y^2", wrt="x, y")

# --- Hessians ------------------------------------------------------------------------------------

group("A + A^T", "A: n×n, x: n",
      ok("A^T + A", "Hessian of xᵀAx"),
      ok("A + A'", "prime"),
      no("2A", ("symmetric",), "2A needs a symmetric A"),
      no("A", ("symmetric", "factor"), "half of it, and only for a symmetric A"),
      of="x^T A x", wrt="x", kind="hessian")
group("2A", "A: n×n symmetric, x: n",
      ok("2A", "symmetric A"),
      ok("A + A^T", "general formula"),
      no("A", ("factor",), "half"),
      of="x^T A x", wrt="x", kind="hessian")
group("2A^T A", "A: m×n, x: n, b: m",
      ok("2AᵀA", "Hessian of ‖Ax − b‖²"),
      ok("2 A'A", "prime, A'A juxtaposed"),
      ok("2A^TA", "A^TA: the T is the transpose"),
      ok("(2A^T A)^T", "symmetric"),
      no("2AA^T", ("shape",), "m×m instead of n×n"),
      no("A^T A", ("factor",), "forgot the 2"),
      of="||A x - b||^2", wrt="x", kind="hessian")
group("[6x, -3; -3, 6y]", "x: scalar, y: scalar",
      ok("[[6x,-3],[-3,6y]]", "Hessian of x³ − 3xy + y³, nested lists"),
      ok("[6*x, -3; -3, 6*y]", "explicit products"),
      ok("[6x, -3; -3, 6y]^T", "symmetric"),
      no("[6x, 3; 3, 6y]", ("value",), "sign of the mixed term"),
      no("[6x, -3; -3, 6x]", ("value",), "x for y"),
      of="x^3 - 3x y + y^3", wrt="x, y", kind="hessian")
group("[2, 0; 0, 2]", "x: scalar, y: scalar",
      ok("diag(2, 2)", "the chapter's notation diag(2,2)"),
      ok("2I", "I takes its size from the expected answer"),
      ok("[[2,0],[0,2]]", "nested lists"),
      no("[2, 0; 0, -2]", ("value",), "the saddle's Hessian"),
      bad("[2, 0; 0]", "ragged literal"),
      of="x^2 + y^2", wrt="x, y", kind="hessian")
group("diag(2, -2)", "x: scalar, y: scalar",
      ok("[2, 0; 0, -2]", "Hessian of x² − y² (saddle)"),
      ok("diag([2; -2])", "diag of a column literal"),
      ok("diag((2, -2))", "diag of a tuple"),
      no("diag(2, 2)", ("value",), "the bowl's Hessian"),
      of="x^2 - y^2", wrt="x, y", kind="hessian")
group("diag(softmax(x)) - softmax(x) softmax(x)^T", "x: n",
      ok("diag(exp(x)/sum(exp(x))) - softmax(x) softmax(x)'", "Hessian of log-sum-exp = softmax Jacobian"),
      of="logsumexp(x)", wrt="x", kind="hessian")
group("A", "A: n×n symmetric positive definite, x: n, b: n",
      ok("A^T", "Hessian of ½xᵀAx − bᵀx; A is symmetric"),
      ok("(A + A^T)/2", "symmetrised"),
      no("2A", ("factor",), "forgot the ½"),
      of="x^T A x / 2 - b^T x", wrt="x", kind="hessian")
group("A x - b", "A: n×n symmetric positive definite, x: n, b: n",
      ok("Ax - b", "gradient of ½xᵀAx − bᵀx"),
      ok("-(b - A x)", "negated residual"),
      no("b - Ax", ("sign",), "residual"),
      no("Ax", (), "dropped b"),
      of="x^T A x / 2 - b^T x", wrt="x")
group("A^{-1} b", "A: n×n symmetric positive definite, x: n, b: n",
      ok("x - A^{-1}(Ax - b)", "one Newton step lands on the minimiser of a quadratic"),
      ok("inv(A) b", "inv()"),
      ok("A⁻¹b", "unicode inverse, juxtaposed"),
      no("-A^{-1} b", ("sign",), "sign"),
      bad("b/A", "division by a matrix is not defined: only by a scalar"))

# --- derivatives with respect to a matrix ---------------------------------------------------------

group("A^T", "A: n×n, X: n×n",
      ok("A^T", "∂ tr(AX)/∂X = Aᵀ"),
      ok("Aᵀ", "unicode"),
      ok("A'", "prime"),
      ok("A.T", "numpy .T"),
      ok("transpose(A)", "transpose()"),
      ok("A^{T}", "LaTeX braces"),
      ok("A^⊤", "⊤ symbol"),
      no("A", ("transpose",), "numerator layout"),
      no("-A^T", ("sign",), "sign"),
      of="tr(A X)", wrt="X")
group("A^T", "A: m×n, X: n×m",
      ok("A'", "rectangular A: ∂ tr(AX)/∂X = Aᵀ (n×m)"),
      ok("(A)^T", "parenthesised"),
      no("A", ("transpose", "shape"), "the transpose, m×n instead of n×m"),
      of="tr(A X)", wrt="X")
group("(A + A^T) X", "A: n×n, X: n×m",
      ok("(A+A^T)X", "∂ tr(XᵀAX)/∂X"),
      ok("AX + A^T X", "expanded (juxtaposed AX)"),
      ok("A X + Aᵀ X", "unicode"),
      no("2AX", ("symmetric",), "needs A symmetric"),
      no("X^T(A + A^T)", ("transpose", "shape"), "transposed (m×n)"),
      of="tr(X^T A X)", wrt="X")
group("2A X", "A: n×n symmetric, X: n×m",
      ok("2AX", "symmetric A"),
      ok("(A + A^T) X", "general formula"),
      of="tr(X^T A X)", wrt="X")
group("A^T B^T", "A: n×n, X: n×n, B: n×n",
      ok("A^T B^T", "∂ tr(AXB)/∂X, the sandwich"),
      ok("(BA)^T", "transpose of a product"),
      ok("(B A)'", "prime"),
      ok("Aᵀ Bᵀ", "unicode"),
      no("B^T A^T", ("commute",), "order of factors (the chapter's near-miss)"),
      no("B A", ("transpose",), "(AᵀBᵀ)ᵀ = BA: the numerator-layout answer"),
      no("A^T B", ("symmetric",), "right only if B were symmetric"),
      of="tr(A X B)", wrt="X")
group("A^T B^T", "A: m×n, X: n×p, B: p×m",
      ok("(BA)^T", "rectangular sandwich"),
      ok("A' B'", "primes"),
      bad("B^T A^T", "with rectangular factors the wrong order does not even conform: shapes named"),
      no("B A", ("transpose", "shape"), "numerator layout: p×n instead of n×p"),
      of="tr(A X B)", wrt="X")
group("det(X) X^{-T}", "X: n×n invertible",
      ok("det(X) X^{-T}", "∂ det X/∂X (sympy leaves this unevaluated)"),
      ok("det(X)*inv(X)^T", "inv() and ^T"),
      ok("det(X) (X^{-1})^T", "inverse, then transpose"),
      ok("det X · X^-T", "bare det argument ended by ·; X^-T without braces"),
      ok("det(X) X⁻ᵀ", "unicode superscripts"),
      ok("det(X) (X^T)^{-1}", "transpose, then inverse"),
      ok("det(X^T) inv(X')", "det Xᵀ = det X"),
      no("det(X) X^{-1}", ("transpose",), "the chapter's near-miss: X⁻¹ instead of X⁻ᵀ"),
      no("X^{-T}", (), "dropped det X (a varying factor, not a constant one)"),
      no("-det(X) X^{-T}", ("sign",), "sign"),
      no("det(X)", ("shape",), "a scalar where an n×n matrix is due"),
      ok("det X X^{-T}", "a space ends a bare function argument: det(X)·X⁻ᵀ"),
      of="det(X)", wrt="X")
group("X^{-T}", "X: n×n invertible",
      ok("X^{-T}", "∂ ln det X/∂X (sympy 1.14 says 0)"),
      ok("X^-T", "no braces"),
      ok("inv(X)^T", "inv()"),
      ok("(X^T)^{-1}", "transpose, then inverse"),
      ok("inv(X')", "prime inside inv"),
      ok("(X⁻¹)ᵀ", "unicode"),
      ok("X⁻ᵀ", "unicode superscript -T"),
      ok("(X^{-1})'", "prime outside"),
      ok("det(X) X^{-T} / det(X)", "from the det rule by the chain rule, unsimplified"),
      no("X^{-1}", ("transpose",), "inverse without the transpose: right only for symmetric X"),
      no("0", ("shape",), "sympy's answer: a scalar zero"),
      no("0 X", (), "sympy's answer as a matrix"),
      no("1/det(X)", ("shape",), "d ln(u) = du/u, stopped half-way"),
      no("X^T", (), "transpose without the inverse"),
      bad("1/X", "division by a matrix"),
      of="ln(det(X))", wrt="X")
group("X^{-1}", "X: n×n symmetric positive definite",
      ok("X^{-1}", "SPD X: X⁻ᵀ = X⁻¹, so the symmetric form is right here"),
      ok("inv(X)", "inv()"),
      ok("X^{-T}", "general form"),
      no("-X^{-1}", ("sign",), "sign"),
      of="ln det X", wrt="X")
group("a b^T", "a: m, X: m×n, b: n",
      ok("a b^T", "∂ aᵀXb/∂X = abᵀ"),
      ok("abᵀ", "juxtaposed: abᵀ is a·bᵀ"),
      ok("a*b'", "prime"),
      ok("(b a^T)^T", "transposed outer product"),
      no("b a^T", ("transpose", "shape"), "numerator layout"),
      bad("a^T b", "vectors of different lengths: non-conformable"),
      of="a^T X b", wrt="X")
group("-X^{-T} a b^T X^{-T}", "a: n, X: n×n invertible, b: n",
      ok("-X^{-T} a b^T X^{-T}", "∂ aᵀX⁻¹b/∂X"),
      ok("-(X^{-1} b a^T X^{-1})^T", "transpose of the numerator-layout form"),
      ok("-inv(X)^T a b' inv(X)^T", "inv()"),
      ok("-(X^{-T} a)(X^{-1} b)^T", "as an outer product"),
      no("X^{-T} a b^T X^{-T}", ("sign",), "forgot the minus of d(X⁻¹)"),
      no("-X^{-1} b a^T X^{-1}", ("transpose",), "numerator layout"),
      no("-X^{-1} a b^T X^{-1}", ("symmetric",), "right only if X were symmetric"),
      of="a^T X^{-1} b", wrt="X")
group("2X", "X: m×n",
      ok("2X", "∂‖X‖_F²/∂X"),
      ok("X + X", "sum"),
      ok("2*X", "explicit"),
      no("X", ("factor",), "forgot the 2"),
      no("2X^T", ("transpose", "shape"), "transposed (n×m)"),
      no("2 ||X||_F", ("shape",), "a scalar"),
      of="||X||_F^2", wrt="X")
group("tr(X^T X)", "X: m×n",
      ok("‖X‖_F²", "‖X‖_F² = tr(XᵀX), unicode"),
      ok("||X||_F^2", "ASCII"),
      ok("norm(X)^2", "norm() of a matrix is Frobenius"),
      ok("sum(X ⊙ X)", "sum of squares"),
      ok("tr(X X^T)", "cyclic trace"),
      bad("tr(X)^2", "the trace of a non-square matrix: say why"),
      no("||X||_F", (), "no square"))
group("2X^T", "X: n×n",
      ok("X^T + X'", "∂ tr(X²)/∂X = 2Xᵀ"),
      ok("2 X'", "prime"),
      no("2X", ("transpose",), "numerator layout"),
      of="tr(X^2)", wrt="X")
group("-(X^{-2})^T", "X: n×n invertible",
      ok("-(X^T)^{-2}", "∂ tr(X⁻¹)/∂X = −X⁻²ᵀ"),
      ok("-X^{-T} X^{-T}", "product of inverses"),
      ok("-(X^{-1} X^{-1})^T", "transposed product"),
      no("-X^{-2}", ("transpose",), "numerator layout"),
      no("X^{-2}", ("transpose", "sign"), "sign and layout both wrong: both are said"),
      of="tr(X^{-1})", wrt="X")
group("-X^{-1} D X^{-1}", "X: n×n invertible, D: n×n",
      ok("-inv(X) D inv(X)", "d(X⁻¹) = −X⁻¹ dX X⁻¹ (D = dX)"),
      ok("-X⁻¹DX⁻¹", "unicode, juxtaposed"),
      no("X^{-1} D X^{-1}", ("sign",), "sign"),
      no("-X^{-2} D", ("commute",), "matrices do not commute"),
      no("-X^{-1} D^T X^{-1}", ("symmetric",), "right only if dX were symmetric"),
      no("-D X^{-2}", ("commute",), "the other wrong order"),
      of="X^{-1}", wrt="X", kind="differential", along="D")
group("x^T (A + A^T) d", "A: n×n, x: n, d: n",
      ok("d^T (A + A^T) x", "directional derivative ∇fᵀd of xᵀAx"),
      ok("((A + A^T)x)^T d", "gradient transposed times d"),
      no("2x^T A d", ("symmetric",), "symmetric-A shortcut with a general A"),
      of="x^T A x", wrt="x", kind="differential", along="d")

# --- optimisation: normal equations, ridge, PCA, regularisers --------------------------------------

group("(X^T X)^{-1} X^T y", "X: m×n, y: m",
      ok("inv(X'X) X'y", "normal equations, prime shorthand"),
      ok("(XᵀX)⁻¹Xᵀy", "unicode, fully juxtaposed"),
      ok("(X^TX)^{-1}X^Ty", "ASCII, fully juxtaposed"),
      ok("inv(X^T X) * X^T * y", "explicit products"),
      bad("(X^T X)^{-1} X y", "X (m×n) times an m-vector"),
      bad("X^{-1} y", "a non-square X has no inverse: say so"),
      bad("(X X^T)^{-1} X y", "non-conformable"))
group("(X^T X + λI)^{-1} X^T y", "X: m×n, y: m, λ: scalar positive",
      ok("(X^TX + lambda I)^-1 X^T y", "ridge solution, ASCII"),
      ok("inv(X'X + λ*I) X'y", "inv()"),
      ok("X^T (X X^T + λ I)^{-1} y", "push-through identity: the m×m form"),
      ok("(X^T X + λ I)^{-1} (X^T y)", "grouped"),
      no("(X^T X)^{-1} X^T y", ("undefined",), "dropped the regulariser (and XᵀX is singular when m < n)"),
      no("(X^T X + 2λ I)^{-1} X^T y", (), "doubled the regulariser"),
      bad("(X^T X + λ)^{-1} X^T y", "scalar plus matrix: the missing I is named"))
group("2Σw - 2λw", "Σ: n×n symmetric, w: n, λ: scalar",
      ok("2(Σ - λI)w", "PCA Lagrangian gradient, factored"),
      ok("2 Sigma w - 2 lambda w", "ASCII Greek"),
      ok("2(Sigma - lambda*I)*w", "explicit"),
      ok("2Σw − 2λw", "juxtaposed unicode"),
      no("Σw - λw", ("factor",), "forgot the 2s"),
      no("2Σw + 2λw", (), "sign of the constraint term"),
      of="w^T Σ w - λ(w^T w - 1)", wrt="w")
group("2λw", "λ: scalar positive, w: n",
      ok("2 lambda w", "gradient of λ‖w‖₂²"),
      ok("2λ*w", "unicode"),
      ok("λ(w + w)", "unsimplified"),
      no("λw", ("factor",), "forgot the 2"),
      of="λ ||w||_2^2", wrt="w")
group("λ sign(w)", "λ: scalar positive, w: n",
      ok("lambda*sgn(w)", "subgradient of λ‖w‖₁ (w ≠ 0)"),
      bad("λ w/abs(w)", "element-wise division is not in the language: dividing by a vector is refused"),
      no("λ w", (), "the L2 gradient instead"),
      of="λ ||w||_1", wrt="w")
group("-y sigma(-y w^T x) x", "w: n, x: n, y: scalar",
      ok("-y x (1 - sigma(y w^T x))", "logistic loss gradient, 1 − σ(t) = σ(−t)"),
      ok("-y x / (1 + exp(y w^T x))", "written with exp"),
      ok("-y*σ(-y*w'*x)*x", "explicit, primes"),
      no("y sigma(-y w^T x) x", ("sign",), "sign"),
      no("-y sigma(y w^T x) x", (), "σ(t) for σ(−t)"),
      of="log(1 + exp(-y w^T x))", wrt="w")

# --- literals, names and listed mistakes ---------------------------------------------------------

group("[1, 2; 3, 4]", "",
      ok("[[1,2],[3,4]]", "nested lists"),
      ok("[1,3;2,4]^T", "transposed literal"),
      ok("[1 + 0, 4/2; 3, 2^2]", "entries are expressions"),
      no("[1,3;2,4]", ("transpose",), "transposed entries"),
      no("[2, 4; 6, 8]", ("factor",), "twice the matrix"),
      bad("[1, 2; 3]", "ragged rows"),
      bad("[1, 2; 3, 4", "unclosed bracket"))
group("[1; 2]", "",
      ok("(1, 2)", "a tuple is a column"),
      ok("[1, 2]^T", "transposed row"),
      no("[1, 2]", ("transpose", "shape"), "row instead of column"))
group("λ x", "λ: scalar, x: n",
      ok("lambda x", "ASCII Greek"),
      ok("\\lambda x", "LaTeX Greek"),
      ok("lam x", "short ASCII form"),
      ok("x λ", "scalar on the right"),
      ok("λx", "juxtaposed unicode"),
      ok("lambdax", "split into λ·x (both declared)"),
      bad("μ x", "μ is not declared: say which symbol"))
group("x1 + x2", "x_1: scalar, x_2: scalar",
      ok("x_1 + x_2", "underscore"),
      ok("x₁ + x₂", "unicode subscripts"),
      ok("x_{1} + x_{2}", "LaTeX braces"),
      no("x1 - x2", ("value",), "sign"),
      bad("x_3 + x_1", "x_3 is not declared"))
group("δ_z x^T", "δ_z: m, x: n",
      no("x δ_z^T", ("mistake", "transpose", "shape"), "a listed mistake leads the diagnostics",
         mistakes=(("x δ_z^T", "Shape check: ∂L/∂W has the shape of W (m×n)."),)),
      no("2 δ_z x^T", ("factor",), "a listed mistake that does not match leaves the rest",
         mistakes=(("x δ_z^T", "Shape check: ∂L/∂W has the shape of W (m×n)."),)))
group("2A x", "A: n×n symmetric, x: n",
      no("A x", ("mistake", "factor"), "listed mistake: the missing 2",
         mistakes=(("A x", "Where did the 2 go? Both x's in xᵀAx depend on x."),)))
