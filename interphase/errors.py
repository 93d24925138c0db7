"""The project's one error type: it names the file, the place in it and what was expected."""

from __future__ import annotations

import re
from pathlib import Path


class InterphaseError(Exception):
    """A problem with an input that a user can fix, stated so that they can find it.

    ``path`` is the file (or folder) concerned, ``place`` says where in it
    (``"line 12"``, ``"byte 0x40"``, ``"row 3, column 'sample'"``, ``"key eis.circuit"``),
    ``expected`` says what should have been there and ``found`` what was there instead.
    """

    def __init__(
        self,
        path: str | Path | None,
        place: str | None,
        expected: str,
        found: str | None = None,
    ) -> None:
        self.path = None if path is None else str(path)
        self.place = place
        self.expected = expected
        self.found = found
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The one-line message shown to the user: where, what was expected, what was found."""
        parts = []
        if self.path:
            parts.append(self.path)
        if self.place:
            parts.append(self.place)
        where = ", ".join(parts)
        text = f"expected {self.expected}"
        if self.found is not None:
            text += f", found {self.found}"
        line = f"{where}: {text}" if where else text
        return re.sub(r"\s*\n\s*", " ", line)  # one line, whatever a library's message held


class ReadError(InterphaseError):
    """A raw file could not be read by its reader."""


class ConfigError(InterphaseError):
    """The configuration or a sample sheet is invalid."""


class LayoutError(InterphaseError):
    """A dataset does not follow the documented layout (a bug in a reader or analysis)."""


class AnalysisError(InterphaseError):
    """An analysis cannot produce a number from a dataset that was read correctly."""
