"""Uploaded documents → text lines: a government web page (UTF-8 and GBK), Word, PDF, text, and the
errors people meet. Every document is made here; nothing is read from the network or outside tests/.
"""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.enum.text import WD_BREAK
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from PIL import Image
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from recommender.ingest.clean import repeated_lines
from recommender.ingest.readers import MAX_BYTES, DocumentReadError, SourceText, read_document, read_path
from recommender.ingest.segment import CHAPTER, paragraphs, segment

# --- a government web page ------------------------------------------------------------------------

TITLE = "关于印发《浦东新区促进科技创新若干措施》的通知"
PREAMBLE = (
    "为深入贯彻落实国家创新驱动发展战略，加快建设具有全球影响力的科技创新中心核心区，"
    "现将《浦东新区促进科技创新若干措施》印发给你们，请认真贯彻执行。"
)
SIGNATURE = """
<p style="text-align:right">上海市浦东新区科技和经济委员会</p>
<p style="text-align:right">2023年6月15日</p>"""


def gov_page(charset: str = "utf-8", signature: str = SIGNATURE) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{TITLE}_上海市浦东新区人民政府</title>
<meta property="og:title" content="{TITLE}">
<link rel="stylesheet" href="/css/main.css">
<script>var _hmt = _hmt || [];</script>
</head>
<body>
<div class="top-bar">无障碍浏览　繁體版　English　登录</div>
<div class="header">
  <div class="logo">上海市浦东新区人民政府</div>
  <ul class="nav">
    <li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li><li><a href="/bsfw">办事服务</a></li>
    <li><a href="/hdjl">互动交流</a></li><li><a href="/zjpd">走进浦东</a></li>
  </ul>
  <form class="search"><input name="q" placeholder="请输入关键词"><button>搜索</button></form>
</div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a>
  &gt; <a href="/zcwj">政策文件</a></div>
<div class="main">
  <div class="article">
    <table class="meta-info">
      <tr><td>索引号：</td><td>PD-2023-KJW-0078</td><td>发布机构：</td><td>区科经委</td></tr>
    </table>
    <h1 class="article-title">{TITLE}</h1>
    <div class="article-info">发布日期：2023-06-15　来源：区科经委　浏览次数：1234　字号：[大 中 小]</div>
    <div class="article-content" id="zoom">
      <p style="text-align:center">浦科经委〔2023〕78号</p>
      <p>各有关单位：</p>
      <p>　　{PREAMBLE}</p>
      <p>一、支持企业加大研发投入</p>
      <p>（一）对年度研发投入超过1000万元的企业，按照研发投入增量的10%给予补贴，最高不超过200万元。</p>
      <p>（二）对首次认定的高新技术企业，给予一次性奖励20万元。联系人：王堃，电话：68541234。</p>
      <p>二、支持人才引进</p>
      <p>（一）对引进的高层次人才，给予最高100万元的安家补贴。</p>
      <p>支持标准如下表：</p>
      <table border="1" cellspacing="0">
        <tr><th>序号</th><th>支持事项</th><th>支持金额（万元）</th></tr>
        <tr><td>1</td><td>研发投入补贴</td><td>200</td></tr>
        <tr><td>2</td><td>高新技术企业奖励</td><td>20</td></tr>
      </table>
      <p>三、附则</p>
      <p>本措施自2023年7月1日起施行，有效期至2025年12月31日。</p>
      {signature}
    </div>
    <div class="article-tools">【<a href="javascript:window.print()">打印本页</a>】
      【<a href="javascript:window.close()">关闭窗口</a>】</div>
    <div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div>
  </div>
  <div class="sidebar related">
    <h3>相关文件</h3>
    <ul>
      <li><a href="/a">关于做好2023年度高新技术企业认定工作的通知</a></li>
      <li><a href="/b">浦东新区产业发展专项资金管理办法</a></li>
    </ul>
  </div>
</div>
<div class="footer">
  <p><a href="/sitemap">网站地图</a> | <a href="/contact">联系我们</a> | <a href="/privacy">隐私声明</a></p>
  <p>主办单位：上海市浦东新区人民政府办公室　版权所有</p>
  <p>沪ICP备12345678号　沪公网安备31011502000001号</p>
</div>
</body>
</html>
"""


BODY = [
    "浦科经委〔2023〕78号",
    "各有关单位：",
    PREAMBLE,
    "一、支持企业加大研发投入",
    "（一）对年度研发投入超过1000万元的企业，按照研发投入增量的10%给予补贴，最高不超过200万元。",
    "（二）对首次认定的高新技术企业，给予一次性奖励20万元。联系人：王堃，电话：68541234。",
    "二、支持人才引进",
    "（一）对引进的高层次人才，给予最高100万元的安家补贴。",
    "支持标准如下表：",
    "序号\t支持事项\t支持金额（万元）",
    "1\t研发投入补贴\t200",
    "2\t高新技术企业奖励\t20",
    "三、附则",
    "本措施自2023年7月1日起施行，有效期至2025年12月31日。",
    "上海市浦东新区科技和经济委员会",
    "2023年6月15日",
]
BOILERPLATE = ["首页", "政务公开", "当前位置", "无障碍", "搜索", "打印本页", "分享", "相关文件", "专项资金管理办法"]
BOILERPLATE += ["网站地图", "版权所有", "沪ICP备", "浏览次数"]


def assert_gov_page(source: SourceText) -> None:
    assert source.format == "html"
    assert source.lines == BODY
    text = "\n".join(source.lines)
    for word in BOILERPLATE:
        assert word not in text
    assert source.title == TITLE


def test_html_page_in_utf8_keeps_the_main_text_its_table_and_the_signature():
    assert_gov_page(read_document(gov_page().encode("utf-8"), "通知.html"))


def test_html_page_in_gbk_is_read_by_its_meta_charset():
    data = gov_page(charset="gb2312").encode("gbk")  # declared GB2312, holds 堃 (GBK only): read as GB18030
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert_gov_page(read_document(data, "通知.htm"))


def test_html_page_with_bom_and_a_signature_split_by_br_in_divs():
    signature = '<div align="right">上海市浦东新区科技和经济委员会<br>2023年6月15日</div>'
    source = read_document(b"\xef\xbb\xbf" + gov_page(signature=signature).encode("utf-8"), "通知.shtml")
    assert_gov_page(source)


def test_html_page_in_gbk_without_a_declaration_is_read_as_gb18030():
    data = gov_page().replace('<meta http-equiv="Content-Type" content="text/html; charset=utf-8">', "")
    assert_gov_page(read_document(data.encode("gb18030"), "通知.html"))


def test_html_lines_segment_into_the_pipelines_hierarchy():
    lines = read_document(gov_page().encode("utf-8"), "通知.html").lines
    paras = paragraphs(list(enumerate(lines, 1)), repeated_lines(lines))
    first = next(i for i, para in enumerate(paras) if CHAPTER.match(para.text))  # as build_document cuts
    clauses = segment(paras[first:])
    # an item "（一）…" carrying its text is a section of its own; its text follows the number
    assert [(c.chapter, (c.section or "")[:3], c.text[:5]) for c in clauses[:4]] == [
        ("一、支持企业加大研发投入", "（一）", "对年度研发"),
        ("一、支持企业加大研发投入", "（二）", "对首次认定"),
        ("二、支持人才引进", "（一）", "对引进的高"),
        ("二、支持人才引进", "（一）", "支持标准如"),
    ]


def test_html_paragraphs_separated_by_br_become_lines():
    body = "<br>\n".join(["一、总体要求", *(f"（{n}）第{n}项措施的具体内容，按照有关规定办理。" for n in "一二三")])
    page = f"<html><head><title>通知</title></head><body><div class='content'><p>{body}</p></div></body></html>"
    lines = read_document(page.encode("utf-8"), "a.html").lines
    assert lines == ["一、总体要求", *(f"（{n}）第{n}项措施的具体内容，按照有关规定办理。" for n in "一二三")]


def test_html_without_main_text_says_so():
    page = (
        "<html><head><title>通知</title></head><body><div id='app'></div><script src='/app.js'></script></body></html>"
    )
    with pytest.raises(DocumentReadError, match=r"^空页面\.html: .*未能从网页中找到正文"):
        read_document(page.encode("utf-8"), "空页面.html")


def test_html_extension_on_a_pdf_is_refused():
    with pytest.raises(DocumentReadError, match=r"^a\.html: .*内容是PDF"):
        read_document(b"%PDF-1.4\n%...", "a.html")


def test_html_extension_on_plain_text_is_refused():
    with pytest.raises(DocumentReadError, match=r"^a\.html: .*没有 HTML 标记"):
        read_document("一、总体要求".encode(), "a.html")


# --- Word ------------------------------------------------------------------------------------------


def make_docx() -> bytes:
    document = docx.Document()
    document.core_properties.title = "浦东新区促进科技创新若干措施"
    document.add_paragraph("浦东新区促进科技创新若干措施")
    document.add_paragraph("")  # an empty paragraph: skipped
    document.add_paragraph("一、支持企业加大研发投入")
    run = document.add_paragraph("（一）对首次认定的高新技术企业，给予一次性奖励20万元。").add_run()
    run.add_break(WD_BREAK.LINE)
    run.add_text("（二）对新认定的专精特新企业，给予奖励10万元。")
    table = document.add_table(rows=4, cols=3)
    for row, cells in zip(table.rows, [["序号", "支持事项", "责任单位"], ["1", "研发补贴", "区科经委"]], strict=False):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    merged = table.cell(2, 0).merge(table.cell(2, 2))  # one cell across the row
    merged.text = "（二）人才支持"
    table.cell(3, 0).text = "2"
    table.cell(3, 1).text = "安家补贴"
    table.cell(3, 2).text = "区人才局"
    table.cell(3, 2).add_paragraph("区财政局")  # a second paragraph in a cell
    document.add_paragraph("二、附则\t")
    document.add_paragraph("本措施自2023年7月1日起施行。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_keeps_paragraphs_and_table_rows_in_document_order():
    source = read_document(make_docx(), "措施.docx")
    assert source.format == "docx"
    assert source.title == "浦东新区促进科技创新若干措施"
    assert source.lines == [
        "浦东新区促进科技创新若干措施",
        "一、支持企业加大研发投入",
        "（一）对首次认定的高新技术企业，给予一次性奖励20万元。",
        "（二）对新认定的专精特新企业，给予奖励10万元。",
        "序号\t支持事项\t责任单位",
        "1\t研发补贴\t区科经委",
        "（二）人才支持",  # merged across the three columns: once
        "2\t安家补贴\t区人才局 区财政局",
        "二、附则",
        "本措施自2023年7月1日起施行。",
    ]


def test_docx_vertically_merged_cell_is_empty_below_its_first_row():
    document = docx.Document()
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "专项任务", "工作内容"
    top = table.cell(1, 0).merge(table.cell(2, 0))
    top.text = "激活一批潜力企业"
    table.cell(1, 1).text = "（1）深化产学研协同创新。"
    table.cell(2, 1).text = "（2）常态化拜访科学家团队。"
    out = io.BytesIO()
    document.save(out)
    lines = read_document(out.getvalue(), "t.docx").lines
    assert lines == [
        "专项任务\t工作内容",
        "激活一批潜力企业\t（1）深化产学研协同创新。",
        "\t（2）常态化拜访科学家团队。",
    ]


def test_docx_reads_tracked_insertions_and_content_controls_but_not_deletions():
    document = docx.Document()
    paragraph = document.add_paragraph("第一条 本办法适用于")
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    paragraph._p.append(
        etree.fromstring(f'<w:ins xmlns:w="{w}" w:id="1" w:author="a"><w:r><w:t>在浦东新区注册的</w:t></w:r></w:ins>')
    )
    paragraph._p.append(
        etree.fromstring(f'<w:del xmlns:w="{w}" w:id="2" w:author="a"><w:r><w:delText>全市</w:delText></w:r></w:del>')
    )
    paragraph._p.append(
        etree.fromstring(f'<w:sdt xmlns:w="{w}"><w:sdtContent><w:r><w:t>企业。</w:t></w:r></w:sdtContent></w:sdt>')
    )
    out = io.BytesIO()
    document.save(out)
    assert read_document(out.getvalue(), "修订.docx").lines == ["第一条 本办法适用于在浦东新区注册的企业。"]


def test_corrupt_docx_is_refused():
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("word/document.xml", "<w:document>broken")
    with pytest.raises(DocumentReadError, match=r"^坏\.docx: Word 文件已损坏"):
        read_document(data.getvalue(), "坏.docx")


def test_old_word_content_renamed_docx_is_refused_with_save_as_advice():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    with pytest.raises(DocumentReadError, match=r"^旧\.docx: .*另存为 \.docx"):
        read_document(ole, "旧.docx")


# --- PDF -------------------------------------------------------------------------------------------

pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
STYLE = ParagraphStyle("cn", fontName="STSong-Light", fontSize=12, leading=18, wordWrap="CJK")
LONG = "（一）对年度研发投入超过1000万元的企业，按照研发投入增量的10%给予补贴，最高不超过200万元，" * 2


def _page_number(pdf: canvas.Canvas, _doc: object) -> None:
    pdf.setFont("STSong-Light", 10)
    pdf.drawCentredString(A4[0] / 2, 30, f"- {pdf.getPageNumber()} -")
    pdf.drawRightString(A4[0] - 40, 30, f"第 {pdf.getPageNumber()} 页")


def make_pdf() -> bytes:
    table = Table(
        [["序号", "支持事项", "支持金额（万元）"], ["1", "研发投入补贴", "200"], ["2", "高新技术企业奖励", "20"]]
    )
    table.setStyle(
        TableStyle([("FONTNAME", (0, 0), (-1, -1), "STSong-Light"), ("GRID", (0, 0), (-1, -1), 0.5, colors.black)])
    )
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4).build(
        [
            Paragraph("浦科经委〔2023〕78号", STYLE),
            Paragraph("一、支持企业加大研发投入", STYLE),
            Paragraph(LONG, STYLE),
            Spacer(1, 12),
            table,
            Spacer(1, 12),
            Paragraph("二、附则", STYLE),
            Paragraph("上海市浦东新区科技和经济委员会", STYLE),
            Paragraph("2023年6月15日", STYLE),
        ],
        onFirstPage=_page_number,
        onLaterPages=_page_number,
    )
    return out.getvalue()


def test_pdf_with_cid_font_gives_text_lines_and_table_rows_in_reading_order():
    source = read_document(make_pdf(), "措施.pdf")
    assert source.format == "pdf"
    assert source.title is None
    lines = source.lines
    assert lines[:2] == ["浦科经委〔2023〕78号", "一、支持企业加大研发投入"]
    table_at = lines.index("序号\t支持事项\t支持金额（万元）")
    assert lines[2:table_at] == [LONG]  # the paragraph's lines, wrapped at the right margin, joined again
    assert lines[table_at:] == [
        "序号\t支持事项\t支持金额（万元）",
        "1\t研发投入补贴\t200",
        "2\t高新技术企业奖励\t20",
        "二、附则",
        "上海市浦东新区科技和经济委员会",
        "2023年6月15日",
    ]  # and no "- 1 -" / "第 1 页" line


def test_pdf_without_text_layer_is_called_a_scan():
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    pdf.rect(50, 50, 400, 600, fill=1)
    pdf.drawImage(ImageReader(Image.new("RGB", (60, 40), "gray")), 100, 700, width=120, height=80)
    pdf.showPage()
    pdf.save()
    with pytest.raises(DocumentReadError) as raised:
        read_document(out.getvalue(), "扫描件.pdf")
    assert str(raised.value) == (
        "扫描件.pdf: 这份 PDF 没有文字层（可能是扫描件），无法读取条文；请上传带文字的 PDF，或 Word / 网页版本"
    )


def test_password_protected_pdf_is_refused():
    from reportlab.lib.pdfencrypt import StandardEncryption

    out = io.BytesIO()
    pdf = canvas.Canvas(out, encrypt=StandardEncryption("secret"))
    pdf.drawString(100, 700, "hello")
    pdf.save()
    with pytest.raises(DocumentReadError, match=r"^密\.pdf: .*打开密码"):
        read_document(out.getvalue(), "密.pdf")


def test_not_a_pdf_named_pdf_is_refused():
    with pytest.raises(DocumentReadError, match=r"^x\.pdf: 扩展名是 \.pdf，但内容不是 PDF"):
        read_document(b"hello", "x.pdf")


def test_corrupt_pdf_is_refused():
    with pytest.raises(DocumentReadError, match=r"^坏\.pdf: PDF 文件已损坏"):
        read_document(b"%PDF-1.4\nrubbish", "坏.pdf")


# --- text files and common errors ------------------------------------------------------------------


def test_gb18030_text_file():
    text = "一、总体要求\r\n\r\n（一）支持𠀀字号企业。\u200b  \r\n序号\t事项\t\r\n\x0c第一条 本办法自印发之日起施行。\n"
    source = read_document(text.encode("gb18030"), "办法.txt")
    assert source == SourceText(
        name="办法.txt",
        format="text",
        lines=["一、总体要求", "（一）支持𠀀字号企业。", "序号\t事项\t", "第一条 本办法自印发之日起施行。"],
        title=None,
    )


def test_a_policy_text_or_page_in_big5_is_read_as_big5_not_as_gbk_garbage():
    """A policy saved on 繁体 Windows (Big5, no charset declared) was decoded as GB18030 without a word: 浦東新區 became
    狥穝跋, so its clauses named no district (the roster reader already checked; the documents'
    did not). GBK text in traditional characters is still read as GBK."""
    text = "第一條 為支持上海市浦東新區集成電路企業發展，制定本辦法。\n第二條 本辦法自發布之日起施行。\n"
    source = read_document(text.encode("big5"), "辦法.txt")
    assert source.lines == text.strip().split("\n")
    page = gov_page().replace('<meta http-equiv="Content-Type" content="text/html; charset=utf-8">', "")
    big5_page = page.replace("浦东新区", "浦東新區").encode("big5", "replace")
    assert "浦東新區" in " ".join(read_document(big5_page, "通知.html").lines)
    assert read_document(text.encode("gbk"), "辦法.txt").lines == text.strip().split("\n")
    short = "第一條　對企業給予補貼。\n第二條　對人才給予獎勵。\n"  # half its characters outside GB2312 as GB18030
    assert read_document(short.encode("big5"), "短.txt").lines == short.strip().split("\n")


def test_utf8_text_with_a_stray_byte_is_still_utf8():
    data = ("第一条 为了支持企业发展，制定本办法。" * 5).encode("utf-8") + b"\xff" + "第二条".encode()
    lines = read_document(data, "a.md").lines
    assert lines == ["第一条 为了支持企业发展，制定本办法。" * 5 + "\ufffd第二条"]


def test_undecodable_text_names_the_file():
    with pytest.raises(DocumentReadError, match=r"^乱码\.txt: 无法识别文字编码"):
        read_document(b"\x80\xff" * 50, "乱码.txt")


@pytest.mark.parametrize("name", ["x.doc", "x.wps", "x.xls"])
def test_old_office_formats_ask_to_save_as_docx_or_pdf(name):
    with pytest.raises(DocumentReadError, match=rf"^{name}: 暂不支持.*另存为 \.docx，或导出为 PDF"):
        read_document(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, name)


@pytest.mark.parametrize("name", ["x.zip", "x", "x.jpg"])
def test_other_formats_are_refused(name):
    with pytest.raises(DocumentReadError, match=rf"^{name}: "):
        read_document(b"data", name)


@pytest.mark.parametrize("name", ["空.txt", "空.html", "空.docx", "空.pdf"])
def test_empty_file_is_refused(name):
    with pytest.raises(DocumentReadError, match=rf"^{name}: 文件是空的"):
        read_document(b"", name)


def test_whitespace_only_text_is_refused():
    with pytest.raises(DocumentReadError, match=r"^空白\.txt: 文件里没有可读的文字"):
        read_document(" \r\n\u3000\t\n".encode(), "空白.txt")


def test_file_over_30_mb_is_refused():
    with pytest.raises(DocumentReadError, match=r"^大\.pdf: 文件太大.*30 MB"):
        read_document(b"%PDF-1.4\n" + b"0" * MAX_BYTES, "大.pdf")


def test_read_path_reads_a_file_and_names_a_missing_one(tmp_path):
    path = tmp_path / "通知.html"
    path.write_bytes(gov_page().encode("utf-8"))
    assert_gov_page(read_path(path))
    with pytest.raises(DocumentReadError, match=r"^不存在\.pdf: 无法打开文件（文件不存在）"):
        read_path(tmp_path / "不存在.pdf")
    (tmp_path / "目录.pdf").mkdir()
    with pytest.raises(DocumentReadError, match=r"^目录\.pdf: 无法打开文件"):
        read_path(tmp_path / "目录.pdf")


MAGIC = [b"", b"%PDF-1.4\n", b"PK\x03\x04", b"<html><body><p>", b"\xef\xbb\xbf", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from(MAGIC),
    body=st.binary(max_size=400),
    ext=st.sampled_from([".html", ".htm", ".docx", ".pdf", ".txt", ".md", ".doc", ".bin"]),
)
def test_random_bytes_give_text_or_document_read_error(prefix, body, ext):
    name = f"随机{ext}"
    try:
        source = read_document(prefix + body, name)
    except DocumentReadError as exc:
        assert str(exc).startswith(f"{name}: ")
    else:
        assert source.lines and all(line.strip() and "\n" not in line and "\r" not in line for line in source.lines)
