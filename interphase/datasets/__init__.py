"""The dataset layout every reader returns and every clean file holds, and its validator.

One layout a technique; the names below are the contract between readers, analyses
and figures. Every data variable and coordinate carries CF ``units`` (UDUNITS
strings) and ``long_name``. All layouts share the global attributes listed in
:data:`COMMON_ATTRS` once the clean step has added sample metadata and provenance.

eis (impedance spectrum)
    dim ``frequency`` (Hz), strictly decreasing (high to low, as measured).
    ``z_real`` (ohm), ``z_imag`` (ohm) with its true sign: Z = z_real + j*z_imag, so a
    capacitive arc has z_imag < 0 (attribute ``z_imag_sign`` says so).
    Optional ``time`` (s). Attributes: ``dc_potential_V`` (NaN when unknown),
    ``area_in_file_cm2`` where the file states an area.

cv (cyclic voltammogram)
    dim ``point`` (index, in acquisition order).
    ``time`` (s), ``potential`` (V, working electrode vs reference), ``current`` (A,
    anodic positive), ``cycle`` (1, integer, first cycle = 1).
    Attributes: ``scan_rate_V_s`` (NaN when unknown), ``area_in_file_cm2`` where stated.

xrd (powder or thin-film 2θ scan)
    dim ``two_theta`` (degree), strictly increasing.
    ``intensity`` (count); ``intensity_cps`` (count s-1) where the counting time is known.
    Attributes: ``wavelength_ka1_angstrom``, ``wavelength_ka2_angstrom`` (NaN when
    monochromatic or unknown), ``ka2_ka1_ratio``, ``anode``, ``counting_time_s``.

edx_line (EDX composition line profile)
    dims ``distance`` (nm, increasing, film side first) and ``element`` (chemical symbol).
    ``composition`` (distance, element) in ``percent`` (atomic percent) or ``count``;
    attribute ``composition_kind`` is ``"atomic_percent"`` or ``"counts"``.

eels_line (EELS spectra along a line)
    dims ``distance`` (nm, increasing, film side first) and ``energy_loss`` (eV,
    increasing). ``intensity`` (distance, energy_loss) in ``count``.
    Attributes: ``dispersion_eV``, ``beam_energy_keV``, ``convergence_angle_mrad``,
    ``collection_angle_mrad`` (NaN when not given).

Readers fill the technique variables and reader attributes (``reader``,
``reader_version`` and whatever the header says: ``instrument``, ``software``,
``start_time``...). :func:`attach_sample_and_provenance` adds the rest.

The package holds every builder of these layouts, so that readers (and tests) make them one
way: :mod:`.core` (CF variables, shared attributes), :mod:`.layouts` (the required content
and :func:`validate`), :mod:`.electrochem`, :mod:`.diffraction`, :mod:`.microscopy`.
"""

from interphase.datasets.core import (
    CF_CONVENTIONS,
    COMMON_ATTRS,
    QUALITY_NOTE,
    TECHNIQUES,
    Z_IMAG_SIGN,
    add_quality_note,
    attach_sample_and_provenance,
    clean_status,
    is_missing,
    netcdf_attr,
    places_text,
    variable,
)
from interphase.datasets.diffraction import (
    REFLECTIVITY_MAX_2THETA,
    wavelength_attrs,
    xrd_dataset,
)
from interphase.datasets.electrochem import (
    MIN_POINTS,
    EisRows,
    cv_dataset,
    cv_from_rows,
    eis_dataset,
    eis_from_rows,
    require_points,
)
from interphase.datasets.layouts import (
    LAYOUTS,
    VARIANTS,
    Layout,
    Variable,
    layout_of,
    validate,
)
from interphase.datasets.microscopy import (
    ELEMENT_SYMBOLS,
    FILM_METALS,
    edx_composition_dataset,
    edx_spectra_dataset,
    eels_line_dataset,
    film_side_last,
)
from interphase.datasets.sweeps import select_sweep, sweep_attrs

__all__ = [
    "CF_CONVENTIONS",
    "COMMON_ATTRS",
    "ELEMENT_SYMBOLS",
    "FILM_METALS",
    "LAYOUTS",
    "MIN_POINTS",
    "QUALITY_NOTE",
    "VARIANTS",
    "EisRows",
    "add_quality_note",
    "clean_status",
    "cv_from_rows",
    "edx_spectra_dataset",
    "eis_from_rows",
    "layout_of",
    "places_text",
    "require_points",
    "select_sweep",
    "sweep_attrs",
    "REFLECTIVITY_MAX_2THETA",
    "TECHNIQUES",
    "Z_IMAG_SIGN",
    "Layout",
    "Variable",
    "attach_sample_and_provenance",
    "cv_dataset",
    "edx_composition_dataset",
    "eels_line_dataset",
    "eis_dataset",
    "film_side_last",
    "is_missing",
    "netcdf_attr",
    "validate",
    "variable",
    "wavelength_attrs",
    "xrd_dataset",
]
