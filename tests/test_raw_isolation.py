"""Scanning never stops on one entry: every odd file, name, link or manifest line becomes a reason."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.files.manifest import checked_values, read_manifest_text
from ingest.files.raw import RawFile, decode_raw_file, display_name, report_id_for, scan_raw_dir

REPORT = "2023年度某市财政局部门整体支出绩效自评报告\n\n一、部门基本情况\n全年预算数 120.5 万元。\n"


def _write(root: Path, name: str | bytes, data: str = REPORT) -> Path:
    path = Path(os.fsdecode(os.path.join(os.fsencode(root), name if isinstance(name, bytes) else os.fsencode(name))))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode())
    return path


def _scan(root: Path, **kw) -> dict[str, RawFile]:
    return {f.source_file: f for f in scan_raw_dir(root, **kw)}


def test_a_name_that_is_not_utf8_is_stored_readably_and_failed(tmp_path: Path) -> None:
    _write(tmp_path, b"bad\xff name.txt")
    _write(tmp_path, "ok.txt", REPORT + "x")
    files = _scan(tmp_path)
    assert set(files) == {"bad\\xff name.txt", "ok.txt"}
    bad = files["bad\\xff name.txt"]
    bad.source_file.encode("utf-8")
    assert bad.failure is not None and "not valid UTF-8" in bad.failure
    assert files["ok.txt"].failure is None
    assert display_name(os.fsdecode(b"a\xfe")) == "a\\xfe"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_file_is_a_failed_row(tmp_path: Path) -> None:
    path = _write(tmp_path, "locked.txt")
    path.chmod(0)
    assert "permission denied" in (_scan(tmp_path)["locked.txt"].failure or "")


def test_an_unreadable_file_is_a_failed_row_even_as_root(tmp_path: Path, monkeypatch) -> None:
    import ingest.files.raw as raw

    _write(tmp_path, "locked.txt")
    _write(tmp_path, "fine.txt", REPORT + "y")
    real = raw._read_regular

    def deny(path, keep):
        if path.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, keep)

    monkeypatch.setattr(raw, "_read_regular", deny)
    files = _scan(tmp_path)
    assert files["locked.txt"].failure == "file cannot be read: permission denied (make it readable by the refresh)"
    assert files["fine.txt"].failure is None


def test_a_file_deleted_during_the_scan_is_a_failed_row(tmp_path: Path, monkeypatch) -> None:
    import ingest.files.raw as raw

    for name in ("a.txt", "b.txt", "c.txt"):
        _write(tmp_path, name, REPORT + name)
    real = raw._entry_failure

    def vanish(raw_dir, name):
        if name == "b.txt":
            (raw_dir / name).unlink()
        return real(raw_dir, name)

    monkeypatch.setattr(raw, "_entry_failure", vanish)
    files = _scan(tmp_path)
    assert "disappeared" in (files["b.txt"].failure or "")
    assert files["a.txt"].failure is None and files["c.txt"].failure is None


def test_special_files_and_symlinks_follow_the_policy(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    outside = _write(tmp_path, "secret.txt", REPORT + "secret")
    _write(raw, "real.txt")
    (raw / "sub").mkdir()
    os.mkfifo(raw / "pipe.txt")
    (raw / "broken.txt").symlink_to(raw / "missing.txt")
    (raw / "loop.txt").symlink_to(raw / "loop.txt")
    (raw / "dirlink").symlink_to(raw / "sub")
    (raw / "outside dir").symlink_to(tmp_path)
    (raw / "outside.txt").symlink_to(outside)
    (raw / "inside.txt").symlink_to(raw / "real.txt")
    files = _scan(raw)
    reasons = {name: f.failure for name, f in files.items()}
    assert reasons["pipe.txt"] == "not a regular file (named pipe); only files are read"
    assert (reasons["broken.txt"] or "").startswith("broken symlink")
    assert reasons["loop.txt"] == "symlink loop; not followed"
    assert (reasons["dirlink"] or "").startswith("symlink to a directory; not followed")
    assert (reasons["outside dir"] or "").startswith("symlink to a directory outside the raw dir")
    assert (reasons["outside.txt"] or "").startswith("symlink to a file outside the raw dir")
    assert decode_raw_file(files["outside.txt"]).text is None
    assert reasons["real.txt"] is None and reasons["inside.txt"] == "duplicate of real.txt", (
        "the real file is the report, the symlink to it its duplicate (also when the link sorts first)")
    assert decode_raw_file(files["real.txt"]).text == REPORT


def test_a_file_rewritten_after_the_scan_is_refused_not_mismatched(tmp_path: Path) -> None:
    path = _write(tmp_path, "r.txt")
    (raw,) = scan_raw_dir(tmp_path)
    path.write_text(REPORT.replace("120.5", "999.9"), encoding="utf-8")
    decoded = decode_raw_file(raw)
    assert decoded.text is None and "changed while the refresh read it" in (decoded.decode_error or "")
    path.unlink()
    assert "disappeared" in (decode_raw_file(raw).decode_error or "")


def test_a_new_copy_that_sorts_first_does_not_displace_the_known_report(tmp_path: Path) -> None:
    _write(tmp_path, "m.txt")
    (original,) = scan_raw_dir(tmp_path)
    _write(tmp_path, "a_copy.txt")
    files = _scan(tmp_path, known_report_ids={original.report_id})
    assert files["m.txt"].failure is None
    assert files["a_copy.txt"].failure == "duplicate of m.txt"
    assert files["a_copy.txt"].duplicate_of == original.report_id == report_id_for(original.content_sha256, "m.txt")
    fresh = _scan(tmp_path)
    assert fresh["a_copy.txt"].failure is None and fresh["m.txt"].failure == "duplicate of a_copy.txt"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty file"),
        (b"\x00\x01\x02\xff" * 10, "binary file"),
        (b"file;fiscal_year\nr.txt;2023\n", "line 1: no 'file' column naming each report relative to the "
                                                     "raw dir (the manifest must be comma-separated)"),
        (b"file,department_name\nr.txt," + b"x" * (128 * 1024 + 5) + b"\n", "line 2: field larger than field limit"),
    ],
)
def test_a_broken_manifest_is_a_failed_input_and_reports_still_scan(tmp_path: Path, data: bytes, expected: str) -> None:
    (tmp_path / "manifest.csv").write_bytes(data)
    _write(tmp_path, "r.txt")
    files = _scan(tmp_path)
    assert files["r.txt"].failure is None
    assert expected in (files["manifest.csv"].failure or "")


def test_bad_manifest_lines_are_rejected_one_by_one_with_line_and_column() -> None:
    text = ('file,fiscal_year,department_name,fiscal_year\n'
            'a.txt,2023,甲局,1999\n'
            'b.txt,"2022,乙局\n'
            'c.txt,2021,丙局\n'
            'a.txt,2020,丁局\n'
            ',2020,无名\n'
            'd.txt,1,2,3,4,5\n')
    manifest = read_manifest_text(text)
    assert manifest.rows == {"a.txt": {"fiscal_year": "2023", "department_name": "甲局"},
                             "c.txt": {"fiscal_year": "2021", "department_name": "丙局"}}
    assert manifest.problems == [
        "line 1, column 4: column 'fiscal_year' repeats column 2; ignored",
        "line 3, column 7: unbalanced quote; line ignored",
        "line 5: second row for 'a.txt' (first on line 2); line 5 ignored",
        "line 6: no file name; line ignored",
        "line 7: 6 cells for 4 columns; line ignored",
    ]
    assert (manifest.failure() or "").startswith("manifest.csv: line 1, column 4:")


@pytest.mark.parametrize("year", ["abc", "99999999999", "20233", "1066", " "])
def test_an_unusable_fiscal_year_is_dropped_with_a_one_line_reason(year: str) -> None:
    clean, problems = checked_values({"fiscal_year": year, "department_name": "某局"})
    assert clean == {"department_name": "某局"}
    assert len(problems) == 1 and "\n" not in problems[0] and "not a year" in problems[0]
    assert checked_values({"fiscal_year": "2023"}) == ({"fiscal_year": "2023"}, [])


def test_a_rejected_manifest_year_is_a_parse_issue_of_its_report() -> None:
    from ingest.parse import ReportInput, parse_report

    parsed = parse_report(ReportInput("r", "r.txt", REPORT, manifest={"fiscal_year": "99999999999"}))
    (header,) = parsed.rows["report_headers"]
    assert header["fiscal_year"] == 2023
    assert [i["code"] for i in parsed.rows["parse_issues"]].count("manifest_value_rejected") == 1


def test_documents_are_read_in_workers_under_a_budget_and_text_here(tmp_path: Path) -> None:
    from fixtures import documents as F
    from ingest.files.raw import decode_raw_files, scan_raw_dir
    from ingest.runtime.pool import Limits

    (tmp_path / "a.txt").write_text("2023年度某局部门整体支出绩效自评报告", encoding="utf-8")
    (tmp_path / "b.docx").write_bytes(F.docx_file("2023年度某局部门整体支出绩效自评报告\n预算1万元"))
    files = scan_raw_dir(tmp_path)
    in_workers = decode_raw_files(files, limits=Limits(seconds=60, memory_mb=2048), workers=1)
    here = decode_raw_files(files, limits=None)
    assert [d.text for d in in_workers] == [d.text for d in here]
    assert all(d.text and "绩效自评报告" in d.text for d in in_workers)
    assert [f.file_kind for f in files] == ["text", "docx"]
