"""Ruled tables from line segments: the cells a grid of rulings draws, merged cells included.

The same geometry serves a text-layer PDF (segments from its path objects, in points) and a scan
(segments from OpenCV line detection, in pixels). Coordinates are "top-down": ``y`` grows down the
page. The method is pdfplumber's "lines" strategy kept to what forms need: snap nearly equal rulings
together, group the rulings that touch into tables, take every distinct ruling position as a grid
line, and join two neighbouring grid units into one cell where no ruling separates them. A merged
cell is therefore one ``GridCell`` with its row and column spans.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

Box = tuple[float, float, float, float]  # x0, top, x1, bottom
# A hatch or a chart is not a form: past these many line crossings a page is not searched, past these
# many grid units a group of rulings is not a table (a real 自评表 has a few hundred of either).
MAX_CROSSINGS = 250_000
MAX_UNITS = 20_000


@dataclass(frozen=True)
class Segment:
    """A horizontal (``pos`` = y, from ``start`` to ``end`` in x) or vertical (``pos`` = x) ruling."""

    horizontal: bool
    pos: float
    start: float
    end: float


@dataclass(frozen=True)
class GridCell:
    """A cell of a ruled table: top-left grid position, spans, its box and the text placed in it."""

    row: int
    col: int
    rowspan: int
    colspan: int
    box: Box
    text: str = ""
    confidence: float | None = None


@dataclass(frozen=True)
class RuledTable:
    """Grid lines (``xs`` left to right, ``ys`` top to bottom) and the cells between them."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    cells: tuple[GridCell, ...]

    @property
    def box(self) -> Box:
        return (self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])

    @property
    def n_rows(self) -> int:
        return len(self.ys) - 1

    @property
    def n_cols(self) -> int:
        return len(self.xs) - 1


def _cluster(values: list[float], tol: float) -> list[float]:
    """Sorted values grouped where neighbours differ by at most ``tol``; each group's mean."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def _snap(value: float, anchors: list[float]) -> float:
    i = bisect_left(anchors, value)
    near = [a for a in anchors[max(0, i - 1):i + 1]]
    return min(near, key=lambda a: abs(a - value))


def merge_segments(segments: Iterable[Segment], tol: float) -> list[Segment]:
    """Rulings drawn twice, as thin rectangles or in pieces become one segment per line: positions within
    ``tol`` snap together and pieces on one line that overlap or nearly touch are joined."""
    out: list[Segment] = []
    for horizontal in (True, False):
        group = [s for s in segments if s.horizontal == horizontal]
        anchors = _cluster([s.pos for s in group], tol)
        by_pos: dict[float, list[tuple[float, float]]] = {}
        for s in group:
            by_pos.setdefault(_snap(s.pos, anchors), []).append((min(s.start, s.end), max(s.start, s.end)))
        for pos, pieces in by_pos.items():
            pieces.sort()
            start, end = pieces[0]
            for a, b in pieces[1:]:
                if a <= end + tol:
                    end = max(end, b)
                else:
                    out.append(Segment(horizontal, pos, start, end))
                    start, end = a, b
            out.append(Segment(horizontal, pos, start, end))
    return out


def _touches(h: Segment, v: Segment, tol: float) -> bool:
    return h.start - tol <= v.pos <= h.end + tol and v.start - tol <= h.pos <= v.end + tol


def _components(segments: list[Segment], tol: float) -> list[list[Segment]]:
    """Groups of rulings connected by crossings or touching ends (one group per table)."""
    parent = list(range(len(segments)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    hs = [i for i, s in enumerate(segments) if s.horizontal]
    vs = sorted((i for i, s in enumerate(segments) if not s.horizontal), key=lambda i: segments[i].pos)
    v_pos = [segments[i].pos for i in vs]
    for i in hs:
        h = segments[i]
        lo, hi = bisect_left(v_pos, h.start - tol), bisect_left(v_pos, h.end + tol + 1e-9)
        for j in vs[lo:hi]:
            if _touches(h, segments[j], tol):
                parent[find(i)] = find(j)
    groups: dict[int, list[Segment]] = {}
    for i, s in enumerate(segments):
        groups.setdefault(find(i), []).append(s)
    return list(groups.values())


def _covers(lines: dict[float, list[tuple[float, float]]], pos: float, a: float, b: float, tol: float) -> bool:
    """Whether a ruling at ``pos`` runs along most of the stretch ``a``..``b`` (its middle at least)."""
    mid = (a + b) / 2
    return any(start - tol <= mid <= end + tol and min(end, b) - max(start, a) >= (b - a) * 0.5
               for start, end in lines.get(pos, ()))


def _table(group: list[Segment], tol: float) -> RuledTable | None:
    ys = sorted({s.pos for s in group if s.horizontal})
    xs = sorted({s.pos for s in group if not s.horizontal})
    if len(xs) < 2 or len(ys) < 2:
        return None
    h_lines: dict[float, list[tuple[float, float]]] = {}
    v_lines: dict[float, list[tuple[float, float]]] = {}
    for s in group:
        (h_lines if s.horizontal else v_lines).setdefault(s.pos, []).append((s.start, s.end))
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    if n_rows * n_cols > MAX_UNITS:
        return None
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(n_rows):
        for c in range(n_cols):
            if c + 1 < n_cols and not _covers(v_lines, xs[c + 1], ys[r], ys[r + 1], tol):
                parent[find(r * n_cols + c)] = find(r * n_cols + c + 1)
            if r + 1 < n_rows and not _covers(h_lines, ys[r + 1], xs[c], xs[c + 1], tol):
                parent[find(r * n_cols + c)] = find((r + 1) * n_cols + c)
    extents: dict[int, list[int]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            e = extents.setdefault(find(r * n_cols + c), [r, c, r, c])
            e[0], e[1], e[2], e[3] = min(e[0], r), min(e[1], c), max(e[2], r), max(e[3], c)
    cells = [GridCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, (xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1]))
             for r0, c0, r1, c1 in extents.values()]
    if len(cells) < 2:
        return None  # a frame around text, not a table
    cells.sort(key=lambda x: (x.row, x.col))
    return RuledTable(tuple(xs), tuple(ys), tuple(cells))


def find_tables(segments: Iterable[Segment], tol: float) -> list[RuledTable]:
    """The ruled tables the segments draw, top to bottom; ``tol`` is how far apart two rulings may be and
    still be one line (or meet)."""
    merged = [s for s in merge_segments(segments, tol) if s.end - s.start > 2 * tol]
    n_horizontal = sum(1 for s in merged if s.horizontal)
    if n_horizontal * (len(merged) - n_horizontal) > MAX_CROSSINGS:
        return []
    tables = [t for group in _components(merged, tol) if (t := _table(group, tol)) is not None]
    return sorted(tables, key=lambda t: (t.ys[0], t.xs[0]))


def expand(table: RuledTable) -> list[list[GridCell]]:
    """Every grid position's cell: a merged cell repeated in each position it covers."""
    grid: list[list[GridCell | None]] = [[None] * table.n_cols for _ in range(table.n_rows)]
    for cell in table.cells:
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                grid[r][c] = cell
    return grid  # type: ignore[return-value]


def join_wrapped(pieces: Iterable[str]) -> str:
    """Pieces of text in one cell (words of a line, lines wrapped inside the cell) as one string: joined
    directly, with a space only between two Latin letters (CJK text and numbers break anywhere)."""
    out = ""
    for piece in (x.strip() for x in pieces):
        if not piece:
            continue
        if out and out[-1].isascii() and out[-1].isalpha() and piece[0].isascii() and piece[0].isalpha():
            out += " "
        out += piece
    return out


@dataclass(frozen=True)
class Piece:
    """A run of text with its box (top-down) and, from OCR, the recogniser's score."""

    text: str
    box: Box
    score: float | None = None


def cell_at(table: RuledTable, owners: list[list[GridCell]], x: float, y: float) -> GridCell | None:
    """The cell of ``table`` holding the point (x, y), or None outside it."""
    if not (table.xs[0] <= x <= table.xs[-1] and table.ys[0] <= y <= table.ys[-1]):
        return None
    c = min(max(bisect_left(table.xs, x) - 1, 0), table.n_cols - 1)
    r = min(max(bisect_left(table.ys, y) - 1, 0), table.n_rows - 1)
    return owners[r][c]


def fill(table: RuledTable, pieces: dict[GridCell, list[Piece]]) -> RuledTable:
    """The table with each cell's text: its pieces grouped into visual lines (top to bottom, each left to
    right) and joined (:func:`join_wrapped`); a cell's confidence is its lowest piece score."""
    cells = []
    for cell in table.cells:
        found = pieces.get(cell, [])
        lines: list[list[Piece]] = []
        for piece in sorted(found, key=lambda p: (p.box[1] + p.box[3]) / 2):
            centre, height = (piece.box[1] + piece.box[3]) / 2, piece.box[3] - piece.box[1]
            last = lines[-1][0] if lines else None
            if last is not None and \
                    abs(centre - (last.box[1] + last.box[3]) / 2) < max(height, last.box[3] - last.box[1]) / 2:
                lines[-1].append(piece)
            else:
                lines.append([piece])
        text = join_wrapped(p.text for line in lines for p in sorted(line, key=lambda p: p.box[0]))
        scores = [p.score for p in found if p.score is not None]
        cells.append(GridCell(cell.row, cell.col, cell.rowspan, cell.colspan, cell.box, text,
                              min(scores) if scores else None))
    return RuledTable(table.xs, table.ys, tuple(cells))


def scaled(table: RuledTable, factor: float) -> RuledTable:
    """The table with every coordinate multiplied by ``factor`` (pixels to points)."""
    def box(b: Box) -> Box:
        return (b[0] * factor, b[1] * factor, b[2] * factor, b[3] * factor)

    return RuledTable(tuple(x * factor for x in table.xs), tuple(y * factor for y in table.ys),
                      tuple(GridCell(c.row, c.col, c.rowspan, c.colspan, box(c.box), c.text, c.confidence)
                            for c in table.cells))
