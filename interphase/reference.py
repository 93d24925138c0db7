"""The reference electrode potentials are measured against: where it comes from, its name, and
the summary check that one comparison does not mix references.

Every clean CV and EIS dataset carries ``reference_electrode`` (a name) and
``reference_electrode_source``. The name is, in order of precedence,

1. measurements.tsv's ``reference_electrode`` column (it overrides the file, as ``potential_V``
   does; the file's own statement is kept as ``reference_electrode_in_file``);
2. what the file states, where its format records it (the readers set ``reference_electrode``;
   a blank or ``(unspecified)`` entry is no statement);
3. the config's top-level ``reference_electrode`` (default ``Li/Li+``, CONTRACT.md §2).

Names are compared and shown in a canonical spelling (:func:`canonical`): ``Li``, ``Li+/Li``,
``Li metal`` and ``Li/Li⁺`` are all ``Li/Li+``; EC-Lab's "SCE Saturated Calomel Electrode" is
``SCE``. Anything else is kept as written, so ``Ag/AgCl (3 M KCl)`` and ``Ag/AgCl (sat. KCl)``
stay different (they differ by ~10 mV).

This module imports nothing of interphase: readers, analyses, figures and the summary may all
use it.
"""

from __future__ import annotations

import logging
import math
import re

log = logging.getLogger("interphase")

# CONTRACT.md §2: potential_V is "DC potential vs Li/Li+": the default reference.
DEFAULT_REFERENCE = "Li/Li+"
# Techniques whose numbers are potentials against a reference electrode.
ELECTROCHEMICAL = ("cv", "eis")
# Key of a measurements.tsv row that carries the config's reference_electrode (sheets.py sets it).
CONFIG_KEY = "reference_electrode_default"
# Entries instruments write when no reference was set.
NOT_STATED = {"", "(unspecified)", "unspecified", "none", "unknown", "n/a", "-", "?"}
# Spellings of common reference electrodes (lower case, no spaces) and the name shown.
ALIASES = {
    "li": "Li/Li+",
    "li/li+": "Li/Li+",
    "li+/li": "Li/Li+",
    "limetal": "Li/Li+",
    "lithium": "Li/Li+",
    "lithiummetal": "Li/Li+",
    "na": "Na/Na+",
    "na/na+": "Na/Na+",
    "na+/na": "Na/Na+",
    "sodium": "Na/Na+",
    "sce": "SCE",
    "saturatedcalomelelectrode": "SCE",
    "ag/agcl": "Ag/AgCl",
    "she": "SHE",
    "standardhydrogenelectrode": "SHE",
    "nhe": "NHE",
    "normalhydrogenelectrode": "NHE",
    "rhe": "RHE",
    "reversiblehydrogenelectrode": "RHE",
    "hg/hgo": "Hg/HgO",
    "hg/hg2so4": "Hg/Hg2SO4",
}
# CV summary quantities that are potentials vs the reference (delta_Ep is a difference).
POTENTIAL_QUANTITIES = {"E_pa", "E_pc", "E_half"}


def stated(value) -> str:
    """The reference named by ``value``, stripped; empty when it states none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value).strip()
    return "" if text.lower() in NOT_STATED else text


def canonical(name: str) -> str:
    """The shown spelling of a reference electrode name (see the module docstring)."""
    text = stated(name)
    key = re.sub(r"\s+", "", text.lower()).replace("⁺", "+")
    if key in ALIASES:
        return ALIASES[key]
    first, _, rest = text.partition(" ")
    if "electrode" in rest.lower() and first.lower().replace("⁺", "+") in ALIASES:
        return ALIASES[first.lower().replace("⁺", "+")]  # EC-Lab: "SCE Saturated Calomel ..."
    return text


def resolve(in_file, in_sheet, in_config) -> tuple[str, str]:
    """The reference name and where it came from: sheet, else file, else config."""
    if stated(in_sheet):
        return canonical(in_sheet), "measurements.tsv"
    if stated(in_file):
        return canonical(in_file), "file"
    return canonical(stated(in_config) or DEFAULT_REFERENCE), "config (the file states none)"


def clean_attrs(attrs: dict, measurement: dict) -> dict:
    """The reference attributes of a clean CV or EIS dataset (none for other techniques)."""
    if measurement.get("technique") not in ELECTROCHEMICAL:
        return {}
    in_file = stated(attrs.get("reference_electrode"))
    in_sheet, in_config = measurement.get("reference_electrode"), measurement.get(CONFIG_KEY)
    name, source = resolve(in_file, in_sheet, in_config)
    out = {"reference_electrode": name, "reference_electrode_source": source}
    if source == "measurements.tsv" and in_file:
        out["reference_electrode_in_file"] = in_file
        if canonical(in_file) != name:
            log.warning(
                "%s: the file states reference %r, measurements.tsv %r; the sheet's is used",
                measurement.get("measurement", ""),
                in_file,
                name,
            )
    return out


def shown(name: str) -> str:
    """A reference name for a figure axis: a trailing ion charge as a superscript (Li/Li⁺)."""
    return re.sub(r"(?<=[A-Za-z])\+$", "⁺", canonical(name))


def axis_reference(attrs: list[dict]) -> str:
    """The reference of a figure's potential axis: one name, or 'each sample's reference'."""
    names = sorted({canonical(a.get("reference_electrode") or DEFAULT_REFERENCE) for a in attrs})
    if len(names) == 1:
        return shown(names[0])
    return "each sample's reference (" + ", ".join(shown(n) for n in names) + ")"


def is_potential_row(row: dict) -> bool:
    """Whether a summary row's value or its potential_V is a potential vs the reference."""
    if row.get("technique") == "cv" and row.get("quantity") in POTENTIAL_QUANTITIES:
        return True
    potential = row.get("potential_V")
    return isinstance(potential, float) and math.isfinite(potential)


def references_by_technique(rows: list[dict]) -> dict[str, dict[str, list[str]]]:
    """For each technique: every reference used and the measurements against it."""
    out: dict[str, dict[str, list[str]]] = {}
    for r in rows:
        if "reference_electrode" not in r or not is_potential_row(r):
            continue
        names = out.setdefault(r["technique"], {})
        measurements = names.setdefault(canonical(r["reference_electrode"]), [])
        if r["measurement"] not in measurements:
            measurements.append(r["measurement"])
    return out


def mixed_note(technique: str, names: dict[str, list[str]]) -> str:
    """The note of a comparison whose measurements are against different references."""
    parts = []
    for name, measurements in sorted(names.items()):
        listed = ", ".join(measurements) if len(measurements) <= 3 else f"{len(measurements)}"
        parts.append(f"{name}: {listed}")
    return (
        f"the {technique} measurements compared here are against different references "
        f"({'; '.join(parts)}): their potentials are not comparable until converted"
    )


def mark_references(rows: list[dict]) -> list[dict]:
    """Summary post-pass: 'vs <reference>' in the note of every potential row, and a flag on
    every potential row of a technique whose measurements use different references."""
    used = references_by_technique(rows)
    out = []
    for r in rows:
        if "reference_electrode" not in r or not is_potential_row(r):
            out.append(r)
            continue
        name = canonical(r["reference_electrode"])
        said = f"vs {name}" if r.get("quantity") in POTENTIAL_QUANTITIES else f"potential vs {name}"
        notes = [said, r.get("note", "")]
        status = r.get("status", "ok")
        names = used.get(r["technique"], {})
        if len(names) > 1:
            notes.append(mixed_note(r["technique"], names))
            status = "flagged" if status == "ok" else status
        out.append({**r, "note": "; ".join(n for n in notes if n), "status": status})
    return out
