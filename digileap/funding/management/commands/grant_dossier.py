import io
import zipfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from digileap.core.packs import MANIFEST, sha256

from ...dossier import DossierError, build_dossier, find_grant


class Command(BaseCommand):
    help = (
        "Write the dossier (ZIP) of a grant for auditors: application versions and documents, review, "
        "decisions and letters, claims and invoices, payments, proof of use, events and audit trail, with a "
        "manifest of SHA-256 hashes. The same data gives the same bytes."
    )

    def add_arguments(self, parser):
        parser.add_argument("grant", help="The grant's number, or its id.")
        parser.add_argument("--output", required=True, help="Where to write the ZIP.")

    def handle(self, *args, grant: str, output: str, **options):
        try:
            found = find_grant(grant)
        except DossierError as error:
            raise CommandError(str(error)) from None
        data = build_dossier(found)
        Path(output).write_bytes(data)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            manifest_hash = sha256(archive.read(MANIFEST))
            entries = len(archive.namelist())
        self.stdout.write(
            f"{output}: grant {found.number}, {entries} files, {len(data)} bytes, SHA-256 {sha256(data)}; "
            f"{MANIFEST} SHA-256 {manifest_hash}"
        )
