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
- evaluation: :func:`compile_circuit`, the string parsed once (impedance.py rebuilds and evals
  source code at every call);
- :func:`circuit_problem`: why impedance.py cannot use a circuit ('' when it can).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

_ELEMENT_RE = r"[A-Za-z]+\w*"
_SIMPLE_PAIR_RE = re.compile(rf"p\(({_ELEMENT_RE}),({_ELEMENT_RE})\)$")
_PAIR_RE = re.compile(r"p\((R\w*),((?:CPE|C)\w*)\)|p\(((?:CPE|C)\w*),(R\w*)\)")
_TOKEN_RE = re.compile(r"p\(|[A-Za-z]+[A-Za-z0-9_]*|[(),-]")

Evaluator = Callable[[np.ndarray, np.ndarray], np.ndarray]


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
    """impedance.py's parameter names and units of a circuit, in order."""
    from impedance.models.circuits import CustomCircuit
    from impedance.models.circuits.fitting import calculateCircuitLength

    n = calculateCircuitLength(circuit)
    names, units = CustomCircuit(circuit, initial_guess=[1.0] * n).get_param_names()
    return list(names), list(units)


def circuit_problem(circuit: str, rct_element: str) -> str:
    """Why impedance.py cannot use the circuit with this Rct element ('' when it can)."""
    from impedance.models.circuits import CustomCircuit
    from impedance.models.circuits.fitting import calculateCircuitLength, extract_circuit_elements

    try:
        n = calculateCircuitLength(circuit)
        model = CustomCircuit(circuit, initial_guess=[1.0] * n)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.predict(np.array([1.0, 10.0]), use_initial=True)
        names = model.get_param_names()[0]
    except Exception as exc:  # noqa: BLE001 - impedance.py raises ValueError, SyntaxError...
        return f"circuit {circuit!r} rejected by impedance.py: {type(exc).__name__}: {exc}"
    if rct_element not in names or kind_of(rct_element) != "R":
        elements = ", ".join(extract_circuit_elements(circuit))
        return (
            f"rct_element {rct_element!r} is not a resistor of circuit {circuit!r} "
            f"(elements {elements})"
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


def compile_circuit(circuit: str) -> Evaluator:
    """A fast evaluator ``(f, values) -> Z`` of an impedance.py circuit string.

    impedance.py's ``wrapCircuit`` rebuilds and evals a source string on every call
    (~1 ms, most of a multi-start fit's time); here the string is parsed once and the
    same impedance.py element functions (``circuit_elements``) are called directly.
    Parameters are taken in order of appearance, as impedance.py does.
    """
    tree = _parse(circuit)

    def impedance(f, values):
        return _evaluate(tree, np.asarray(f, dtype=float), values)

    return impedance


def predict(circuit: str, values: np.ndarray, f: np.ndarray) -> np.ndarray:
    """The circuit's impedance for given parameter values."""
    return compile_circuit(circuit)(f, values)


def _parse(circuit: str) -> tuple:
    """The circuit as a tree: ('s', items), ('p', branches) or ('e', function, start, n)."""
    from impedance.models.circuits.elements import circuit_elements

    tokens = _TOKEN_RE.findall(circuit.replace(" ", ""))
    position = [0]
    n_params = [0]

    def peek():
        return tokens[position[0]] if position[0] < len(tokens) else ""

    def take():
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
                raise ValueError(f"unbalanced parentheses in circuit {circuit!r}")
            return ("p", branches)
        function = circuit_elements[kind_of(token)]
        start = n_params[0]
        n_params[0] += function.num_params
        return ("e", function, start, function.num_params)

    tree = series()
    if position[0] != len(tokens):
        raise ValueError(f"unexpected {tokens[position[0]]!r} in circuit {circuit!r}")
    return tree


def _evaluate(node: tuple, f: np.ndarray, values) -> np.ndarray:
    """The impedance of a parsed (sub)circuit."""
    if node[0] == "e":
        _, function, start, n = node
        params = [float(v) for v in values[start : start + n]]
        return np.asarray(function(params, f), dtype=complex)
    parts = [_evaluate(child, f, values) for child in node[1]]
    if node[0] == "s":
        return np.sum(parts, axis=0)
    return 1.0 / np.sum([1.0 / part for part in parts], axis=0)
