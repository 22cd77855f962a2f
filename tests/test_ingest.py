"""Reading documents: discovery, encodings, office formats and every input error."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from kgraph.errors import InputError
from kgraph.ingest import MEDIA_TYPES, decode, discover, read_document, slug

TEXT = "高雄市與日本熊本市締結友好城市。\n114年1月16日訪高。\n"


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def code(error: pytest.ExceptionInfo[InputError]) -> str:
    return error.value.code


# discover ---------------------------------------------------------------------


def test_discover_expands_folders_recursively_sorted_skipping_hidden_and_unsupported(
    tmp_path: Path,
) -> None:
    b = write(tmp_path / "b.txt", TEXT)
    a = write(tmp_path / "sub" / "a.md", TEXT)
    write(tmp_path / ".hidden.txt", TEXT)
    write(tmp_path / ".git" / "c.txt", TEXT)
    write(tmp_path / "image.png", b"\x89PNG")
    assert discover([tmp_path]) == [b, a]


def test_discover_keeps_explicit_files_in_order_without_duplicates(tmp_path: Path) -> None:
    b = write(tmp_path / "b.txt", TEXT)
    a = write(tmp_path / "a.txt", TEXT)
    assert discover([str(b), a, b]) == [b, a]


def test_discover_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputError) as error:
        discover([tmp_path / "missing.txt"])
    assert code(error) == "E001" and "missing.txt" in str(error.value)


def test_discover_explicit_unsupported_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as error:
        discover([write(tmp_path / "report.doc", b"x")])
    assert code(error) == "E004" and "'.doc'" in str(error.value)


def test_discover_nothing_found(tmp_path: Path) -> None:
    write(tmp_path / "notes.csv", "a,b")
    with pytest.raises(InputError) as error:
        discover([tmp_path])
    assert code(error) == "E007"


# text files -------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        TEXT.encode("utf-8-sig"),
        TEXT.encode("utf-16"),
        b"\xff\xfe" + TEXT.encode("utf-16-le"),
        b"\xfe\xff" + TEXT.encode("utf-16-be"),
        TEXT.encode("utf-16-le"),
        TEXT.encode("utf-16-be"),
        TEXT.encode("big5"),
        TEXT.encode("cp950"),
    ],
    ids=[
        "utf8",
        "utf8-bom",
        "utf16",
        "utf16le-bom",
        "utf16be-bom",
        "utf16le",
        "utf16be",
        "big5",
        "cp950",
    ],
)
def test_text_encodings_decode_to_the_same_text(tmp_path: Path, data: bytes) -> None:
    document = read_document(write(tmp_path / "Report 2023_v1.txt", data))
    assert document.text == TEXT
    assert (document.doc_id, document.name, document.media_type) == (
        "report-2023-v1",
        "Report 2023_v1.txt",
        "text/plain",
    )
    assert document.path == str(tmp_path / "Report 2023_v1.txt")


def test_markdown_media_type(tmp_path: Path) -> None:
    assert read_document(write(tmp_path / "a.md", "# 標題\n內容")).media_type == "text/markdown"


def test_decode_falls_back_to_charset_detection() -> None:
    assert decode("Café déjà vu, naïve façade".encode("latin-1")) is not None


@pytest.mark.parametrize("data", [b"", b"   \n\t\n", "\u3000\n".encode()])
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(InputError) as error:
        read_document(write(tmp_path / "empty.txt", data))
    assert code(error) == "E002"


@pytest.mark.parametrize("data", [b"PK\x03\x04\x00\x00binary\x00\x01", bytes(range(256)) * 4])
def test_binary_file(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(InputError) as error:
        read_document(write(tmp_path / "data.txt", data))
    assert code(error) == "E003"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as error:
        read_document(tmp_path / "missing.txt")
    assert code(error) == "E001"


def test_unsupported_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as error:
        read_document(write(tmp_path / "a.rtf", "x"))
    assert code(error) == "E004"


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "secret.txt", TEXT)

    def deny(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(InputError) as error:
        read_document(path)
    assert code(error) == "E008"


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("kaohsiung-2022-annual-report", "kaohsiung-2022-annual-report"),
        ("Kaohsiung  Report (Final)", "kaohsiung-report-final"),
        ("高雄市 國際事務", "高雄市-國際事務"),
        ("ＡＢＣ１２３", "abc123"),
        ("???", "doc"),
    ],
)
def test_slug(stem: str, expected: str) -> None:
    assert slug(stem) == expected


# office formats ---------------------------------------------------------------


def test_docx_paragraphs_and_table_cells_in_document_order(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("高雄市政府行政暨國際處")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "壹、國際事務"
    table.cell(0, 1).text = "1.辦理訪賓接待業務"
    document.add_paragraph("報告完畢")
    path = tmp_path / "r.docx"
    document.save(str(path))
    read = read_document(path)
    assert read.text.split("\n") == [
        "高雄市政府行政暨國際處",
        "壹、國際事務",
        "1.辦理訪賓接待業務",
        "報告完畢",
    ]
    assert read.media_type == MEDIA_TYPES[".docx"]


def test_pptx_text_frames_slide_by_slide(tmp_path: Path) -> None:
    from pptx import Presentation
    from pptx.util import Inches

    presentation = Presentation()
    for lines in (["拓展城市外交", "締盟城市 波蘭"], ["國際訪賓"]):
        slide = presentation.slides.add_slide(presentation.slide_layouts[6])
        for i, line in enumerate(lines):
            box = slide.shapes.add_textbox(Inches(1), Inches(1 + i), Inches(4), Inches(1))
            box.text_frame.text = line
    path = tmp_path / "s.pptx"
    presentation.save(str(path))
    assert read_document(path).text == "拓展城市外交\n締盟城市 波蘭\n\n國際訪賓"


def _pdf_with_text(text: str) -> bytes:
    """A minimal one-page PDF with a Helvetica text line, built by hand (no extra package)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def test_pdf_text(tmp_path: Path) -> None:
    document = read_document(write(tmp_path / "r.pdf", _pdf_with_text("Kaohsiung 2023 report")))
    assert "Kaohsiung 2023 report" in document.text
    assert document.media_type == "application/pdf"


def test_blank_pdf_is_empty(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    path = tmp_path / "blank.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(InputError) as error:
        read_document(path)
    assert code(error) == "E002"


@pytest.mark.parametrize("suffix", [".docx", ".pdf", ".pptx"])
def test_corrupt_office_files(tmp_path: Path, suffix: str) -> None:
    with pytest.raises(InputError) as error:
        read_document(write(tmp_path / f"broken{suffix}", b"this is not a real file\x00\x01"))
    assert code(error) == "E006"
    assert "\n" not in str(error.value)


# damaged text --------------------------------------------------------------------


def test_text_cut_off_mid_character_loses_only_that_character(tmp_path: Path) -> None:
    data = TEXT.encode("utf-8") + "高".encode()[:2]
    assert read_document(write(tmp_path / "cut.txt", data)).text == TEXT


def test_mixed_encodings_are_refused(tmp_path: Path) -> None:
    data = (TEXT * 5).encode("utf-8") + "高雄市政府新聞稿".encode("cp950") + TEXT.encode()
    with pytest.raises(InputError) as error:
        read_document(write(tmp_path / "mixed.txt", data))
    assert code(error) == "E013"
    assert "mixed.txt" in str(error.value) and "\n" not in str(error.value)


def test_big5_with_a_few_utf8_like_pairs_is_still_big5(tmp_path: Path) -> None:
    text = "高雄市政府與熊本市簽署友好交流協定，雙方將於明年互訪。\n" * 20
    assert read_document(write(tmp_path / "big5.txt", text.encode("cp950"))).text == text


def test_a_text_file_too_large_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "dump.txt"
    with path.open("wb") as handle:  # sparse: 100 MB on paper, nothing on disk
        handle.truncate(100 * 1024 * 1024)

    def never(self: Path) -> bytes:
        raise AssertionError("read a file that is too large")

    monkeypatch.setattr(Path, "read_bytes", never)
    with pytest.raises(InputError) as error:
        read_document(path)
    assert code(error) == "E009"
    assert "dump.txt" in str(error.value) and "100 MB" in str(error.value)


def test_a_file_without_line_breaks_is_read(tmp_path: Path) -> None:
    text = TEXT.replace("\n", "") * 2000
    assert read_document(write(tmp_path / "one-line.txt", text)).text == text


def test_a_symlink_loop_is_named_not_followed(tmp_path: Path) -> None:
    loop = tmp_path / "loop.txt"
    loop.symlink_to(tmp_path / "loop.txt")
    assert discover([tmp_path]) == [loop]
    with pytest.raises(InputError) as error:
        read_document(loop)
    assert code(error) == "E014"
