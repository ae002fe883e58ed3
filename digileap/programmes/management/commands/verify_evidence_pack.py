import zipfile

from django.core.management.base import BaseCommand, CommandError

from digileap.core.audit import chain_head_hash
from digileap.programmes.evidence import verify_pack


class Command(BaseCommand):
    help = (
        "Check an evidence pack: every file's SHA-256 against its manifest. With --chain-head, also that "
        "the manifest's audit chain head is this database's current head."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--chain-head", action="store_true", help="Compare the manifest's audit chain head with this database's."
        )

    def handle(self, *args, file: str, chain_head: bool, **options):
        try:
            result = verify_pack(file, chain_head_hash() if chain_head else None)
        except (OSError, ValueError, zipfile.BadZipFile) as error:
            raise CommandError(f"{file}: {error}") from None
        if not result.ok:
            raise CommandError(f"{file} does not verify:\n" + "\n".join(result.problems))
        files = ", ".join(sorted(result.manifest["files"]))
        # A grant dossier (digileap.funding.dossier) verifies here too; it names no global chain head.
        head = result.manifest.get("audit_chain_head", "-")
        self.stdout.write(f"{file} verifies: {files}; audit chain head {head}.")
