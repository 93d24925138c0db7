"""Helpers shared by the text readers: line splitting for every line-end convention in use."""

from __future__ import annotations

import pytest

from interphase.readers import _text, chi
from tests.conftest import real_file

LINES = ["EC-Lab ASCII FILE", "Nb header lines : 3", "", "freq/Hz\tRe(Z)/Ohm"]


@pytest.mark.parametrize(
    "end",
    ["\n", "\r\n", "\r\r\n", "\r", "\r\r\r\n"],
    ids=["LF", "CRLF", "CRCRLF", "CR", "CRCRCRLF"],
)
def test_every_line_end_gives_the_same_lines(end):
    assert _text.split_lines(end.join(LINES) + end) == LINES
    assert _text.split_lines(end.join(LINES)) == LINES  # no final line end: the last line is kept


def test_blank_lines_are_kept_so_list_index_plus_one_is_the_file_line():
    assert _text.split_lines("a\r\n\r\nb\r\n") == ["a", "", "b"]
    assert _text.split_lines("a\n\n") == ["a", ""]


def test_mixed_line_ends_and_empty_text():
    assert _text.split_lines("a\r\r\nb\nc\rd\r\n") == ["a", "b", "c", "d"]
    assert _text.split_lines("") == []


def test_a_real_chi_export_reads_the_same_with_cr_cr_lf_line_ends(tmp_path):
    path = real_file("electrochem/eis/chi_txt/impedancepy_exampleDataCHInstruments.txt")
    raw = path.read_bytes()
    crcrlf = tmp_path / "chi_crcrlf.txt"
    crcrlf.write_bytes(raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\r\n"))
    original, converted = chi.read(path, "eis"), chi.read(crcrlf, "eis")
    assert converted.sizes["frequency"] == original.sizes["frequency"] == 73
    assert converted.identical(original)
