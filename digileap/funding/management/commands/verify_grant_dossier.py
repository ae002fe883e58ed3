import zipfile

from django.core.management.base import BaseCommand, CommandError

from ...dossier import verify_dossier


class Command(BaseCommand):
    help = (
        "Check a grant dossier: the manifest's own SHA-256 (manifest.sha256, or --manifest-sha256), every "
        "file's SHA-256 against the manifest, and no file outside it. Exits non-zero and names each file that "
        "does not match. (verify_evidence_pack checks the same hashes of a dossier, without its format.)"
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--manifest-sha256",
            dest="manifest_sha256",
            help="The manifest's SHA-256 as recorded elsewhere (printed by grant_dossier); it must match.",
        )

    def handle(self, *args, file: str, manifest_sha256: str | None, **options):
        try:
            result = verify_dossier(file, expected_manifest_sha256=manifest_sha256)
        except (OSError, ValueError, zipfile.BadZipFile) as error:
            raise CommandError(f"{file}: {error}") from None
        if not result.ok:
            raise CommandError(f"{file} does not verify:\n" + "\n".join(result.problems))
        grant = result.manifest.get("grant", {})
        self.stdout.write(
            f"{file} verifies: grant {grant.get('number')}, {len(result.manifest['files'])} files and the manifest "
            f"match their SHA-256; last audit entry {result.manifest.get('audit', {}).get('last_entry_hash')}."
        )
