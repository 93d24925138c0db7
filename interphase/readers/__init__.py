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
from pathlib import Path
from types import ModuleType
from typing import Protocol, runtime_checkable

import xarray as xr

from interphase import datasets
from interphase.errors import ReadError

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
    return [importlib.import_module(f"interphase.readers.{name}") for name in READERS]  # type: ignore[misc]


def reader_module(name: str) -> ModuleType:
    """The reader module for a format name (the module's ``NAME``) or module name."""
    for module_name in READERS:
        module = importlib.import_module(f"interphase.readers.{module_name}")
        if name in (module_name, module.NAME):
            return module
    known = ", ".join(importlib.import_module(f"interphase.readers.{m}").NAME for m in READERS)
    raise ReadError(None, "format column", f"a reader name ({known})", repr(name))


def head_of(path: Path) -> bytes:
    """The first bytes of a file (empty for a folder), for content sniffing."""
    if path.is_dir():
        return b""
    with open(path, "rb") as fh:
        return fh.read(HEAD_BYTES)


def detect(path: str | Path, technique: str) -> ModuleType:
    """The reader whose ``sniff`` recognises the content of ``path`` for ``technique``."""
    path = Path(path)
    if not path.exists():
        raise ReadError(path, None, "an existing file or folder", "nothing")
    head = head_of(path)
    for module_name in READERS:
        module = importlib.import_module(f"interphase.readers.{module_name}")
        if technique in module.TECHNIQUES and module.sniff(path, head):
            return module
    raise ReadError(
        path,
        "start of file" if path.is_file() else "folder",
        f"a {technique} export in a format interphase reads (see docs/formats.md)",
        repr(head[:60]) if head else "an unrecognised folder",
    )


def read(
    path: str | Path, technique: str, format: str | None = None, options: dict | None = None
) -> xr.Dataset:
    """Read ``path`` as ``technique`` with the named reader or the detected one, validated.

    ``options`` are reader options from the config; each reader gets those its ``OPTIONS`` names.
    """
    path = Path(path)
    module = reader_module(format) if format else detect(path, technique)
    if technique not in module.TECHNIQUES:
        raise ReadError(
            path,
            "format column",
            f"a reader for {technique}",
            f"{module.NAME} (reads {', '.join(module.TECHNIQUES)})",
        )
    if not path.exists():
        raise ReadError(path, None, "an existing file or folder", "nothing")
    accepted = module.OPTIONS
    ds = module.read(path, technique, **{k: v for k, v in (options or {}).items() if k in accepted})
    ds.attrs.setdefault("reader", module.NAME)
    ds.attrs.setdefault("reader_version", module.VERSION)
    datasets.validate(ds, technique)
    return ds
