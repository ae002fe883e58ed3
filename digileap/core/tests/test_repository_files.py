"""The files a public administration looks for first: licence, contributing, security, changelog,
publiccode.yml (checked against the rules of the publiccode.yml standard 0.4 that a catalogue enforces)."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
LANGUAGES = ["en", "nl", "fr", "de", "lv"]


def test_the_licence_is_the_full_agpl_text():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("GNU AFFERO GENERAL PUBLIC LICENSE\nVersion 3, 19 November 2007")
    assert "13. Remote Network Interaction; Use with the GNU General Public License." in text
    assert "END OF TERMS AND CONDITIONS" in text
    assert len(text) > 30_000


def test_the_newcomer_files_exist_and_are_linked_from_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("LICENSE", "CONTRIBUTING.md", "SECURITY.md", "CHANGELOG.md", "publiccode.yml"):
        assert (ROOT / name).is_file(), name
        assert f"({name})" in readme, f"README does not link {name}"


def test_publiccode_yml_follows_the_standard():
    data = yaml.safe_load((ROOT / "publiccode.yml").read_text(encoding="utf-8"))
    for key in ("publiccodeYmlVersion", "name", "url", "platforms", "developmentStatus", "softwareType"):
        assert data[key], key
    assert data["publiccodeYmlVersion"] == "0.4"
    assert data["developmentStatus"] in {"concept", "development", "beta", "stable", "obsolete"}
    assert data["legal"]["license"] == "AGPL-3.0-or-later"
    assert data["maintenance"]["type"] in {"internal", "contract", "community", "none"}
    assert data["maintenance"]["contacts"]
    assert data["localisation"]["localisationReady"] is True
    assert data["localisation"]["availableLanguages"] == LANGUAGES
    assert sorted(data["description"]) == sorted(LANGUAGES)
    for language, description in data["description"].items():
        assert len(description["shortDescription"]) <= 150, language
        assert 150 <= len(description["longDescription"]) <= 10_000, language
        assert description["features"], language
