"""Regenerate ``ingest/data/divisions.csv.gz`` from the division table ``jionlp`` ships.

Source: ``jionlp/dictionary/china_location.zip`` (one tab-indented line per division: province →
prefecture → county with 6-digit codes and short names, then townships and villages without codes).
``jionlp`` is installed only in the ``gazetteer`` dependency group, never at run time:

    uv run --group gazetteer python scripts/update_gazetteer.py

Keeping it current: bump ``jionlp`` in ``pyproject.toml`` (group ``gazetteer``), ``uv lock``, run the
command above, review ``git diff --stat ingest/data/`` and commit the regenerated file.

Output columns: ``code`` (6-digit division code; NULL for townships, which the source lists without
code), ``name``, ``short_name``, ``level`` (province / prefecture / county / township), ``parent_code``
(for townships the county's, or the prefecture's where a city has no counties), ``province_code``.
Placeholder nodes (省直辖行政区划, 市直辖行政区划) are dropped and their children hang on the node above;
a municipality's duplicate prefecture node (上海市 under 上海市) is dropped too. Villages are not kept.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
from importlib.resources import files
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "ingest" / "data" / "divisions.csv.gz"
LEVELS = ("province", "prefecture", "county", "township")
PLACEHOLDER = re.compile(r"直辖行政区划$")
# 乡 / 镇 / 街道 (and 苏木, the Inner-Mongolian 乡): development zones and farms are not townships.
TOWNSHIP = re.compile(r"(?:乡|镇|街道|苏木)$")
COLUMNS = ("code", "name", "short_name", "level", "parent_code", "province_code")


def source_lines() -> list[str]:
    """The lines of ``china_location.txt`` inside the installed jionlp package."""
    archive = files("jionlp") / "dictionary" / "china_location.zip"
    with zipfile.ZipFile(io.BytesIO(archive.read_bytes())) as zf:
        return zf.read("china_location.txt").decode("utf-8").splitlines()


def divisions(lines: list[str]) -> list[dict[str, str]]:
    """Rows of the output table from the indented source lines."""
    rows: list[dict[str, str]] = []
    parents: list[str] = ["", "", "", ""]  # code of the current node at each depth ('' = none)
    seen_townships: set[tuple[str, str]] = set()
    for line in lines:
        depth = len(line) - len(line.lstrip("\t"))
        if depth > 3 or not line.strip():
            continue
        fields = line.strip("\t").split("\t")
        name = fields[0]
        code = fields[1] if len(fields) > 1 else ""
        short = fields[2] if len(fields) > 2 else ""
        parent = next((parents[d] for d in range(depth - 1, -1, -1) if parents[d]), "")
        if depth in (1, 2) and (PLACEHOLDER.search(name) or code == parent):
            parents[depth] = ""  # transparent node: children hang on the node above
            parents[depth + 1:] = [""] * (3 - depth)
            continue
        parents[depth] = code or f"{parent}:{name}"
        parents[depth + 1:] = [""] * (3 - depth)
        if depth == 3:
            if not TOWNSHIP.search(name) or (parent, name) in seen_townships:
                continue
            seen_townships.add((parent, name))
        rows.append({
            "code": code, "name": name, "short_name": short if short != name else "",
            "level": LEVELS[depth], "parent_code": parent,
            "province_code": (parents[0] if depth else code),
        })
    return rows


def write(rows: list[dict[str, str]], path: Path = OUT) -> None:
    """Write the rows as gzip-compressed CSV with a fixed mtime, so reruns give identical bytes."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(buffer.getvalue().encode("utf-8"))


def main() -> None:
    rows = divisions(source_lines())
    write(rows)
    counts = {level: sum(r["level"] == level for r in rows) for level in LEVELS}
    print(f"wrote {OUT}: {counts}")


if __name__ == "__main__":
    main()
