"""EDX line profiles: interdiffusion widths per element and the interface position.

Entry module of the edx_line technique: :func:`analyse` (clean dataset -> fit dataset) and
:func:`rows` (fit dataset -> summary rows). Each element's profile is fitted with an erf step
(:mod:`interphase.edx.profile`); its interdiffusion width is the 10-90 % width of that step,
optionally corrected for probe and beam broadening (:mod:`interphase.edx.broadening`).
The interface (CONTRACT.md §2, :func:`interphase.interface.locate`) is where the film's
transition-metal signal (sum of ``film_elements``) falls to half its film plateau, found the
same way as on an EELS line. A line recorded from the electrolyte into the film (the film
metals richer at its end) is read from its film end, so it gives the numbers of the same
line recorded the other way.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from interphase.defaults import schema_defaults
from interphase.edx.broadening import corrected_width, instrument_sigma
from interphase.edx.dataset import LineFits, Options, build_fit
from interphase.edx.profile import PROFILE_MODELS, StepFit, fit_profile, model_curve
from interphase.edx.rows import rows
from interphase.interface import InterfaceFit, film_is_last, locate, reverse_line

__all__ = ["analyse", "rows", "check_params", "model_options"]

REVERSED_NOTE = "line recorded from the electrolyte into the film: read from its film end"


def check_params(params: dict) -> tuple[list[str], list[str]]:
    """The film elements and the element selection from the ``edx`` config section."""
    params = {**schema_defaults("edx"), **(params or {})}
    film = params["film_elements"]
    chosen = params["elements"]
    for key, value in (("film_elements", film), ("elements", chosen)):
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"edx.{key} must be a list of element symbols, got {value!r}")
    if not film:
        raise ValueError("edx.film_elements must name at least one element")
    return list(film), list(chosen)


def model_options(params: dict) -> tuple[str, float]:
    """``profile_model`` and ``asymmetry_p_value`` from the ``edx`` config section."""
    params = {**schema_defaults("edx"), **(params or {})}
    model = params["profile_model"]
    p_threshold = params["asymmetry_p_value"]
    if model not in PROFILE_MODELS:
        raise ValueError(f"edx.profile_model must be one of {PROFILE_MODELS}, got {model!r}")
    if not isinstance(p_threshold, (int, float)) or not 0.0 < float(p_threshold) < 1.0:
        raise ValueError(f"edx.asymmetry_p_value must be a number in (0, 1), got {p_threshold!r}")
    return model, float(p_threshold)


def film_signal(clean: xr.Dataset, film: list[str]) -> tuple[np.ndarray, list[str]]:
    """The summed profile of the film elements present (NaN without any), and their names."""
    present = [str(e) for e in clean["element"].values]
    film_present = [e for e in film if e in present]
    if not film_present:
        return np.full(clean.sizes["distance"], np.nan), film_present
    values = clean["composition"].sel(element=film_present).values
    return np.nansum(values, axis=1), film_present


def film_side_first(clean: xr.Dataset, film: list[str]) -> xr.Dataset:
    """The line with its film side first: a line whose film metals are at its end is reversed."""
    signal, _ = film_signal(clean, film)
    return reverse_line(clean) if film_is_last(signal) else clean


def overall_status(fits: dict[str, StepFit], interface_status: str) -> str:
    """failed without any width or interface; flagged when any of them is not ok."""
    widths_ok = [e for e, f in fits.items() if f.status in ("ok", "flagged")]
    if not widths_ok and interface_status == "failed":
        return "failed"
    if interface_status != "ok" or any(f.status == "flagged" for f in fits.values()):
        return "flagged"
    return "ok"


def analyse(clean: xr.Dataset, params: dict) -> xr.Dataset:
    """Fit erf steps to every selected element and to the film transition-metal sum."""
    if "energy" in clean.dims:  # X-ray spectra as measured: quantify them first
        from interphase.edx.quantify import composition_line

        clean = composition_line(clean, params)
    film, chosen = check_params(params)
    model, p_threshold = model_options(params)
    instrument = instrument_sigma(params, dict(clean.attrs))
    clean = film_side_first(clean, film)
    x = np.asarray(clean["distance"].values, dtype=float)
    present = [str(e) for e in clean["element"].values]
    selected = [e for e in chosen if e in present] if chosen else present
    notes = []
    missing = [e for e in chosen if e not in present]
    if missing:
        notes.append(f"elements not in the file: {', '.join(missing)}")
    composition = clean["composition"]
    composition = composition.sel(element=selected) if selected else composition.isel(element=[])
    fits = {
        e: fit_profile(x, np.asarray(composition.sel(element=e).values, float), model, p_threshold)
        for e in selected
    }
    curves = [model_curve(x, fits[e]) for e in selected]
    curves = np.column_stack(curves) if curves else np.empty((x.size, 0))

    signal, film_present = film_signal(clean, film)
    interface = locate(x, signal) if film_present else None
    if interface is None:
        interface = InterfaceFit(model=np.full(x.size, np.nan))
        interface.note = f"no film element ({', '.join(film)}) in the file: no interface"
        notes.append(interface.note)
    elif interface.status != "ok":
        notes.append(f"interface: {interface.note}")
    if int(clean.attrs.get("line_reversed", 0)):
        notes.append(REVERSED_NOTE)
    notes.extend(f"{e}: {fits[e].note}" for e in selected if fits[e].status != "ok")
    interface_status = interface.status
    line = LineFits(
        x=x,
        elements=selected,
        composition=composition.values,
        unit=clean["composition"].attrs["units"],
        composition_long_name=clean["composition"].attrs.get("long_name", "composition"),
        fits=fits,
        curves=curves,
        corrected={e: corrected_width(fits[e], instrument) for e in selected},
        instrument=instrument,
        film_present=film_present,
        signal=signal,
        interface=interface,
        interface_status=interface_status,
        status=overall_status(fits, interface_status),
        notes=notes,
    )
    options = Options(film, model, p_threshold, str(params.get("specimen_material", "NMC111/LATP")))
    return build_fit(clean, line, options)
