"""Find source documents and read each into a :class:`Document` whose text is never altered.

The text a Document keeps is the "original text": every later offset (a quote
in the graph, a unit's span) counts characters in it, so readers decode once
and never clean anything here.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from kgraph.errors import Errors, InputError
from kgraph.model import Document

MEDIA_TYPES = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
SUPPORTED = tuple(MEDIA_TYPES)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")
_MAX_CONTROL_RATIO = 0.01
_REASON_LEN = 120
MAX_TEXT_BYTES = 32 * 1024 * 1024
"""A plain-text file larger than this is refused: no report comes near it (the largest
annual report is a few MB of text), and one that large is most likely a data dump."""
_MOSTLY = 0.5  # share of non-ASCII bytes that are UTF-8 for a file to be mostly UTF-8


def discover(paths: Sequence[str | Path]) -> list[Path]:
    """Expand folders into the documents inside them, so that a command accepts either.

    Files named explicitly must exist and have a supported type; inside folders,
    hidden and unsupported files are skipped silently.

    >>> discover(["/no/such/file.txt"])
    Traceback (most recent call last):
    ...
    kgraph.errors.InputError: [E001] no such file or folder: /no/such/file.txt
    """
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found.extend(_in_folder(path))
        elif path.is_file():
            _check_suffix(path)
            found.append(path)
        else:
            raise InputError(Errors.E001, path=str(given))
    if not found:
        raise InputError(Errors.E007, paths=", ".join(str(p) for p in paths) or "(none)")
    return list(dict.fromkeys(found))


def _in_folder(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.rglob("*")
        if (path.is_file() or path.is_symlink())  # a broken link is reported, not ignored
        and path.suffix.lower() in MEDIA_TYPES
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def _check_suffix(path: Path) -> None:
    if path.suffix.lower() not in MEDIA_TYPES:
        raise InputError(
            Errors.E004,
            path=str(path),
            suffix=path.suffix or "(none)",
            supported=", ".join(SUPPORTED),
        )


def slug(stem: str) -> str:
    """A stable document id from a file name: ASCII letters, digits, CJK, joined by '-'.

    >>> slug("Kaohsiung 2023_Annual Report"), slug("高雄市 114年 報告"), slug("…")
    ('kaohsiung-2023-annual-report', '高雄市-114年-報告', 'doc')
    """
    out: list[str] = []
    for ch in unicodedata.normalize("NFKC", stem).lower():
        if (ch.isascii() and ch.isalnum()) or _is_cjk(ch):
            out.append(ch)
        elif ch in " -_.\t" or ch.isspace():
            out.append("-")
    return re.sub(r"-{2,}", "-", "".join(out)).strip("-") or "doc"


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x3FFFF


def read_document(path: str | Path) -> Document:
    """Read one file of any supported type into a Document (errors name the file).

    >>> read_document("/no/such.txt")
    Traceback (most recent call last):
    ...
    kgraph.errors.InputError: [E001] no such file or folder: /no/such.txt
    """
    path = Path(path)
    if path.is_symlink() and not path.exists():
        raise InputError(Errors.E014, path=str(path))
    if not path.is_file():
        raise InputError(Errors.E001, path=str(path))
    suffix = path.suffix.lower()
    _check_suffix(path)
    reader = _READERS.get(suffix, _read_text)
    try:
        text = reader(path)
    except PermissionError as error:
        raise InputError(Errors.E008, path=str(path)) from error
    except OSError as error:
        raise InputError(Errors.E006, path=str(path), reason=error.strerror or error) from None
    if not text.strip():
        raise InputError(Errors.E002, path=str(path))
    return Document(
        doc_id=slug(path.stem),
        name=path.name,
        path=str(path),
        text=text,
        media_type=MEDIA_TYPES[suffix],
    )


def _read_text(path: Path) -> str:
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        mb = 1024 * 1024
        raise InputError(Errors.E009, path=str(path), size=size // mb, limit=MAX_TEXT_BYTES // mb)
    data = path.read_bytes()
    if not data.strip():
        raise InputError(Errors.E002, path=str(path))
    mixed = _mostly_utf8(data)
    if mixed is not None:
        raise InputError(Errors.E013, path=str(path), bad=mixed[0], at=mixed[1])
    text = decode(data)
    if text is None or _looks_binary(text):
        raise InputError(Errors.E003, path=str(path))
    return text


def decode(data: bytes) -> str | None:
    """Decode a text file: BOMs, UTF-16 without BOM, UTF-8, then Big5/CP950 and others.

    Returns None for bytes that are not text. A UTF-8 BOM is dropped, so that
    offsets count characters of the text a reader sees.

    >>> decode("高雄".encode("cp950")), decode("\\ufeff高雄".encode("utf-8"))
    ('高雄', '高雄')
    >>> decode(b"\\x00\\x01\\x02") is None
    True
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data, encoding)
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    if b"\x00" in data:
        return None
    text = _utf8_prefix(data)  # a file cut off mid-character loses only that character
    return text if text is not None else _detect(data)


def _mostly_utf8(data: bytes) -> tuple[int, int] | None:
    """(bytes that are not UTF-8, offset of the first) for a file that is mostly UTF-8 but
    not all, as when parts in Big5 were pasted into it; None for UTF-8 (a last character
    cut short included) and for files in another encoding, which :func:`decode` reads.

    >>> _mostly_utf8("高雄市政府".encode() + "高雄".encode("cp950"))
    (4, 15)
    >>> _mostly_utf8("高雄".encode()[:-1]) is None
    True
    """
    if _utf8_prefix(data) is not None:
        return None
    text = data.decode("utf-8", errors="replace")
    good = sum(len(ch.encode()) for ch in text if "\x80" <= ch != "\ufffd")
    non_ascii = sum(b >= 0x80 for b in data)
    if good < _MOSTLY * non_ascii:
        return None
    return non_ascii - good, len(text[: text.index("\ufffd")].encode())


def _utf8_prefix(data: bytes) -> str | None:
    """The text of UTF-8 bytes whose last character may be cut short (a truncated file)."""
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError:
        return None


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _utf16_without_bom(data: bytes) -> str | None:
    """ASCII characters (newlines at least) put NUL bytes on one side of each pair."""
    if len(data) < 2 or len(data) % 2 or b"\x00" not in data:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    encoding = "utf-16-le" if odd > even else "utf-16-be"
    text = _strict(data, encoding)
    return text if text is not None and "\x00" not in text else None


def _detect(data: bytes) -> str | None:
    """Legacy encodings: Taiwanese files are Big5/CP950, so try those before guessing."""
    for encoding in ("cp950", "big5hkscs"):
        text = _strict(data, encoding)
        if text is not None and any(_is_cjk(ch) for ch in text):
            return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return str(best) if best is not None else None


def _looks_binary(text: str) -> bool:
    return len(_CONTROL.findall(text)) > _MAX_CONTROL_RATIO * len(text) or "\x00" in text


def _read_docx(path: Path) -> str:
    """Paragraphs and table cells in document order (reports are often one big table)."""
    import docx

    try:
        document = docx.Document(str(path))
    except PermissionError:
        raise
    except Exception as error:  # PackageNotFoundError, zipfile.BadZipFile, KeyError, lxml
        _corrupt(path, error)
    return "\n".join(_docx_blocks(document.element.body))


def _docx_blocks(body: object) -> list[str]:
    from docx.oxml.ns import qn

    lines: list[str] = []
    for child in body.iterchildren():  # type: ignore[attr-defined]
        if child.tag == qn("w:p"):
            lines.append(_docx_paragraph(child))
        elif child.tag == qn("w:tbl"):
            lines.extend(_docx_table(child))
    return lines


def _docx_paragraph(element: object) -> str:
    from docx.oxml.ns import qn

    return "".join(node.text or "" for node in element.iter(qn("w:t")))  # type: ignore[attr-defined]


def _docx_table(table: object) -> list[str]:
    """Each cell once (a merged cell repeats in python-docx), nested tables included."""
    from docx.oxml.ns import qn

    lines: list[str] = []
    for row in table.iterchildren(qn("w:tr")):  # type: ignore[attr-defined]
        for cell in row.iterchildren(qn("w:tc")):
            lines.extend(_docx_blocks(cell))
    return lines


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise InputError(Errors.E006, path=str(path), reason="the PDF is encrypted")
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (InputError, PermissionError):
        raise
    except Exception as error:  # pypdf raises many types for broken files
        _corrupt(path, error)


def _read_pptx(path: Path) -> str:
    """Every shape's text frame, slide by slide, a blank line between slides."""
    from pptx import Presentation

    try:
        presentation = Presentation(str(path))
    except PermissionError:
        raise
    except Exception as error:  # zipfile.BadZipFile, KeyError, lxml errors
        _corrupt(path, error)
    slides = []
    for slide in presentation.slides:
        texts = [t for shape in slide.shapes for t in _shape_texts(shape) if t.strip()]
        slides.append("\n".join(texts))
    return "\n\n".join(slides)


def _shape_texts(shape: object) -> list[str]:
    texts: list[str] = []
    for child in getattr(shape, "shapes", ()):  # group shapes
        texts.extend(_shape_texts(child))
    if getattr(shape, "has_text_frame", False):
        texts.append(shape.text_frame.text)  # type: ignore[attr-defined]
    if getattr(shape, "has_table", False):
        for row in shape.table.rows:  # type: ignore[attr-defined]
            texts.extend(cell.text for cell in row.cells)
    return texts


def _corrupt(path: Path, error: BaseException) -> NoReturn:
    """Raise E006 with a one-line reason, whatever the library raised."""
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    raise InputError(Errors.E006, path=str(path), reason=reason[:_REASON_LEN]) from error


_READERS: dict[str, Callable[[Path], str]] = {
    ".txt": _read_text,
    ".md": _read_text,
    ".docx": _read_docx,
    ".pdf": _read_pdf,
    ".pptx": _read_pptx,
}
