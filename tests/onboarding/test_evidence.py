"""Evidence files are judged by their first bytes, never by their name or the browser's type."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onboarding.evidence import EvidenceError, inspect, sniff

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
LINUX_ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("order.pdf", PDF, "application/pdf"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("scan.png", PNG, "image/png"),
    ],
)
def test_pdf_jpeg_and_png_are_recognised_by_their_content(name, content, expected):
    file = upload(name, content)
    content_type, sha256 = inspect(file)
    assert content_type == expected
    assert sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize("content", [WINDOWS_EXE, LINUX_ELF], ids=["windows-exe", "linux-elf"])
def test_an_executable_named_pdf_is_rejected_whatever_the_browser_claims(content):
    with pytest.raises(EvidenceError) as exc:
        inspect(upload("order.pdf", content, "application/pdf"))
    assert "order.pdf" in str(exc.value.message)


def test_an_empty_file_is_rejected_and_the_message_names_it():
    with pytest.raises(EvidenceError) as exc:
        inspect(upload("blank.pdf", b"", "application/pdf"))
    assert "blank.pdf" in str(exc.value.message)


def test_a_file_shorter_than_any_signature_is_rejected():
    with pytest.raises(EvidenceError):
        inspect(upload("short.pdf", b"%PD"))


def test_a_file_over_the_limit_is_rejected_and_one_at_the_limit_is_accepted(settings):
    settings.EVIDENCE_MAX_BYTES = 100
    at_limit = PDF + b" " * (100 - len(PDF))
    assert len(at_limit) == 100
    assert inspect(upload("ok.pdf", at_limit))[0] == "application/pdf"
    with pytest.raises(EvidenceError) as exc:
        inspect(upload("big.pdf", at_limit + b" "))
    message = str(exc.value.message)
    assert "big.pdf" in message
    assert "100" in message  # the limit, as filesizeformat writes it


def test_a_file_over_the_limit_is_turned_away_for_its_size_before_its_content_is_read(settings):
    settings.EVIDENCE_MAX_BYTES = 10
    with pytest.raises(EvidenceError) as exc:
        inspect(upload("big.exe", WINDOWS_EXE))
    assert "10" in str(exc.value.message)  # the size message, not the "not a PDF" one
    assert "PDF" not in str(exc.value.message)


def test_a_pdf_named_png_is_accepted_as_a_pdf():
    content_type, _ = inspect(upload("scan.png", PDF, "image/png"))
    assert content_type == "application/pdf"


def test_a_png_named_pdf_is_accepted_as_a_png():
    content_type, _ = inspect(upload("order.pdf", PNG, "application/pdf"))
    assert content_type == "image/png"


def test_inspecting_leaves_the_file_ready_to_be_read_from_the_start():
    file = upload("order.pdf", PDF)
    inspect(file)
    assert file.read() == PDF


def test_the_hash_covers_the_whole_of_a_file_bigger_than_one_chunk(settings):
    settings.EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    content = PDF + bytes(range(256)) * 20_000  # about 5 MB, several chunks
    file = upload("big.pdf", content)
    assert inspect(file)[1] == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize("head", [b"", b"GIF89a", b"PK\x03\x04", b"<html>", b" %PDF-1.4"])
def test_sniffing_knows_only_the_three_formats_and_only_at_the_start(head):
    assert sniff(head) is None
