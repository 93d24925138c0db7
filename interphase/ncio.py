"""Writing and reading the workflow's netCDF files, atomically."""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

import xarray as xr

# netCDF4 is the engine: it stores string coordinates and CF attributes portably.
ENGINE = "netcdf4"
# The HDF5 library under netCDF4 is not thread-safe (xarray's own locks do not cover every
# call: two jobs in threads of one Snakemake process crashed it in H5 code), so every netCDF
# read and write of this process takes this lock. The files are small: it costs little.
NETCDF_LOCK = threading.RLock()


def publish(tmp: str | Path, path: str | Path) -> None:
    """Give a finished temporary file the usual permissions and rename it into place."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, path)


def write_netcdf(ds: xr.Dataset, path: str | Path) -> None:
    """Write ``ds`` to ``path`` through a temporary file and a rename: never half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        with NETCDF_LOCK:
            ds.to_netcdf(tmp, engine=ENGINE)
        publish(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_netcdf(path: str | Path) -> xr.Dataset:
    """Load a whole netCDF file into memory and close it."""
    with NETCDF_LOCK, xr.open_dataset(path, engine=ENGINE) as ds:
        return ds.load()


def write_text(text: str, path: str | Path) -> None:
    """Write a text file through a temporary file and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        publish(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
