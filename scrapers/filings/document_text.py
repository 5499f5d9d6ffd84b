"""Clean text of a 10-K, 10-Q or 8-K document (HTML or inline XBRL), section headings kept.

The output is paragraphs separated by blank lines. A heading is written on its own line
after one to four ``#`` (Markdown style), so the passage finder, a curator and a test all see
the section structure: ``#`` PART I / Section 5, ``##`` Item 7. / Item 1.01, ``###`` Note 4 —,
``####`` any other heading (an ``<h1>``–``<h6>`` or a short, wholly bold line). Table rows
become one line, cells joined by `` | ``.

What is dropped: the inline-XBRL header (hidden facts and contexts), anything styled
``display:none``, scripts and styles, page numbers and "Table of Contents" links between
pages. A paragraph split across a page break is joined again. Nothing is executed, nothing is
fetched, and absurd input (over ``MAX_HTML_SIZE``, nested deeper than ``MAX_DEPTH``) is a
``FilingParseError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from scrapers.filings.inputs import MAX_HTML_SIZE, clean_text, load_html, local_name

BLOCKS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "ul",
    }
)
SKIPPED = frozenset(
    {
        "head",
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "math",
        "object",
        "embed",
        "iframe",
        "button",
        "select",
        "textarea",
        "input",
        "references",
        "resources",
        "hidden",
    }
)
CELLS = frozenset({"td", "th"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_BOLD = re.compile(r"font-weight\s*:\s*(?:bold|bolder|[6-9]00)", re.I)
PART_HEADING = re.compile(r"^(?:PART\s+[IVX]+\b|SECTION\s+\d+\s*[—–.:-])", re.I)
ITEM_HEADING = re.compile(r"^ITEM\s+\d{1,2}[A-Z]?(?:\.\d{2})?\b", re.I)
NOTE_HEADING = re.compile(r"^NOTE\s+\d{1,2}\b", re.I)
_NOISE = re.compile(r"^(?:table of contents|index|page \d+|\d{1,3}|[ivxl]{1,6}|-\s*\d{1,3}\s*-)$", re.I)
_ENDS_SENTENCE = re.compile(r"[.!?:;\"”’)\]]$")
MAX_HEADING = 200


@dataclass
class _Block:
    """Text gathered for one paragraph, with how much of it was bold."""

    parts: list[str] = field(default_factory=list)
    bold: int = 0
    plain: int = 0
    heading_tag: int = 0

    def add(self, text: str | None, bold: bool) -> None:
        if not text:
            return
        self.parts.append(text)
        weight = sum(ch.isalnum() for ch in text)
        if bold:
            self.bold += weight
        else:
            self.plain += weight


@dataclass(frozen=True)
class _Paragraph:
    text: str
    level: int = 0  # 0 for body text, 1-4 for a heading
    row: bool = False


def filing_document_text(html: bytes | str, *, limit: int = MAX_HTML_SIZE) -> str:
    """Paragraphs of a filing document, headings marked with ``#``; see the module docstring."""
    root = load_html(html, what="filing document", limit=limit)
    paragraphs = _Walker().walk(root)
    lines = []
    kept = (p for p in paragraphs if not _NOISE.match(p.text) and any(ch.isalnum() for ch in p.text))
    for paragraph in _joined(kept):
        lines.append(f"{'#' * paragraph.level} {paragraph.text}" if paragraph.level else paragraph.text)
    return "\n\n".join(lines)


def _skipped(element: etree._Element, name: str) -> bool:
    if name in SKIPPED or (name == "header" and ":" in str(element.tag)):
        return True  # <ix:header> holds the hidden facts; an HTML <header> is kept
    return bool(_HIDDEN.search(element.get("style") or "")) or element.get("hidden") is not None


def _is_bold(element: etree._Element, name: str) -> bool:
    return name in ("b", "strong") or bool(_BOLD.search(element.get("style") or ""))


class _Walker:
    """One pass over the tree in document order, without recursion (depth is bounded anyway)."""

    def __init__(self) -> None:
        self.out: list[_Paragraph] = []
        self.block = _Block()
        self.bold: list[bool] = [False]
        self.headings: list[int] = []
        self.tables = 0
        self.cells: list[_Block] = []
        self.rows: list[tuple[list[str], _Block]] = []

    def walk(self, root: etree._Element) -> list[_Paragraph]:
        walker = etree.iterwalk(root, events=("start", "end"))
        skipping: list[etree._Element] = []
        for event, element in walker:
            name = local_name(element)
            if event == "start":
                if not isinstance(element.tag, str) or _skipped(element, name):
                    skipping.append(element)
                    walker.skip_subtree()
                    continue
                self._open(element, name)
            else:
                if skipping and skipping[-1] is element:
                    skipping.pop()
                else:
                    self._close(name)
                self._target().add(element.tail, self.bold[-1])
        self._flush_row()
        self._flush_table()
        self._flush()
        return self.out

    def _target(self) -> _Block:
        return self.cells[-1] if self.tables and self.cells else self.block

    def _open(self, element: etree._Element, name: str) -> None:
        if name == "table":
            self._flush()
            self.tables += 1
        elif self.tables and name == "tr":
            self._flush_row()
        elif self.tables and name in CELLS:
            self.cells.append(_Block())
        elif not self.tables and (name in BLOCKS or name == "br"):
            self._flush()
        elif name == "br":
            self._target().add(" ", False)
        if name in HEADINGS:
            self.headings.append(int(name[1]))
            self.block.heading_tag = self.headings[-1]
        self.bold.append(self.bold[-1] or _is_bold(element, name))
        self._target().add(element.text, self.bold[-1])

    def _close(self, name: str) -> None:
        self.bold.pop()
        if name in HEADINGS and self.headings:
            self.headings.pop()
        if name == "table" and self.tables:
            self._flush_row()
            self.tables -= 1
            if not self.tables:
                self._flush_table()
                self._flush()
        elif self.tables and name == "tr":
            self._flush_row()
        elif not self.tables and name in BLOCKS:
            self._flush()

    def _flush(self) -> None:
        block, self.block = self.block, _Block(heading_tag=self.headings[-1] if self.headings else 0)
        text = clean_text("".join(block.parts))
        if text:
            self.out.append(_Paragraph(text, _heading_level(text, block)))

    def _flush_row(self) -> None:
        cells, self.cells = self.cells, []
        texts = [t for t in (clean_text("".join(c.parts)) for c in cells) if t]
        if texts:
            weight = _Block(bold=sum(c.bold for c in cells), plain=sum(c.plain for c in cells))
            self.rows.append((texts, weight))

    def _flush_table(self) -> None:
        """A table's rows, one line each; a short "Item 7. | Title" row is that heading, except in a contents table."""
        rows, self.rows = self.rows, []
        contents = sum(bool(ITEM_HEADING.match(t[0]) and t[-1].isdigit()) for t, _ in rows) >= 3
        for texts, weight in rows:
            heading = " ".join(texts)
            level = 0 if contents or len(texts) > 3 else _heading_level(heading, weight)
            if level and (
                PART_HEADING.match(heading) or ITEM_HEADING.match(heading) or NOTE_HEADING.match(heading)
            ):
                self.out.append(_Paragraph(heading, level))
            else:
                self.out.append(_Paragraph(_row_text(texts), 0, row=True))


def _row_text(cells: list[str]) -> str:
    """Cells joined by " | "; a lone "$" or "(" joins the number after it, a lone "%" or ")" the one before."""
    merged: list[str] = []
    for cell in cells:
        if merged and (merged[-1] in ("$", "(", "$(") or cell in ("%", ")", ")%", "%)")):
            merged[-1] += cell
        else:
            merged.append(cell)
    return " | ".join(merged)


def _heading_level(text: str, block: _Block) -> int:
    if len(text) > MAX_HEADING or text.startswith("(") or not any(ch.isalpha() for ch in text):
        return 0
    bold = block.bold > 0 and block.bold >= 0.9 * (block.bold + block.plain)
    if not (bold or block.heading_tag or PART_HEADING.match(text) or ITEM_HEADING.match(text)):
        return 0
    if (bold or block.heading_tag) and len(text) > 80 and text.endswith("."):
        return 0  # a bold lead-in sentence, not a heading
    if PART_HEADING.match(text):
        return 1
    if ITEM_HEADING.match(text):
        return 2
    if NOTE_HEADING.match(text):
        return 3
    return 4 if (bold or block.heading_tag) else 0


def _joined(paragraphs) -> list[_Paragraph]:
    """Paragraphs with the halves of one split by a page break put back together."""
    out: list[_Paragraph] = []
    for paragraph in paragraphs:
        previous = out[-1] if out else None
        if (
            previous is not None
            and not previous.level
            and not previous.row
            and not paragraph.level
            and not paragraph.row
            and paragraph.text[:1].islower()
            and not _ENDS_SENTENCE.search(previous.text)
        ):
            out[-1] = _Paragraph(f"{previous.text} {paragraph.text}")
        else:
            out.append(paragraph)
    return out
