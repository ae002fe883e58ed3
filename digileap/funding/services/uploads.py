"""Uploaded documents of applications go through the project's one upload check
(``digileap.core.uploads.check_upload``): PDF, images and office formats, judged by their content
and agreeing with their name, within ``DIGILEAP_UPLOAD_MAX_BYTES``."""

import hashlib

from digileap.core.uploads import DOCUMENTS, check_upload


def inspect_upload(upload, *, field: str = "file") -> tuple[bytes, str, str]:
    """``(content, content_type, sha256)`` of an allowed upload; a ``ValidationError`` on ``field`` otherwise."""
    kind = check_upload(upload, allowed=DOCUMENTS, field=field)
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    return content, kind.content_type, hashlib.sha256(content).hexdigest()
