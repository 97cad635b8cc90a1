"""Reading files: row numbers, blank lines, awkward CSV and large files."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinlink.errors import InputError
from kinlink.ingest.format import TABLES
from kinlink.ingest.reader import ROW, ExtractFile, read_file

HEADER = "record_id,first_name,surname,dob\n"


def _read(tmp_path: Path, content: bytes):  # type: ignore[no-untyped-def]
    path = tmp_path / "people.csv"
    path.write_bytes(content)
    return read_file(ExtractFile(TABLES["people"], path))


def test_row_numbers_count_blank_lines_and_skip_rows_that_do_not_split(tmp_path: Path) -> None:
    raw = _read(tmp_path, (HEADER + 'a,"two\nlines",X,1990\n\nb,B,Y,1991\nc,C\nd,D,Z,1992,extra\n'
                           "e,E,W,1993").encode())
    assert raw.frame.get_column(ROW).to_list() == [1, 3, 6]  # line 2 is blank
    assert raw.frame.get_column("first_name").to_list() == ["two\nlines", "B", "E"]
    assert [(b.row, b.text) for b in raw.bad_rows] == [(4, "c,C"), (5, "d,D,Z,1992,extra")]
    assert raw.rows_read == 5


def test_byte_order_mark_crlf_and_header_case_are_accepted(tmp_path: Path) -> None:
    raw = _read(tmp_path, b"\xef\xbb\xbfRecord_ID , First_Name,SURNAME,dob\r\na,A,X,1990\r\n")
    assert raw.frame.get_column("record_id").to_list() == ["a"]
    assert raw.frame.get_column("first_name").to_list() == ["A"]


def test_large_files_are_checked_for_utf8_to_the_line(tmp_path: Path) -> None:
    # Multi-byte characters on every line cross the 4 MiB decoding blocks.
    lines = [f"r{i},Zoë,Ōkubo,1990\n" for i in range(300_000)]
    assert _read(tmp_path, (HEADER + "".join(lines)).encode()).frame.height == 300_000
    bad = (HEADER + "".join(lines)).encode() + b"x,Caf\xe9,Y,1990\n"
    with pytest.raises(InputError, match=r"byte 0xe9 on line 300002"):
        _read(tmp_path, bad)
