"""Document readers: each format into the document model, text for the parser, spans back to the file."""

from __future__ import annotations

import io
import itertools
import zipfile
from pathlib import Path

import pytest

from fixtures import documents as F
from ingest.documents import Limits, read_document
from ingest.documents import ocr as ocr_module
from ingest.documents.html import decode_html
from ingest.documents.model import Provenance, Span
from ingest.documents.provenance import locate, merge_locators, spans_from_json, spans_to_json
from ingest.documents.render import table_row_line
from ingest.parse import ReportInput, parse_reports
from ingest.text.normalise import normalise

REPORT = """2023年度某市交通运输局部门整体支出绩效自评报告
一、部门基本情况
本部门2023年度预算数为1,234.56万元,实际支出1,200.00万元,预算执行率为97.20%。
二、自评结论
经自评,本部门2023年度整体支出绩效自评得分为95.5分,评价等级为优。
"""


def _pdf_pages(*pages: str | None, size: tuple[float, float] = F.A4, encrypt: str | None = None) -> bytes:
    """A PDF whose pages hold the given text, or (None) a drawn image and no text layer."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=size, encrypt=encrypt)
    for text in pages:
        if text is None:
            image = F.page_images("预算执行率为97.20%。", dpi=72)[0]
            pdf.drawImage(ImageReader(image), 0, 0, width=size[0], height=size[1])
        else:
            pdf.setFont("STSong-Light", 11)
            for n, line in enumerate(text.splitlines()):
                pdf.drawString(72, size[1] - 72 - 18 * n, line)
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _parse(decoded) -> dict:
    return parse_reports([ReportInput("r", "r", decoded.text, spans=decoded.spans)])


@pytest.mark.parametrize("build, suffix", [(F.text_pdf, ".pdf"), (F.docx_file, ".docx"), (F.html_page, ".html"),
                                           (F.xlsx_form, ".xlsx")])
def test_rendered_text_is_normalised_and_spans_index_it(build, suffix):
    decoded = read_document(build(REPORT), suffix)
    assert decoded.error is None
    assert normalise(decoded.text) == decoded.text
    spans = decoded.spans
    assert spans and all(a.end <= b.start for a, b in itertools.pairwise(spans))
    assert all(0 <= s.start < s.end <= len(decoded.text) for s in spans)
    covered = sum(s.end - s.start for s in spans)
    assert covered >= 0.9 * len(decoded.text.replace("\n", ""))


def test_pdf_facts_carry_page_and_bbox_in_points(monkeypatch):
    monkeypatch.setattr(ocr_module, "ocr_lines", lambda *_: pytest.fail("a page with a text layer was OCR'd"))
    decoded = read_document(_pdf_pages("封面", REPORT), ".pdf")
    money = _parse(decoded)["money_facts"]
    assert set(money["source_page"]) == {"2"}
    for locator in money["source_locator"]:
        x0, y0, x1, y1 = (float(v) for v in locator.removeprefix("bbox(").removesuffix(")").split(","))
        assert 70 <= x0 < x1 <= F.A4[0] and 0 < y0 < y1 <= F.A4[1] - 60


def test_pdf_page_with_text_layer_is_never_ocrd_and_scanned_page_is(monkeypatch):
    seen = []

    def fake_ocr(image, cache_dir):
        seen.append(image.size)
        return [ocr_module.OcrLine("预算执行率为97.20%。", (72.0, 72.0, 300.0, 90.0), 0.6)]

    monkeypatch.setattr(ocr_module, "ocr_lines", fake_ocr)
    decoded = read_document(_pdf_pages(REPORT, None), ".pdf", limits=Limits(ocr_dpi=72))
    assert len(seen) == 1
    ocr_spans = [s for s in decoded.spans if s.prov.page == "2"]
    assert ocr_spans and all(s.prov.low_confidence and s.prov.confidence == 0.6 for s in ocr_spans)
    assert decoded.notes == ("page 2 OCR'd",)
    issues = _parse(decoded)["parse_issues"]
    assert "low_ocr_confidence" in set(issues["code"])


@pytest.mark.parametrize("data, limits, reason", [
    (b"%PDF-1.7\n%%EOF", Limits(), "corrupt or unreadable PDF"),
    (_pdf_pages("一", "二", "三"), Limits(max_pages=2), "PDF has 3 pages, over the 2-page limit"),
    (_pdf_pages("一", size=(20000.0, 800.0)), Limits(), "page 1 is 20000×800 pt, over the 5000 pt page-size limit"),
    (_pdf_pages(REPORT, encrypt="secret"), Limits(), "encrypted PDF"),
])
def test_bad_pdfs_fail_with_a_reason(data, limits, reason):
    decoded = read_document(data, ".pdf", limits=limits)
    assert decoded.text is None and decoded.error.startswith(reason)


def test_docx_paragraphs_and_tables_in_document_order_with_merged_cells_expanded():
    import docx

    document = docx.Document()
    document.add_paragraph("一、预算执行情况", style="Heading 1")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "指标"
    table.cell(0, 2).text = "得分"
    for col, value in enumerate(["预算执行率", "100%", "10"]):
        table.cell(1, col).text = value
    document.add_paragraph("二、结论")
    buf = io.BytesIO()
    document.save(buf)
    decoded = read_document(buf.getvalue(), ".docx")
    assert decoded.text.split("\n") == [
        "一、预算执行情况", "| 指标 | 指标 | 得分 |", "| 预算执行率 | 100% | 10 |", "二、结论"]
    assert [s.prov.locator for s in decoded.spans] == ["para 1", "table 1 row 1", "table 1 row 2", "para 2"]


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("suffix", [".docx", ".xlsx", ".ods"])
def test_zip_bomb_is_refused_before_any_parser_opens_it(suffix):
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\0" * (12 * 1024 * 1024)})
    assert len(bomb) < 100_000
    decoded = read_document(bomb, suffix, limits=Limits(max_unzipped_bytes=10 * 1024 * 1024))
    assert decoded.text is None and "inflates to more than 10 MB" in decoded.error


def test_spreadsheet_rows_keep_sheet_and_cell_range_and_merged_titles_read_once():
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "自评表"
    sheet["A1"] = "项目支出绩效自评表"
    sheet.merge_cells("A1:D1")
    for row in (["一级指标", "二级指标", "指标值", "得分"], ["产出指标", "数量指标", "100%", 20]):
        sheet.append(row)
    buf = io.BytesIO()
    workbook.save(buf)
    decoded = read_document(buf.getvalue(), ".xlsx")
    assert decoded.text.split("\n") == ["项目支出绩效自评表", "| 一级指标 | 二级指标 | 指标值 | 得分 |",
                                        "| 产出指标 | 数量指标 | 100% | 20 |"]
    assert [(s.prov.page, s.prov.locator) for s in decoded.spans] == [
        ("自评表", "A1:D1"), ("自评表", "A2:D2"), ("自评表", "A3:D3")]


def test_sheet_reaching_a_million_rows_is_refused_with_a_reason():
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "预算执行率为97.20%"
    sheet["A1000000"] = "x"
    buf = io.BytesIO()
    workbook.save(buf)
    decoded = read_document(buf.getvalue(), ".xlsx")
    assert decoded.text is None and "spans rows 1–1000000 and 1 columns, over the 200000-cell limit" in decoded.error


def test_html_declared_gb2312_holding_gbk_and_boilerplate_dropped():
    text = "2023年度预算数为1,234.56万元,负责人王堃。"  # 堃 is in GBK, not in GB2312
    decoded = read_document(F.html_page(text, encoding="gbk", declared="gb2312"), ".html")
    assert decoded.error is None and decoded.encoding == "gb18030"
    assert decoded.text == normalise(text)  # no navigation, breadcrumb, related articles, footer or script


def test_html_without_declared_charset_is_detected():
    page = "<html><body><p>2023年度部门整体支出绩效自评报告，预算执行率为97.20%。本部门严格执行预算。</p></body></html>"
    text, encoding = decode_html(page.encode("gb18030"))
    assert "预算执行率为97.20%" in text and encoding.lower().startswith("gb")


def test_html_table_spans_are_expanded():
    page = """<html><body><table><tr><th colspan="2">指标</th><th>得分</th></tr>
    <tr><td rowspan="2">产出</td><td>数量</td><td>20</td></tr><tr><td>质量</td><td>19</td></tr></table></body></html>"""
    decoded = read_document(page.encode(), ".html")
    assert decoded.text.split("\n") == ["| 指标 | 指标 | 得分 |", "| 产出 | 数量 | 20 |", "| 产出 | 质量 | 19 |"]


def test_old_word_files_and_empty_files_fail_with_advice():
    assert "save it as .docx or PDF" in read_document(b"\xd0\xcf\x11\xe0", ".doc").error
    assert read_document(b"", ".pdf").error == "empty file"
    assert read_document(b"not an image", ".png").error.startswith("corrupt or unknown image")


def test_table_row_line_renders_pipe_rows_and_single_valued_rows_as_text():
    assert table_row_line(("指标", "a|b", "")) == "| 指标 | a/b |  |"
    assert table_row_line(("标题", "标题", "")) == "标题"
    assert table_row_line(("", "")) == ""


def test_locate_merges_boxes_of_one_page_and_cell_ranges():
    spans = (Span(0, 10, Provenance("1", "bbox(72,700,300,712)")),
             Span(11, 20, Provenance("1", "bbox(72,680,500,692)")),
             Span(21, 30, Provenance("2", "bbox(72,780,200,792)", 0.5, True)))
    where = locate(spans, 5, 15)
    assert (where.page, where.locator, where.low_confidence) == ("1", "bbox(72,680,500,712)", False)
    assert locate(spans, 18, 25).low_confidence and locate(spans, 18, 25).page == "1"
    assert locate(spans, 40, 45).page is None
    assert merge_locators(["A5:H5", "B6:C6"]) == "A5:H6"
    assert merge_locators(["para 3", "para 4"]) == "para 3; para 4"
    assert spans_from_json(spans_to_json(spans)) == spans


def test_plain_text_facts_have_no_page_or_locator():
    money = parse_reports([ReportInput("r", "r.txt", REPORT)])["money_facts"]
    assert money.height and money["source_page"].is_null().all() and money["source_locator"].is_null().all()


def test_ocr_paragraphs_rebuild_lines_and_indents_in_points():
    lines = [ocr_module.OcrLine(t, box, 0.99) for t, box in [
        ("一、基本情况", (100, 100, 400, 130)),
        ("本部门预算数为", (160, 150, 900, 180)), ("1,234.56万元。", (920, 150, 1100, 180)),
        ("实际支出为1,200万元。", (100, 190, 700, 220)),
        ("二、结论", (100, 300, 300, 330)),
    ]]
    blocks = ocr_module.paragraphs(lines, "1", 842.0, 144, 0.85)
    assert [b.text for b in blocks] == [
        "一、基本情况", "本部门预算数为 1,234.56万元。\n实际支出为1,200万元。", "二、结论"]
    assert blocks[0].prov.locator == "bbox(50,777,200,792)"


def test_ocr_cache_is_keyed_by_image_content(tmp_path: Path, monkeypatch):
    from PIL import Image

    calls = []
    monkeypatch.setattr(ocr_module, "_recognise", lambda image: calls.append(1) or [
        ocr_module.OcrLine("预算", (1.0, 2.0, 3.0, 4.0), 0.9)])
    image = Image.new("L", (50, 20), 255)
    first = ocr_module.ocr_lines(image, tmp_path)
    assert ocr_module.ocr_lines(image.copy(), tmp_path) == first and len(calls) == 1
    ocr_module.ocr_lines(Image.new("L", (50, 21), 255), tmp_path)
    assert len(calls) == 2


def _ruled(xs: list[float], ys: list[float], skip: set[tuple[str, int, int]] = frozenset()) -> list:
    """Segments of a full grid over ``xs`` × ``ys``, leaving out ('v', row, col) / ('h', row, col) pieces."""
    from ingest.documents.grid import Segment

    out = []
    for r, y in enumerate(ys):
        for c in range(len(xs) - 1):
            if ("h", r, c) not in skip:
                out.append(Segment(True, y, xs[c], xs[c + 1]))
    for c, x in enumerate(xs):
        for r in range(len(ys) - 1):
            if ("v", r, c) not in skip:
                out.append(Segment(False, x, ys[r], ys[r + 1]))
    return out


def test_ruled_grid_gives_cells_with_spans_and_frames_are_not_tables():
    from ingest.documents.grid import Segment, expand, find_tables

    # 3 × 3 grid; the first column's rows 1-2 merged (no ruling between them), the top row merged across.
    segments = _ruled([0, 50, 100, 150], [0, 20, 40, 60], {("h", 2, 0), ("v", 0, 1), ("v", 0, 2)})
    segments += [Segment(True, 300, 0, 100), Segment(True, 330, 0, 100),  # a frame around one paragraph
                 Segment(False, 0, 300, 330), Segment(False, 100, 300, 330),
                 Segment(True, 400, 0, 200)]  # an underline
    (table,) = find_tables(segments, tol=2.0)
    assert (table.n_rows, table.n_cols) == (3, 3)
    spans = {(c.row, c.col): (c.rowspan, c.colspan) for c in table.cells}
    assert spans[(0, 0)] == (1, 3) and spans[(1, 0)] == (2, 1) and spans[(1, 1)] == (1, 1)
    grid = expand(table)
    assert grid[2][0] is grid[1][0] and grid[0][2] is grid[0][0]


def test_rulings_drawn_twice_or_in_pieces_are_one_line():
    from ingest.documents.grid import Segment, merge_segments

    merged = merge_segments([Segment(True, 10.0, 0, 50), Segment(True, 10.6, 50, 100), Segment(True, 10.3, 20, 60),
                             Segment(True, 30, 0, 40), Segment(True, 30, 60, 100)], tol=2.0)
    assert sorted((s.start, s.end) for s in merged if s.pos < 20) == [(0, 100)]
    assert sorted((s.start, s.end) for s in merged if s.pos > 20) == [(0, 40), (60, 100)]


def test_cell_text_wrapped_over_lines_is_joined():
    from ingest.documents.grid import join_wrapped

    assert join_wrapped(["按照年度工作", "计划完成", ""]) == "按照年度工作计划完成"
    assert join_wrapped(["1234", "567.89"]) == "1234567.89"
    assert join_wrapped(["PM2.5 monitoring", "stations"]) == "PM2.5 monitoring stations"


def _page_table(page: str, xs: list[float], rows: list[list[str]], merged_first_column: bool = False):
    from ingest.documents.grid import GridCell, RuledTable
    from ingest.documents.layout import PageTable

    ys = [100.0 + 20 * r for r in range(len(rows) + 1)]
    cells = []
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if merged_first_column and c == 0:
                if r == 0:
                    cells.append(GridCell(0, 0, len(rows), 1, (xs[0], ys[0], xs[1], ys[-1]), text))
                continue
            cells.append(GridCell(r, c, 1, 1, (xs[c], ys[r], xs[c + 1], ys[r + 1]), text))
    return PageTable(RuledTable(tuple(xs), tuple(ys), tuple(cells)), page, 842.0)


def test_table_continued_on_the_next_page_is_one_table():
    from ingest.documents.layout import assemble
    from ingest.documents.model import Block, Provenance

    head = ["指标", "目标", "得分"]
    first = _page_table("1", [0, 60, 120, 180], [head, ["绩效指标", "≥90%", "10"], ["绩效指标", "100%", "5"]])
    # page 2 repeats the header row; only the page number stands between the two parts
    second = _page_table("2", [0, 60, 120, 180], [head, ["", "=100%", "8"]])
    footer = Block("paragraph", Provenance("1", "bbox(280,20,300,30)"), "- 1 -")
    pages = assemble([("1", [first, footer]), ("2", [second])])
    (table,) = [b for p in pages for b in p.blocks if b.kind == "table"]
    assert [row.cells for row in table.rows] == [tuple(head), ("绩效指标", "≥90%", "10"), ("绩效指标", "100%", "5"),
                                                 ("", "=100%", "8")]
    assert [row.prov.page for row in table.rows] == ["1", "1", "1", "2"]


def test_block_label_cut_by_a_page_break_carries_on_and_finer_columns_are_merged_in():
    from ingest.documents.layout import assemble

    first = _page_table("1", [0, 60, 180], [["项目资金", "年度资金总额"], ["项目资金", "其他资金"]],
                        merged_first_column=True)
    second = _page_table("2", [0, 60, 120, 180], [["", "产出指标", "10"], ["", "效益指标", "5"]],
                         merged_first_column=True)
    (page, _) = assemble([("1", [first]), ("2", [second])])
    (table,) = page.blocks
    assert [row.cells for row in table.rows] == [
        ("项目资金", "年度资金总额", "年度资金总额"), ("项目资金", "其他资金", "其他资金"),
        ("项目资金", "产出指标", "10"), ("项目资金", "效益指标", "5")]
    assert table.rows[3].cell_provs[0].page == "1"  # the label's text is on page 1


def test_a_different_table_on_the_next_page_is_not_joined():
    from ingest.documents.layout import assemble

    first = _page_table("1", [0, 60, 120, 180], [["a", "b", "c"], ["1", "2", "3"]])
    second = _page_table("2", [0, 90, 180], [["x", "y"], ["7", "8"]])
    pages = assemble([("1", [first]), ("2", [second])])
    assert [len([b for b in p.blocks if b.kind == "table"]) for p in pages] == [1, 1]


def test_scanned_ruled_table_places_ocr_boxes_in_cells(monkeypatch):
    """A drawn 2 × 3 ruled table: each OCR box lands in the cell holding its centre, a cell whose mark the
    detector missed is recognised on its own, the title above stays a paragraph."""
    from PIL import Image, ImageDraw

    from ingest.documents.ocr import OcrLine, page_items
    image = Image.new("L", (900, 600), 255)
    draw = ImageDraw.Draw(image)
    for y in (200, 260, 320):
        draw.line((100, y, 700, y), fill=0, width=2)
    for x in (100, 300, 500, 700):
        draw.line((x, 200, x, 320), fill=0, width=2)
    draw.line((590, 290, 610, 235), fill=0, width=3)  # a '/' the detector will not report
    boxes = [OcrLine("项目支出绩效自评表", (300, 100, 500, 130), 0.99),
             OcrLine("全年预算数", (130, 215, 270, 245), 0.99),
             OcrLine("全年执行数", (330, 215, 470, 245), 0.99), OcrLine("2365.18", (140, 275, 260, 305), 0.7),
             OcrLine("2144.88", (340, 275, 460, 305), 0.99), OcrLine("得分", (560, 215, 640, 245), 0.99)]
    monkeypatch.setattr("ingest.documents.ocr.ocr_lines", lambda image, cache_dir: boxes)
    monkeypatch.setattr("ingest.documents.ocr._recognise_line", lambda crop: [OcrLine("/", (0, 0, 1, 1), 0.95)])
    items = page_items(image, "1", 600 * 72 / 150, 150, None, 0.85)
    assert [type(i).__name__ for i in items] == ["Block", "PageTable"]
    from ingest.documents.layout import assemble

    (page,) = assemble([("1", items)])
    title, table = page.blocks
    assert title.text == "项目支出绩效自评表"
    assert [row.cells for row in table.rows] == [("全年预算数", "全年执行数", "得分"), ("2365.18", "2144.88", "/")]
    low = table.rows[1].cell_provs[0]
    assert low.low_confidence and low.confidence == 0.7 and low.locator == "bbox(48,134,144,163)"


def test_text_pipe_rows_are_a_table_and_title_rows_paragraphs():
    text = "说明\n| 项目支出绩效自评表 | 项目支出绩效自评表 |\n| 指标 | 得分 |\n|---|---|\n| 总分 | 88.60 |\n结束\n"
    decoded = read_document(text.encode(), ".txt")
    blocks = decoded.document.pages[0].blocks
    assert [(b.kind, b.text) for b in blocks if b.kind != "table"] == [
        ("paragraph", "说明"), ("paragraph", "项目支出绩效自评表"), ("paragraph", "结束")]
    (table,) = [b for b in blocks if b.kind == "table"]
    assert [row.cells for row in table.rows] == [("指标", "得分"), ("总分", "88.60")]
    assert [p.locator for p in table.rows[1].cell_provs] == ["line 5 col 1", "line 5 col 2"]


def test_sheet_cells_stay_in_their_columns_and_carry_their_reference():
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["B1"], sheet["C1"] = "项目资金", "年初预算数", "全年预算数"
    sheet["B2"], sheet["C2"] = 100, 120.5
    sheet.merge_cells("A1:A2")
    buf = io.BytesIO()
    workbook.save(buf)
    table = read_document(buf.getvalue(), ".xlsx").document.pages[0].blocks[0]
    assert [row.cells for row in table.rows] == [("项目资金", "年初预算数", "全年预算数"), ("项目资金", "100", "120.5")]
    assert [p.locator for p in table.rows[1].cell_provs] == ["A1:A2", "B2", "C2"]


def test_a_hatch_of_lines_is_not_searched_as_a_table():
    from reportlab.pdfgen import canvas

    from ingest.documents.grid import MAX_CROSSINGS, Segment, find_tables

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=F.A4)
    for i in range(300):
        pdf.line(50, 50 + i * 2.5, 545, 50 + i * 2.5)
        pdf.line(50 + i * 1.6, 50, 50 + i * 1.6, 800)
    pdf.showPage()
    pdf.save()
    decoded = read_document(buf.getvalue(), ".pdf")
    assert decoded.error == "no text found in the file"
    assert not [b for p in decoded.document.pages for b in p.blocks if b.kind == "table"]
    n = int(MAX_CROSSINGS ** 0.5) + 1
    hatch = [Segment(True, 10.0 * i, 0, 10 * n) for i in range(n)] + [Segment(False, 10.0 * i, 0, 10 * n)
                                                                       for i in range(n)]
    assert find_tables(hatch, tol=1.0) == []
