"""What a file is, judged by its first bytes, never by its name: evidence and letters alike."""

SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff(head: bytes) -> str | None:
    """The content type of a PDF, JPEG or PNG from its first 16 bytes, else None."""
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None
