"""Reproducible ZIP packs with a manifest of SHA-256 hashes, shared by the programmes' evidence
packs (``digileap.programmes.evidence``) and the funding app's grant dossiers
(``digileap.funding.dossier``).

A pack is a ZIP whose first entry is ``manifest.json``: a JSON object whose ``files`` maps every
other entry's name to ``{"sha256": ..., "bytes": ...}``. A pack may also hold
``manifest.sha256``, the manifest's own SHA-256 in ``sha256sum`` format (``<hex>  manifest.json``),
so that a changed manifest is found too, and so that the one line can be written down or signed
elsewhere. ``verify_manifest`` checks both; it knows nothing of what the files mean.

The same data gives the same bytes: entries are written with ``zip_info`` (a fixed date, Unix
permissions 0644, deflate), in a fixed order, with JSON from ``json_bytes`` (sorted keys).
"""

import csv
import datetime
import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from .exports import safe_cell

MANIFEST = "manifest.json"
MANIFEST_HASH = "manifest.sha256"
ZIP_FILE_MODE = 0o644 << 16


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def zip_info(name: str, day: datetime.date) -> zipfile.ZipInfo:
    """The header of an entry: the ``day`` at midnight, deflated, made on Unix, mode 0644, whatever
    machine or clock makes the pack."""
    info = zipfile.ZipInfo(name, date_time=(day.year, day.month, day.day, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = ZIP_FILE_MODE
    return info


def json_bytes(value: Any, *, indent: int | None = 2) -> bytes:
    """JSON with sorted keys, UTF-8, a final line feed when indented: the same value, the same bytes."""
    if indent is None:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return (json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=True) + "\n").encode("utf-8")


def csv_bytes(header: Iterable[str], rows: Iterable[Iterable]) -> bytes:
    """A CSV as the packs write them: ';', CR LF, UTF-8, cells that would start a formula escaped."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(list(header))
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def manifest_hash_line(manifest: bytes) -> bytes:
    """The text of ``manifest.sha256`` for these manifest bytes (``sha256sum -c`` reads it)."""
    return f"{sha256(manifest)}  {MANIFEST}\n".encode("ascii")


def write_pack(day: datetime.date, manifest: bytes, files: dict[str, bytes], *, hash_manifest: bool = True) -> bytes:
    """The ZIP of ``manifest`` (first), its hash line and ``files`` in sorted order, dated ``day``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zip_info(MANIFEST, day), manifest)
        if hash_manifest:
            archive.writestr(zip_info(MANIFEST_HASH, day), manifest_hash_line(manifest))
        for name in sorted(files):
            archive.writestr(zip_info(name, day), files[name])
    return buffer.getvalue()


@dataclass
class Verification:
    ok: bool
    problems: list[str]
    manifest: dict


def verify_manifest(file: IO[bytes] | str, *, expected_manifest_sha256: str | None = None) -> Verification:
    """Check that every file the manifest lists is in the ZIP with the SHA-256 it states, that
    nothing else is, and, where the pack holds ``manifest.sha256`` (or the caller gives
    ``expected_manifest_sha256``), that the manifest itself has that hash. Each problem names the
    file. Raises ``zipfile.BadZipFile`` or ``OSError`` for what is not a readable ZIP."""
    problems: list[str] = []
    with zipfile.ZipFile(file) as archive:
        names = archive.namelist()
        if MANIFEST not in names:
            return Verification(False, [f"{MANIFEST} is missing"], {})
        try:
            manifest_data = archive.read(MANIFEST)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as error:
            return Verification(False, [f"{MANIFEST} cannot be read: {error}"], {})
        digest = sha256(manifest_data)
        if MANIFEST_HASH in names:
            recorded = archive.read(MANIFEST_HASH).decode("ascii", errors="replace").split()
            if not recorded or recorded[0] != digest:
                problems.append(
                    f"{MANIFEST}: SHA-256 {digest} differs from {MANIFEST_HASH}'s {recorded[0] if recorded else ''}"
                )
        if expected_manifest_sha256 is not None and expected_manifest_sha256.lower() != digest:
            problems.append(f"{MANIFEST}: SHA-256 {digest} differs from the expected {expected_manifest_sha256}")
        try:
            manifest = json.loads(manifest_data)
        except ValueError:
            return Verification(False, [*problems, f"{MANIFEST} is not JSON"], {})
        listed = manifest.get("files", {}) if isinstance(manifest, dict) else {}
        for name, facts in sorted(listed.items()):
            if name not in names:
                problems.append(f"{name} is listed but missing")
                continue
            try:
                found = sha256(archive.read(name))
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as error:  # a damaged entry (CRC, deflate)
                problems.append(f"{name} cannot be read: {error}")
                continue
            if found != facts.get("sha256"):
                problems.append(f"{name}: SHA-256 {found} differs from the manifest's {facts.get('sha256')}")
        for name in names:
            if name not in (MANIFEST, MANIFEST_HASH) and name not in listed:
                problems.append(f"{name} is not in the manifest")
    return Verification(not problems, problems, manifest if isinstance(manifest, dict) else {})
