"""The dataset layout every reader returns and every clean file holds, and its validator.

One layout a technique (some with a variant, below); the names are the contract between
readers, analyses and figures. Every data variable and coordinate carries CF ``units``
(UDUNITS strings) and ``long_name``. All layouts share the global attributes listed in
:data:`COMMON_ATTRS` once the clean step has added sample metadata and provenance.

eis (impedance spectrum)
    dim ``frequency`` (Hz), strictly decreasing (high to low, as measured).
    ``z_real`` (ohm), ``z_imag`` (ohm) with its true sign: Z = z_real + j*z_imag, so a
    capacitive arc has z_imag < 0 (attribute ``z_imag_sign`` says so).
    Optional ``time`` (s). Attributes: ``dc_potential_V`` (NaN when unknown),
    ``area_in_file_cm2`` where the file states an area, ``dc_rows_dropped`` (rows of
    frequency 0 the reader left out), ``reference_electrode`` where the file states it.

    Variant ``sweeps`` (a file holding repeated sweeps, e.g. a looped PEIS with cycle
    number 1..n): dims ``sweep`` (1, sweep number in file order) and ``point``;
    ``frequency``, ``z_real``, ``z_imag`` (and ``time``) are (sweep, point), each row high to
    low frequency and NaN after the sweep's last point; ``sweep_points`` and
    ``sweep_complete`` (1 where the sweep covers the longest one's frequency range and at
    least 80 % of its points), optional ``sweep_dc_potential`` (V, mean of the sweep).
    Attributes ``n_sweeps``, ``sweep_coordinate`` (``frequency``: the coordinate of one
    sweep) and ``sweep_starts`` (where each sweep starts in the file). The clean dataset
    keeps every sweep; :func:`select_sweep` (called by the workflow before any analysis)
    takes the one measurements.tsv's ``sweep`` column asks for (default: the last complete
    sweep) and returns the plain layout with ``sweep_used``, ``n_sweeps``, ``sweep_note``.

cv (cyclic voltammogram)
    dim ``point`` (index, in acquisition order).
    ``time`` (s), ``potential`` (V, working electrode vs reference), ``current`` (A,
    anodic positive), ``cycle`` (1, integer, first cycle = 1).
    Attributes: ``scan_rate_V_s`` (NaN when unknown), ``area_in_file_cm2`` where stated,
    ``reference_electrode`` where the file states it (text as the file gives it, e.g. EC-Lab's
    'SCE Saturated Calomel Electrode (0.241 V)'; absent otherwise). At least 3 points.

xrd (powder or thin-film 2θ scan)
    dim ``two_theta`` (degree), strictly increasing.
    ``intensity`` (count); ``intensity_cps`` (count s-1) where the counting time is known.
    Attributes: ``wavelength_ka1_angstrom``, ``wavelength_ka2_angstrom`` (NaN when
    monochromatic or unknown), ``ka2_ka1_ratio``, ``anode``, ``counting_time_s``,
    ``scan_kind`` (``powder``; an X-ray reflectivity scan is refused as xrd by the readers).

edx_line (EDX line profile)
    Variant ``composition`` (table exports, and what the EDX analysis fits): dims
    ``distance`` (nm, increasing, film side first) and ``element`` (chemical symbol).
    ``composition`` (distance, element) in ``percent`` (atomic percent) or ``count``;
    attribute ``composition_kind`` is ``"atomic_percent"`` or ``"counts"``.

    Variant ``spectra`` (EMSA and DigitalMicrograph files: the spectra as measured): dims
    ``distance`` (nm, increasing, as measured) and ``energy`` (eV, increasing); ``counts``
    (distance, energy) in ``count``; optional ``spectrum_file`` (distance). Attributes
    ``composition_kind = "spectra"``, ``beam_energy_keV`` (NaN when the file gives none),
    ``elements_named`` (the elements the file names, '' when none), and where known
    ``detector_zero_fwhm_eV`` and ``detector_fano``. Two or more positions (one spectrum is
    not a line). :func:`interphase.edx.quantify.composition_line` makes the composition
    variant of it.

eels_line (EELS spectra along a line)
    dims ``distance`` (nm, increasing, film side first) and ``energy_loss`` (eV,
    increasing). ``intensity`` (distance, energy_loss) in ``count``.
    Attributes: ``dispersion_eV``, ``beam_energy_keV``, ``convergence_angle_mrad``,
    ``collection_angle_mrad`` (NaN when not given).

Readers fill the technique variables and reader attributes (``reader``,
``reader_version`` and whatever the header says: ``instrument``, ``software``,
``start_time``...). :func:`attach_sample_and_provenance` adds the rest.

Quality notes: a reader that read a file but left something out (rows of NaN or inf,
rows the instrument flagged as overloaded) says so in the attribute ``reader_quality_note``
(:func:`add_quality_note`: count and line numbers); the clean step turns it into
``clean_status = "flagged"`` with the note (:func:`clean_status`), which flags every number
of that measurement in the summary.

The package holds every builder of these layouts, so that readers (and tests) make them one
way: :mod:`.core` (CF variables, shared attributes, quality notes), :mod:`.layouts` (the
required content and :func:`validate`), :mod:`.electrochem` (cv, eis from rows, sweeps),
:mod:`.diffraction`, :mod:`.microscopy`, :mod:`.sweeps` (one sweep out of several).
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
    "REFLECTIVITY_MAX_2THETA",
    "TECHNIQUES",
    "VARIANTS",
    "Z_IMAG_SIGN",
    "EisRows",
    "Layout",
    "Variable",
    "add_quality_note",
    "attach_sample_and_provenance",
    "clean_status",
    "cv_dataset",
    "cv_from_rows",
    "edx_composition_dataset",
    "edx_spectra_dataset",
    "eels_line_dataset",
    "eis_dataset",
    "eis_from_rows",
    "film_side_last",
    "is_missing",
    "layout_of",
    "netcdf_attr",
    "places_text",
    "require_points",
    "select_sweep",
    "sweep_attrs",
    "validate",
    "variable",
    "wavelength_attrs",
    "xrd_dataset",
]
