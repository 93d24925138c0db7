"""Circuit strings: element kinds, series terms, R||CPE pairs, parameter names and evaluation.

impedance.py (Murbach et al., JOSS 5 (2020) 2349) defines the circuit-string language
(``R0-p(R1,CPE1)-CPE2``: ``-`` in series, ``p(a, b)`` in parallel) and the element
impedances; its ``models/circuits/fitting.py`` parses and evaluates a string and
``elements.py`` holds the elements. This module is the same concern for interphase:

- structure: :func:`kind_of`, :func:`split_series`, :func:`terms_of` (the circuit as series
  terms, for the separable grid), :func:`pairs_of` (the parallel R-CPE / R-C pairs),
  :func:`reduced_circuits` (the circuit without its highest-frequency pairs);
- parameters: :func:`parameter_names` (impedance.py's names and units, in order),
  :func:`is_log_parameter`, :func:`time_constant`, :func:`order_pairs`;
- evaluation: :func:`compile_circuit`, the string parsed once into numpy operations with the
  analytic Jacobian (impedance.py rebuilds and evals source code at every call);
- :func:`circuit_problem`: why a string is not a usable circuit ('' when it is).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

import numpy as np

from interphase.eis import elements

_ELEMENT_RE = r"[A-Za-z]+\w*"
_SIMPLE_PAIR_RE = re.compile(rf"p\(({_ELEMENT_RE}),({_ELEMENT_RE})\)$")
_PAIR_RE = re.compile(r"p\((R\w*),((?:CPE|C)\w*)\)|p\(((?:CPE|C)\w*),(R\w*)\)")
_TOKEN_RE = re.compile(r"p\(|[A-Za-z]+[A-Za-z0-9_]*|[(),-]|[0-9_]+")


@dataclass(frozen=True)
class Term:
    """One series term of a separable circuit: its kind and element names."""

    kind: str  # "R", "pair", "CPE", "C", "L", "W"
    r: str = ""  # the resistor of a pair, or the element of a single term
    c: str = ""  # the capacitive element (CPE or C) of a pair


@dataclass(frozen=True)
class Pair:
    """A parallel resistor-capacitive element pair 'p(R, CPE)' of the circuit."""

    r: str
    c: str


def kind_of(element: str) -> str:
    """The element type of a circuit element name ('CPE1' -> 'CPE')."""
    return re.match(r"[A-Za-z]+", element).group(0)


def split_series(circuit: str) -> list[str]:
    """The top-level series terms of a circuit string ('R0-p(R1,C1)' -> ['R0', 'p(R1,C1)'])."""
    terms, depth, current = [], 0, ""
    for char in circuit.replace(" ", ""):
        depth += (char == "(") - (char == ")")
        if char == "-" and depth == 0:
            terms.append(current)
            current = ""
        else:
            current += char
    return terms + [current]


def terms_of(circuit: str) -> list[Term] | None:
    """The circuit as separable series terms, or None when it is not of that form."""
    terms = []
    for text in split_series(circuit):
        pair = _SIMPLE_PAIR_RE.match(text)
        if pair:
            a, b = pair.groups()
            r, c = (a, b) if kind_of(a) == "R" else (b, a)
            if kind_of(r) != "R" or kind_of(c) not in ("CPE", "C"):
                return None
            terms.append(Term("pair", r, c))
        elif re.fullmatch(_ELEMENT_RE, text) and kind_of(text) in ("R", "CPE", "C", "L", "W"):
            terms.append(Term(kind_of(text), text))
        else:
            return None
    return terms


def pairs_of(circuit: str) -> list[Pair]:
    """The parallel R-CPE / R-C pairs in circuit order."""
    out = []
    for m in _PAIR_RE.finditer(circuit.replace(" ", "")):
        r, c = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        out.append(Pair(r, c))
    return out


def reduced_circuits(circuit: str) -> list[tuple[str, list[str]]]:
    """The circuit without its first k pairs (k = 1 .. pairs - 1), with the elements dropped.

    Pairs are listed from high to low frequency (fit results are put in that order), so the
    ones dropped are the high-frequency arcs, the ones that leave the window at its top or
    hide under the next arc. Only for circuits that are a series of simple terms.
    """
    terms = terms_of(circuit)
    if terms is None:
        return []
    texts = split_series(circuit)
    pair_texts = [text for text, term in zip(texts, terms) if term.kind == "pair"]
    pair_terms = [term for term in terms if term.kind == "pair"]
    out = []
    for k in range(1, len(pair_texts)):
        dropped = set(pair_texts[:k])
        kept = "-".join(t for t in texts if t not in dropped)
        out.append((kept, [e for term in pair_terms[:k] for e in (term.r, term.c)]))
    return out


def parameter_names(circuit: str) -> tuple[list[str], list[str]]:
    """Parameter names and units of a circuit, in order, as impedance.py names them.

    An element with one parameter is named as in the string ('R0'); one with several gets
    '_0', '_1'... ('CPE1_0', 'CPE1_1'); units are impedance.py's strings
    (``CustomCircuit.get_param_names``).
    """
    names, units = [], []
    for element in compile_circuit(circuit).elements:
        kind = elements.KINDS[element_kind(element)]
        if kind.n_params == 1:
            names.append(element)
        else:
            names += [f"{element}_{j}" for j in range(kind.n_params)]
        units += list(kind.units)
    return names, units


def element_kind(name: str) -> str:
    """impedance.py's element type of a name: the name without digits and underscores."""
    return "".join(char for char in name if char not in "0123456789_")


def circuit_problem(circuit: str, rct_element: str) -> str:
    """Why the circuit cannot be used with this Rct element ('' when it can).

    The circuit-string language is impedance.py's (``CustomCircuit``): elements of its table
    (:data:`interphase.eis.elements.KINDS`) joined by '-' in series and 'p(a, b, ...)' in
    parallel; ``tests/eis/test_circuit.py`` checks that this accepts and refuses what
    impedance.py does.
    """
    try:
        compiled = compile_circuit(circuit)
    except ValueError as exc:
        return f"circuit {circuit!r} is not an impedance.py circuit string: {exc}"
    if rct_element not in compiled.elements or kind_of(rct_element) != "R":
        return (
            f"rct_element {rct_element!r} is not a resistor of circuit {circuit!r} "
            f"(elements {', '.join(compiled.elements)})"
        )
    return ""


def is_log_parameter(name: str) -> bool:
    """True for scale parameters (R, Q, C, L...) fitted as logarithms; False for exponents."""
    element, _, index = name.partition("_")
    return not (kind_of(element) in ("CPE", "La") and index == "1")


def time_constant(r: float, q: float, n: float) -> float:
    """τ = (R Q)^(1/n) of an R||CPE element (τ = R C for n = 1)."""
    if r <= 0 or q <= 0 or n <= 0:
        return math.nan
    log_tau = math.log(r * q) / n
    return math.exp(log_tau) if log_tau < 700 else math.inf


def order_pairs(
    circuit: str, names: list[str], values: np.ndarray, errors: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Swap interchangeable R-CPE pairs so their time constants increase in circuit order."""
    pairs = [p for p in pairs_of(circuit) if kind_of(p.c) == "CPE"]
    if len(pairs) < 2:
        return values, errors
    values, errors = values.copy(), errors.copy()
    blocks = [[names.index(p.r), names.index(p.c + "_0"), names.index(p.c + "_1")] for p in pairs]
    taus = [time_constant(values[b[0]], values[b[1]], values[b[2]]) for b in blocks]
    order = np.argsort(taus, kind="stable")
    new_v, new_e = values.copy(), errors.copy()
    for target, source in zip(blocks, [blocks[i] for i in order]):
        new_v[target], new_e[target] = values[source], errors[source]
    return new_v, new_e


class CompiledCircuit:
    """A circuit string parsed once: impedance and Jacobian by numpy over all frequencies.

    impedance.py's ``wrapCircuit`` rebuilds and evals a source string on every call (~1 ms,
    most of a multi-start fit's time before); here the tree is built once and evaluated with
    the element functions of :mod:`interphase.eis.elements`. ``values`` is one parameter
    vector (P,) or a batch (B, P); parameters are taken in order of appearance, as
    impedance.py does. The Jacobian follows the tree: series terms add, and a parallel
    combination Z = 1 / Σ 1/Z_i scales the derivatives of branch i by (Z / Z_i)².
    """

    def __init__(self, circuit: str):
        self.text = circuit
        self.tree, self.elements, self.n_params = _parse(circuit)

    def __call__(self, f, values) -> np.ndarray:
        """The impedance at frequencies f (Hz, or Frequencies): (N,), or (B, N) for a batch."""
        fr = elements.Frequencies.of(f)
        z, _ = self._node(self.tree, fr, _columns(values), derivatives=False)
        return z

    def jacobian(self, f, values) -> tuple[np.ndarray, np.ndarray]:
        """Impedance (..., N) and its derivatives dZ/dp (..., N, P), complex."""
        fr, p = elements.Frequencies.of(f), _columns(values)
        z, columns = self._node(self.tree, fr, p, derivatives=True)
        jac = np.zeros(z.shape + (self.n_params,), dtype=complex)
        for k, column in columns.items():
            jac[..., k] = column
        return z, jac

    def _node(self, node: tuple, fr: elements.Frequencies, p: list[np.ndarray], derivatives: bool):
        """Impedance of a (sub)circuit and {parameter index: dZ/dp} (empty without derivatives)."""
        if node[0] == "e":
            _, kind, start, n = node
            if not derivatives:
                return _element_impedance(kind, p[start : start + n], fr), {}
            z, dz = elements.evaluate(kind, p[start : start + n], fr)
            return z, dict(zip(range(start, start + n), dz))
        parts = [self._node(child, fr, p, derivatives) for child in node[1]]
        if node[0] == "s":
            z = parts[0][0]
            for part, _ in parts[1:]:
                z = z + part
            return z, {k: v for _, columns in parts for k, v in columns.items()}
        inverse = 1.0 / parts[0][0]
        for part, _ in parts[1:]:
            inverse = inverse + 1.0 / part
        z = 1.0 / inverse
        columns = {}
        for part, branch in parts:
            if branch:
                scale = (z / part) ** 2
                columns.update({k: scale * v for k, v in branch.items()})
        return z, columns


@functools.lru_cache(maxsize=64)
def compile_circuit(circuit: str) -> CompiledCircuit:
    """The compiled circuit of a circuit string (cached: circuits are immutable)."""
    return CompiledCircuit(circuit)


def predict(circuit: str, values: np.ndarray, f: np.ndarray) -> np.ndarray:
    """The circuit's impedance for given parameter values."""
    return compile_circuit(circuit)(f, values)


def _columns(values) -> list[np.ndarray]:
    """Each parameter as an array that broadcasts against the frequencies: (1,) or (B, 1)."""
    v = np.asarray(values, dtype=float)
    return [v[..., k, None] for k in range(v.shape[-1])]


def _element_impedance(kind: str, p: list[np.ndarray], fr: elements.Frequencies) -> np.ndarray:
    """An element's impedance alone (cheaper than with its derivatives)."""
    if kind == "R":
        return p[0] * np.ones(fr.w.shape, dtype=complex)
    return elements.evaluate(kind, p, fr)[0]


def _parse(circuit: str) -> tuple[tuple, list[str], int]:
    """The circuit as a tree ('s', items) / ('p', branches) / ('e', kind, start, n).

    Also the element names in order and the number of parameters P.
    """
    text = circuit.replace(" ", "")
    tokens = _TOKEN_RE.findall(text)
    if "".join(tokens) != text or not tokens:
        raise ValueError("unexpected characters (elements, '-', 'p(', ',' and ')' expected)")
    position = [0]
    n_params = [0]
    names: list[str] = []

    def peek():
        return tokens[position[0]] if position[0] < len(tokens) else ""

    def take():
        if position[0] >= len(tokens):
            raise ValueError("it ends early")
        position[0] += 1
        return tokens[position[0] - 1]

    def series():
        items = [item()]
        while peek() == "-":
            take()
            items.append(item())
        return ("s", items)

    def item():
        token = take()
        if token == "p(":
            branches = [series()]
            while peek() == ",":
                take()
                branches.append(series())
            if take() != ")":
                raise ValueError("unbalanced parentheses")
            if len(branches) < 2:
                raise ValueError("p(...) needs two or more branches")
            return ("p", branches)
        kind = element_kind(token)
        if not token[0].isalpha() or kind not in elements.KINDS:
            raise ValueError(f"unknown element {token!r}")
        start, n = n_params[0], elements.KINDS[kind].n_params
        n_params[0] += n
        names.append(token)
        return ("e", kind, start, n)

    tree = series()
    if position[0] != len(tokens):
        raise ValueError(f"unexpected {tokens[position[0]]!r}")
    return tree, names, n_params[0]
