"""Build document fixtures from report text: text PDF, scanned PDF, DOCX, HTML and an XLSX form.

Every builder lays out the report's paragraphs (as ``normalise`` gives them) the way the format
usually holds them; none of them looks at what the text says.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

from ingest.normalise import normalise

CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
A4 = (595.0, 842.0)
MARGIN = 72.0


def paragraphs(text: str) -> list[str]:
    """The report's paragraphs, one per normalised line."""
    return normalise(text).split("\n")


def _layout(text: str, size: float, width_chars: int) -> list[list[tuple[float, str]]]:
    """Pages of (indent in points, line): paragraphs wrapped, first line indented two characters."""
    pages: list[list[tuple[float, str]]] = [[]]
    per_page = int((A4[1] - 2 * MARGIN) // (size * 1.6))
    for paragraph in paragraphs(text):
        wrapped = textwrap.wrap(paragraph, width_chars - 2, break_long_words=True) or [""]
        for n, line in enumerate(wrapped):
            if len(pages[-1]) >= per_page:
                pages.append([])
            pages[-1].append((2 * size if n == 0 else 0.0, line))
        if len(pages[-1]) < per_page:
            pages[-1].append((0.0, ""))
    return pages


def text_pdf(text: str, size: float = 11.0) -> bytes:
    """An A4 PDF with a text layer (reportlab, Adobe's built-in STSong-Light CJK font)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4)
    width_chars = int((A4[0] - 2 * MARGIN) // size)
    for number, page in enumerate(_layout(text, size, width_chars), start=1):
        pdf.setFont("STSong-Light", size)
        y = A4[1] - MARGIN
        for indent, line in page:
            y -= size * 1.6
            if line:
                pdf.drawString(MARGIN + indent, y, line)
        pdf.drawCentredString(A4[0] / 2, MARGIN / 2, f"— {number} —")
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def page_images(text: str, dpi: int = 200, size: float = 11.0) -> list:
    """A4 pages rendered as greyscale images, as a scanner would give them."""
    from PIL import Image, ImageDraw, ImageFont

    scale = dpi / 72
    font = ImageFont.truetype(str(CJK_FONT), round(size * scale))
    width_chars = int((A4[0] - 2 * MARGIN) // size)
    images = []
    for page in _layout(text, size, width_chars):
        image = Image.new("L", (round(A4[0] * scale), round(A4[1] * scale)), 255)
        draw = ImageDraw.Draw(image)
        y = MARGIN
        for indent, line in page:
            y += size * 1.6
            if line:
                draw.text(((MARGIN + indent) * scale, (y - size) * scale), line, font=font, fill=0)
        images.append(image)
    return images


def scanned_pdf(text: str, dpi: int = 200) -> bytes:
    """An image-only PDF (no text layer): the pages as scanned images."""
    images = page_images(text, dpi)
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return buf.getvalue()


def docx_file(text: str) -> bytes:
    """A .docx with one Word paragraph per report paragraph, the first as a Title."""
    import docx

    document = docx.Document()
    for n, paragraph in enumerate(paragraphs(text)):
        if paragraph.startswith("|"):
            cells = [c.strip() for c in paragraph.strip("|").split("|")]
            table = document.add_table(rows=1, cols=len(cells))
            for cell, value in zip(table.rows[0].cells, cells, strict=True):
                cell.text = value
        else:
            document.add_paragraph(paragraph, style="Title" if n == 0 else None)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def html_page(text: str, encoding: str = "gbk", declared: str = "gb2312") -> bytes:
    """A government web page: navigation, breadcrumb, the article, related articles and a footer."""
    import html

    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs(text))
    page = f"""<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={declared}">
<title>通知公告</title><style>p {{ text-indent: 2em; }}</style><script>var x = "预算数 1 万元";</script></head>
<body><div class="nav"><a href="/">首页</a> <a href="/zwgk">政务公开</a></div>
<div class="breadcrumb">当前位置：首页 &gt; 财政预决算</div>
<div class="article"><div class="content">{body}</div></div>
<div class="related-articles"><h3>相关文章</h3><ul><li>2022年度部门整体支出绩效自评报告</li></ul></div>
<footer>版权所有 主办单位 网站标识码 0000000000</footer></body></html>"""
    return page.encode(encoding)


def xlsx_form(text: str) -> bytes:
    """A one-sheet 自评表 workbook: each paragraph in a row merged across columns A:F."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "自评表"
    for row, paragraph in enumerate(paragraphs(text), start=1):
        if paragraph.startswith("|"):
            for col, value in enumerate((c.strip() for c in paragraph.strip("|").split("|")), start=1):
                sheet.cell(row=row, column=col, value=value)
        else:
            sheet.cell(row=row, column=1, value=paragraph)
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=6)
    buf = io.BytesIO()
    workbook.save(buf)
    return buf.getvalue()
