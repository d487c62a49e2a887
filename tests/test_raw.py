"""Scanning the raw dir: every file recorded, with a reason for each one that cannot be parsed."""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

import pytest

from ingest.files.raw import (
    RawFile,
    decode_raw_file,
    format_size,
    report_id_for,
    report_input,
    scan_raw_dir,
)

REPORT = "2023年度某市财政局部门整体支出绩效自评报告\n\n一、部门基本情况\n全年预算数 120.5 万元。\n"


def _write(root: Path, name: str, data: bytes | str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def _by_name(files: list[RawFile]) -> dict[str, RawFile]:
    return {f.source_file: f for f in files}


def test_empty_dir_has_no_reports(tmp_path: Path) -> None:
    assert scan_raw_dir(tmp_path) == []


def test_missing_dir_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        scan_raw_dir(tmp_path / "nope")


def test_names_are_relative_posix_sorted_and_may_hold_spaces_and_chinese(tmp_path: Path) -> None:
    _write(tmp_path, "子目录/广州 报告 2023.txt", REPORT + "a")
    _write(tmp_path, "b.md", REPORT + "b")
    _write(tmp_path, "a dir/z.txt", REPORT + "c")
    names = [f.source_file for f in scan_raw_dir(tmp_path)]
    assert names == sorted(names)
    assert set(names) == {"子目录/广州 报告 2023.txt", "b.md", "a dir/z.txt"}
    decoded = decode_raw_file(_by_name(scan_raw_dir(tmp_path))["子目录/广州 报告 2023.txt"])
    assert decoded.text is not None and decoded.text.endswith("a")


def test_report_id_is_derived_from_content_and_name(tmp_path: Path) -> None:
    _write(tmp_path, "r.txt", REPORT)
    (raw,) = scan_raw_dir(tmp_path)
    sha = hashlib.sha256(REPORT.encode()).hexdigest()
    assert raw.content_sha256 == sha
    assert raw.report_id == hashlib.sha256(f"{sha}:r.txt".encode()).hexdigest()[:16]
    assert raw.report_id == report_id_for(sha, "r.txt")
    assert raw.size_bytes == len(REPORT.encode())
    assert scan_raw_dir(tmp_path)[0].report_id == raw.report_id


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + REPORT.encode(), "utf-8-sig"),
        (REPORT.encode("gb18030"), "gb18030"),
        (REPORT.encode("gbk"), "gb18030"),
        (REPORT.encode("utf-16"), "utf-16"),
        (REPORT.encode("utf-16-le"), "utf-16-le"),
    ],
)
def test_common_chinese_encodings_decode(tmp_path: Path, data: bytes, encoding: str) -> None:
    _write(tmp_path, "r.txt", data)
    (raw,) = scan_raw_dir(tmp_path)
    decoded = decode_raw_file(raw)
    assert (decoded.text, decoded.encoding, decoded.decode_error) == (REPORT, encoding, None)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\r\n ", "empty file"),
        (bytes(range(256)) * 4, "binary file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("2023年度报告".encode() + b"\xff\xfe\xfa" + "全年预算".encode(), "undecodable bytes at offset"),
    ],
)
def test_unreadable_text_files_fail_with_a_reason(tmp_path: Path, data: bytes, reason: str) -> None:
    _write(tmp_path, "bad.txt", data)
    (raw,) = scan_raw_dir(tmp_path)
    assert raw.failure is None and raw.file_kind == "text"
    decoded = decode_raw_file(raw)
    assert decoded.text is None
    assert decoded.decode_error.startswith(reason)
    item = report_input(raw.report_id, raw.source_file, decoded.text, decoded.decode_error, None)
    assert item.text is None and item.failure == decoded.decode_error


def test_unsupported_types_are_recorded_not_skipped(tmp_path: Path) -> None:
    _write(tmp_path, "setup.EXE", b"MZ\x90\x00")
    _write(tmp_path, "notes", REPORT)
    files = _by_name(scan_raw_dir(tmp_path))
    assert files["setup.EXE"].file_kind == "unsupported"
    assert files["setup.EXE"].failure == "unsupported file type .exe"
    assert files["notes"].failure == "unsupported file type (no extension)"
    assert decode_raw_file(files["setup.EXE"]).decode_error is None


def test_documents_are_read_by_their_reader_and_old_word_files_fail_with_advice(tmp_path: Path) -> None:
    _write(tmp_path, "scan.PDF", b"%PDF-1.7 ...")
    _write(tmp_path, "old.doc", b"\xd0\xcf\x11\xe0")
    files = _by_name(scan_raw_dir(tmp_path))
    assert files["scan.PDF"].file_kind == "pdf" and files["scan.PDF"].failure is None
    assert decode_raw_file(files["scan.PDF"]).decode_error.startswith("corrupt or unreadable PDF")
    assert files["old.doc"].file_kind == "legacy_word"
    assert "save it as .docx or PDF" in files["old.doc"].failure


def test_files_over_the_size_limit_fail_without_being_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = _write(tmp_path, "big.txt", REPORT * 100)
    _write(tmp_path, "small.txt", REPORT)
    sha = hashlib.sha256(big.read_bytes()).hexdigest()

    def no_whole_reads(self: Path) -> bytes:
        raise AssertionError(f"{self} read whole")

    monkeypatch.setattr(Path, "read_bytes", no_whole_reads)
    files = _by_name(scan_raw_dir(tmp_path, max_file_bytes=1024))
    assert files["big.txt"].failure == "file exceeds 1 KB limit"
    assert files["big.txt"].content_sha256 == sha
    assert files["small.txt"].failure is None
    assert decode_raw_file(files["big.txt"]).text is None


def test_default_limit_is_20_mb() -> None:
    assert format_size(20 * 1024 * 1024) == "20 MB"
    assert format_size(1000) == "1000 bytes"


def test_duplicates_point_at_the_first_name(tmp_path: Path) -> None:
    _write(tmp_path, "b/copy.txt", REPORT)
    _write(tmp_path, "a.txt", REPORT)
    _write(tmp_path, "empty1.txt", b"")
    _write(tmp_path, "empty2.txt", b"")
    files = _by_name(scan_raw_dir(tmp_path))
    assert files["a.txt"].failure is None and files["a.txt"].duplicate_of is None
    assert files["b/copy.txt"].failure == "duplicate of a.txt"
    assert files["b/copy.txt"].duplicate_of == files["a.txt"].report_id
    assert files["empty2.txt"].failure is None, "empty files are reported as empty, not as duplicates"


def test_manifest_rows_reach_the_parser_input_and_manifest_is_no_report(tmp_path: Path) -> None:
    _write(tmp_path, "r 1.txt", REPORT)
    _write(tmp_path, "sub/manifest.csv", "file,x\n")
    manifest = "file,department_name,fiscal_year,county\nr 1.txt,某市财政局,2023,\n".encode("gb18030")
    _write(tmp_path, "manifest.csv", manifest)
    files = _by_name(scan_raw_dir(tmp_path))
    assert set(files) == {"r 1.txt", "sub/manifest.csv"}
    assert files["r 1.txt"].manifest == {"department_name": "某市财政局", "fiscal_year": "2023"}
    assert files["sub/manifest.csv"].failure == "unsupported file type .csv"
    decoded = decode_raw_file(files["r 1.txt"])
    item = report_input(files["r 1.txt"].report_id, "r 1.txt", decoded.text, None, files["r 1.txt"].manifest)
    assert item.manifest["fiscal_year"] == "2023" and item.text == REPORT


def test_manifest_change_changes_the_fingerprint_not_the_report_id(tmp_path: Path) -> None:
    _write(tmp_path, "r.txt", REPORT)
    (before,) = scan_raw_dir(tmp_path)
    _write(tmp_path, "manifest.csv", "file,fiscal_year\nr.txt,2022\n")
    (after,) = scan_raw_dir(tmp_path)
    assert after.report_id == before.report_id
    assert after.fingerprint != before.fingerprint


def test_manifest_without_file_column_is_a_failed_input(tmp_path: Path) -> None:
    _write(tmp_path, "manifest.csv", "name,year\nr.txt,2023\n")
    _write(tmp_path, "r.txt", REPORT)
    files = _by_name(scan_raw_dir(tmp_path))
    assert files["r.txt"].failure is None and files["r.txt"].manifest is None
    assert files["manifest.csv"].file_kind == "manifest"
    assert "line 1: no 'file' column" in (files["manifest.csv"].failure or "")
