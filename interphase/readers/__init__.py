"""Readers: one module a vendor format, all returning the layout of :mod:`interphase.datasets`.

Every reader module satisfies :class:`Reader` (a :class:`typing.Protocol` that modules meet
structurally): it defines

``NAME``        the reader's name, as used in the ``format`` column of measurements.tsv;
``VERSION``     a string bumped whenever the reader's output changes;
``TECHNIQUES``  the techniques the format can carry (``"eis"``, ``"cv"``, ...);
``sniff(path, head) -> bool``
                True when the content (``head``: the first 64 KiB of a file, ``b""`` for a
                folder) is this format; extensions are a hint at most;
``read(path, technique) -> xarray.Dataset``
                the dataset in the technique's layout, or :class:`~interphase.errors.ReadError`
                naming the file, the line or byte and what was expected.

``OPTIONS``     the names of the config options ``read`` accepts as keyword arguments
                (``()`` for most readers).

The toolkit the readers share: :mod:`interphase.readers._text` (decoding, numbers, units),
:mod:`interphase.readers._cv` (sweep reversals and cycle numbers); the layouts are built by
:mod:`interphase.datasets`. Readers import nothing else of the package (no analysis).

:func:`read` picks the reader from ``format`` or by sniffing, in the order of
:data:`READERS` (most specific formats first).
"""

from __future__ import annotations

import importlib
import logging
import struct
import zipfile
from pathlib import Path
from typing import Protocol, runtime_checkable
from xml.etree.ElementTree import ParseError

import xarray as xr
from defusedxml import DefusedXmlException

from interphase import datasets
from interphase.errors import ReadError
from interphase.readers import _text

log = logging.getLogger("interphase")

# Module names under interphase.readers, most specific first (generic formats last).
READERS: tuple[str, ...] = (
    # electrochemistry
    "biologic",
    "biologic_mpr",
    "gamry",
    "autolab",
    "zplot",
    "chi",
    "parstat",
    "versastudio",
    # diffraction
    "xrdml",
    "rigaku",
    "bruker_raw",
    "bruker_brml",
    "bruker_uxd",
    "panalytical_csv",
    "stoe_raw",
    # electron microscopy
    "emsa",
    "gatan_dm",
    "edx_table",
    # generic tables last: they recognise the least specific content
    "generic_table",
    "xy",
)

HEAD_BYTES = 1 << 16
# What parsers and the libraries readers use (galvani, rosettasciio, defusedxml, zipfile,
# struct) raise on bad input: turned into one ReadError sentence by :func:`unreadable`.
# Other exceptions (TypeError, AttributeError...) are bugs and keep their traceback.
PARSE_ERRORS = (
    ValueError,
    IndexError,
    KeyError,
    struct.error,
    zipfile.BadZipFile,
    ParseError,
    DefusedXmlException,
    EOFError,
)


@runtime_checkable
class Reader(Protocol):
    """What every reader module provides (a module satisfies it structurally)."""

    NAME: str
    VERSION: str
    TECHNIQUES: tuple[str, ...]
    OPTIONS: tuple[str, ...]

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when ``head`` (the first bytes; ``b""`` for a folder) is this format."""
        ...

    def read(self, path: Path, technique: str) -> xr.Dataset:
        """The dataset of ``path`` in the technique's layout, or a ReadError."""
        ...


def registered() -> list[Reader]:
    """Every reader module, in detection order."""
    modules = [importlib.import_module(f"interphase.readers.{name}") for name in READERS]
    return modules  # type: ignore[return-value]  (modules meet the protocol structurally)


def reader_module(name: str) -> Reader:
    """The reader module for a format name (the module's ``NAME``) or module name."""
    for module_name in READERS:
        module = importlib.import_module(f"interphase.readers.{module_name}")
        if name in (module_name, module.NAME):
            return module
    known = ", ".join(importlib.import_module(f"interphase.readers.{m}").NAME for m in READERS)
    raise ReadError(None, "format column", f"a reader name ({known})", repr(name))


def head_of(path: Path) -> bytes:
    """The first bytes of a file (empty for a folder), UTF-16 text as UTF-8, for sniffing."""
    if path.is_dir():
        return b""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
        return _text.head_as_utf8(head, cut=bool(fh.read(1)))


def require_content(path: Path) -> None:
    """ReadError unless ``path`` is an existing folder or a file that is not empty."""
    if not path.exists():
        raise ReadError(path, None, "an existing file or folder", "nothing")
    if path.is_file() and path.stat().st_size == 0:
        raise ReadError(path, "byte 0", "an instrument export", "an empty file (0 bytes)")


def detect(path: str | Path, technique: str) -> Reader:
    """The reader whose ``sniff`` recognises the content of ``path`` for ``technique``."""
    path = Path(path)
    require_content(path)
    head = head_of(path)
    for module in registered():
        if technique in module.TECHNIQUES and module.sniff(path, head):
            return module
    raise ReadError(
        path,
        "start of file" if path.is_file() else "folder",
        f"a {technique} export in a format interphase reads (see docs/formats.md)",
        repr(head[:60]) if head else "an unrecognised folder",
    )


def unreadable(path: Path, module: Reader, error: Exception) -> ReadError:
    """The one-sentence ReadError for a library or parser failure on bad input."""
    if isinstance(error, DefusedXmlException):
        found = "an XML entity declaration or DTD (not allowed: it can expand without bound)"
        return ReadError(path, "XML document", "plain XML without entity declarations", found)
    if isinstance(error, UnicodeDecodeError):
        found = f"bytes that are not text in the expected encoding ({error.reason})"
        return ReadError(path, f"byte {error.start}", f"a {module.NAME} text file", found)
    if isinstance(error, (zipfile.BadZipFile, ParseError)):
        return ReadError(path, None, f"a {module.NAME} file", f"a damaged archive or XML ({error})")
    found = f"content the reader cannot parse ({error})"
    return ReadError(path, None, f"a {module.NAME} file", found)


def refuse_mismatch(path: Path, ds: xr.Dataset, technique: str) -> None:
    """ReadError when a file holds another kind of measurement than the one declared.

    Readers mark what the file says it is in their attributes; here: an X-ray reflectivity
    scan (``scan_kind``: 2θ entirely below 8°, or named reflectivity/XRR) declared as xrd.
    """
    if technique == "xrd" and ds.attrs.get("scan_kind") == "reflectivity":
        two_theta = ds["two_theta"].values
        found = f"an X-ray reflectivity scan (2θ {two_theta.min():.4g}–{two_theta.max():.4g}°)"
        expected = "a diffraction scan, as measurements.tsv declares (technique xrd)"
        raise ReadError(path, "scan", expected, found)


def read(
    path: str | Path,
    technique: str,
    format: str | None = None,
    options: dict | None = None,
    *,
    declared: bool = False,
) -> xr.Dataset:
    """Read ``path`` as ``technique`` with the named reader or the detected one, validated.

    ``options`` are reader options from the config; each reader gets those its ``OPTIONS``
    names. A reader's quality note (rows dropped...) is logged as a warning. ``declared``:
    ``technique`` is what measurements.tsv declares for the file (the clean step), so a scan
    the layout can hold but that is another kind of measurement (:func:`refuse_mismatch`) is
    refused; readers refuse what the layout cannot hold (a GCPL record as cv) in any case.
    """
    path = Path(path)
    module = reader_module(format) if format else detect(path, technique)
    if technique not in module.TECHNIQUES:
        found = f"{module.NAME} (reads {', '.join(module.TECHNIQUES)})"
        raise ReadError(path, "format column", f"a reader for {technique}", found)
    require_content(path)
    accepted = {k: v for k, v in (options or {}).items() if k in module.OPTIONS}
    try:
        ds = module.read(path, technique, **accepted)
    except PARSE_ERRORS as error:
        raise unreadable(path, module, error) from None
    ds.attrs.setdefault("reader", module.NAME)
    ds.attrs.setdefault("reader_version", module.VERSION)
    if declared:
        refuse_mismatch(path, ds, technique)
    datasets.validate(ds, technique)
    if ds.attrs.get(datasets.QUALITY_NOTE):
        log.warning("%s: %s", path.name, ds.attrs[datasets.QUALITY_NOTE])
    return ds
