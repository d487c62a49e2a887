"""HTML reader (selectolax/lexbor): the article text of a web page, boilerplate dropped.

selectolax binds lexbor, a fast, spec-compliant HTML5 parser; the encoding comes from the page's
BOM or declared charset (a declared gb2312/gbk is read as GB18030, the superset pages really use),
else UTF-8, else charset-normalizer's detection. Navigation, header, footer, sidebars, scripts,
forms and "related articles"/share boxes are removed (by tag, ARIA role, or a class/id naming
them); headings, paragraphs, list items and loose text become blocks, tables become table blocks
with colspan/rowspan expanded. Locators are ``para N`` and ``table N row R``.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

from charset_normalizer import from_bytes
from selectolax.lexbor import LexborHTMLParser, LexborNode

from ingest.documents.limits import DocumentError
from ingest.documents.model import Block, Document, Page, Provenance, TableRow, table_blocks

_DECLARED = re.compile(rb"""<meta[^>]{1,160}?charset\s{0,8}=\s{0,8}["']?\s{0,8}([A-Za-z0-9_-]{1,40})""", re.I)
# Declared Chinese charsets are read as their superset: pages labelled gb2312 routinely hold GBK.
_SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030", "gb_2312-80": "gb18030", "x-gbk": "gb18030",
             "big5": "big5hkscs"}
_DROP_TAGS = "script, style, noscript, nav, header, footer, aside, form, iframe, select, button, template"
_DROP_ROLES = "[role=navigation], [role=banner], [role=contentinfo], [role=complementary], [role=search]"
# A class or id naming page furniture rather than the article.
_BOILERPLATE = re.compile(r"""
    nav | menu | breadcrumb | crumb | footer | foot\b | sidebar | share | related
    | recommend | copyright | toolbar | comment | xgwz | xgxx  # 相关文章 / 相关信息 in pinyin
""", re.I | re.X)
# Depth of element nesting a page may have: real pages stay under a hundred, and the HTML5 tree
# builder's cost grows with depth times length (tens of thousands of nested <div> stall it), so a
# page nested deeper is refused before it is parsed, from a count of its tags.
MAX_DEPTH = 1000
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]{0,15})|<!--")
_COMMENT_END = re.compile(r"-->")
# Elements whose content is text, not markup ("<div>" inside a script is no element).
_RAW_TEXT_END = {"script": re.compile(r"</script", re.I), "style": re.compile(r"</style", re.I)}
# Elements that never nest (void) or whose end tag may be left out (closed by the next sibling): they
# add no depth to the count.
_FLAT = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
    "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup", "rb",
    "rt", "rp", "colgroup", "caption", "html", "head", "body",
})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LEAF_BLOCKS = frozenset({"p", "li", "dt", "dd", "pre", "blockquote", "caption", *_HEADINGS})


def decode_html(data: bytes) -> tuple[str, str]:
    """The page's text and the encoding used."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding
    declared = _DECLARED.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii").lower()
        encoding = _SUPERSET.get(name, name)
        try:
            return data.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise DocumentError("HTML in an unknown encoding (not UTF-8 and none declared or detected)") from None
        return str(best), best.encoding


def nesting_depth(text: str, stop: int = MAX_DEPTH + 1) -> int:
    """How deep the page's elements nest, counted from its tags (one linear pass; comments skipped,
    void and optional-end elements not counted); counting stops at ``stop``."""
    depth = deepest = 0
    pos = 0
    while match := _TAG.search(text, pos):
        pos = match.end()
        if match.group(0) == "<!--":
            end = _COMMENT_END.search(text, pos)
            pos = end.end() if end else len(text)
            continue
        name = match.group(2).lower()
        if not match.group(1) and name in _RAW_TEXT_END:
            end = _RAW_TEXT_END[name].search(text, pos)
            pos = end.end() if end else len(text)
            continue
        if name in _FLAT:
            continue
        depth = max(0, depth - 1) if match.group(1) else depth + 1
        deepest = max(deepest, depth)
        if deepest >= stop:
            break
    return deepest


def _is_boilerplate(node: LexborNode) -> bool:
    attrs = node.attributes
    return bool(_BOILERPLATE.search(f"{attrs.get('class') or ''} {attrs.get('id') or ''}"))


def _ancestors(node: LexborNode) -> list[LexborNode]:
    out, parent = [], node.parent
    while parent is not None and parent.tag not in ("body", "html", "-undef"):
        out.append(parent)
        parent = parent.parent
    return out


def _clean_text(node: LexborNode) -> str:
    lines = (" ".join(line.split()) for line in node.text(deep=True).split("\n"))
    return "\n".join(line for line in lines if line)


def _table_rows(table: LexborNode, number: int) -> tuple[TableRow, ...]:
    """Rows of a table with colspan/rowspan expanded; nested tables' rows are not its own."""
    grid: dict[tuple[int, int], str] = {}
    n_rows = 0
    own = table.mem_id
    for r, tr in enumerate(x for x in table.css("tr") if _owner_table(x) == own):
        n_rows = r + 1
        c = 0
        for cell in (x for x in tr.iter() if x.tag in ("td", "th")):
            while (r, c) in grid:
                c += 1
            text = " ".join(_clean_text(cell).split())
            rowspan = _span(cell.attributes.get("rowspan"))
            colspan = _span(cell.attributes.get("colspan"))
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[(r + dr, c + dc)] = text
            c += colspan
    width = max((c for _, c in grid), default=-1) + 1
    return tuple(TableRow(tuple(grid.get((r, c), "") for c in range(width)),
                          Provenance(None, f"table {number} row {r + 1}"),
                          tuple(Provenance(None, f"table {number} row {r + 1} col {c + 1}") for c in range(width)))
                 for r in range(n_rows))


def _owner_table(node: LexborNode) -> int | None:
    """The ``mem_id`` of the nearest table around ``node`` (node objects are not identical across calls)."""
    parent = node.parent
    while parent is not None and parent.tag != "table":
        parent = parent.parent
    return parent.mem_id if parent is not None else None


def _span(value: str | None) -> int:
    """A colspan/rowspan attribute, clamped to 1..100 (a hostile page cannot blow up the grid)."""
    return max(1, min(100, int(value))) if value and value.strip().isdigit() else 1


class _Walker:
    """Collects blocks in document order."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.n_para = 0
        self.n_table = 0

    def _paragraph(self, text: str, kind: str = "paragraph") -> None:
        if text:
            self.n_para += 1
            self.blocks.append(Block(kind, Provenance(None, f"para {self.n_para}"), text))  # type: ignore[arg-type]

    def _loose(self, loose: list[str]) -> None:
        """Text between blocks (inline elements, bare text) as one paragraph."""
        self._paragraph("\n".join(" ".join(x.split()) for x in "".join(loose).split("\n") if x.strip()))
        loose.clear()

    def walk(self, node: LexborNode) -> None:
        """Blocks of ``node``'s subtree in document order (an explicit stack: no recursion limit)."""
        stack: list[tuple[Iterator[LexborNode], list[str]]] = [(node.iter(include_text=True), [])]
        while stack:
            children, loose = stack[-1]
            child = next(children, None)
            if child is None:
                self._loose(loose)
                stack.pop()
                continue
            if child.tag == "-text":
                loose.append(child.text(deep=False))
                continue
            if child.tag in ("br",):
                loose.append("\n")
                continue
            if child.tag in ("span", "a", "b", "strong", "em", "i", "u", "font", "sub", "sup", "small"):
                loose.append(child.text(deep=True))
                continue
            self._loose(loose)
            if child.tag == "table":
                self.n_table += 1
                self.blocks.extend(table_blocks(_table_rows(child, self.n_table),
                                                Provenance(None, f"table {self.n_table}")))
            elif child.tag in _LEAF_BLOCKS and child.css_first("table") is None:
                self._paragraph(_clean_text(child), "heading" if child.tag in _HEADINGS else "paragraph")
            else:
                stack.append((child.iter(include_text=True), []))


def read_html(data: bytes) -> tuple[Document, str]:
    """The page's article as blocks, and the encoding it was read in."""
    text, encoding = decode_html(data)
    if nesting_depth(text) > MAX_DEPTH:
        raise DocumentError(f"HTML page nests its elements more than {MAX_DEPTH} deep; not read: save the "
                            "page as PDF or clean its markup")
    tree = LexborHTMLParser(text)
    for node in [*tree.css(_DROP_TAGS), *tree.css(_DROP_ROLES)]:
        node.decompose()
    for node in tree.css("div, section, ul, ol, dl, p, span, table"):
        if _is_boilerplate(node) and not any(_is_boilerplate(a) for a in _ancestors(node)):
            node.decompose()
    for br in tree.css("br"):
        br.replace_with("\n")
    body = tree.body or tree.root
    if body is None:
        raise DocumentError("HTML page with no body")
    walker = _Walker()
    walker.walk(body)
    return Document("html", (Page(None, tuple(walker.blocks)),)), encoding
