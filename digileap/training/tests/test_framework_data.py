"""The shipped DigCompEdu: its content in five languages, its installation (migration 0002 and
``install_shipped_frameworks``) and the selectors that find it."""

import json

import pytest

from digileap.core.models import AuditEvent
from digileap.programmes.translation import language_codes
from digileap.training.models import Area, Competence, CompetenceLevel, Framework, FrameworkLevel
from digileap.training.selectors.frameworks import digcompedu, framework_grid
from digileap.training.services.frameworks import SHIPPED_DIRECTORY, install_shipped_frameworks, shipped_specs

LEVELS = [
    ("A1", "Newcomer", "Einsteiger"),
    ("A2", "Explorer", "Entdecker"),
    ("B1", "Integrator", "Insider"),
    ("B2", "Expert", "Experte"),
    ("C1", "Leader", "Leader"),
    ("C2", "Pioneer", "Vorreiter"),
]
AREAS = {
    "1": ("Professional engagement", "Professionele betrokkenheid", "Engagement professionnel",
          "Berufliches Engagement", "Profesionālā iesaiste"),
    "2": ("Digital resources",),
    "3": ("Teaching and learning",),
    "4": ("Assessment",),
    "5": ("Empowering learners",),
    "6": ("Facilitating learners' digital competence",),
}  # fmt: skip
COMPETENCES = {
    "1.1": "Organisational communication",
    "1.2": "Professional collaboration",
    "1.3": "Reflective practice",
    "1.4": "Digital continuous professional development",
    "2.1": "Selecting",
    "2.2": "Creating and modifying",
    "2.3": "Managing, protecting and sharing",
    "3.1": "Teaching",
    "3.2": "Guidance",
    "3.3": "Collaborative learning",
    "3.4": "Self-regulated learning",
    "4.1": "Assessment strategies",
    "4.2": "Analysing evidence",
    "4.3": "Feedback and planning",
    "5.1": "Accessibility and inclusion",
    "5.2": "Differentiation and personalisation",
    "5.3": "Actively engaging learners",
    "6.1": "Information and media literacy",
    "6.2": "Digital communication and collaboration",
    "6.3": "Digital content creation",
    "6.4": "Responsible use",
    "6.5": "Digital problem solving",
}


def _file() -> dict:
    return json.loads((SHIPPED_DIRECTORY / "digcompedu-1.0.json").read_text(encoding="utf-8"))


def _all_texts(data: dict):
    yield "name", data["name"]
    yield "description", data["description"]
    for level in data["levels"]:
        yield f"level {level['code']} name", level["name"]
        yield f"level {level['code']} description", level["description"]
    for area in data["areas"]:
        yield f"area {area['code']} name", area["name"]
        yield f"area {area['code']} description", area["description"]
        for competence in area["competences"]:
            yield f"competence {competence['code']} name", competence["name"]
            yield f"competence {competence['code']} description", competence["description"]
            for level, statement in competence["statements"].items():
                yield f"competence {competence['code']} {level}", statement


def test_the_file_holds_digcompedu_with_every_text_in_five_languages():
    data = _file()
    assert (data["code"], data["version"]) == ("digcompedu", "1.0")
    assert data["source_url"] == "https://publications.jrc.ec.europa.eu/repository/handle/JRC107466"
    assert data["source"]["licence"] == "CC BY 4.0"
    assert "Redecker, C. (2017)" in data["source"]["citation"]
    assert [(level["code"], level["rank"], level["name"]["en"], level["name"]["de"]) for level in data["levels"]] == [
        (code, rank, en, de) for rank, (code, en, de) in enumerate(LEVELS, start=1)
    ]
    assert [area["code"] for area in data["areas"]] == list(AREAS)
    for area in data["areas"]:
        for language, expected in zip(language_codes(), AREAS[area["code"]], strict=False):
            assert area["name"][language] == expected
    competences = {c["code"]: c for area in data["areas"] for c in area["competences"]}
    assert {code: c["name"]["en"] for code, c in competences.items()} == COMPETENCES
    assert all(list(c["statements"]) == [code for code, _en, _de in LEVELS] for c in competences.values())
    texts = list(_all_texts(data))
    assert len(texts) == 2 + 6 * 2 + 6 * 2 + 22 * 2 + 132
    missing = [
        (where, language)
        for where, text in texts
        for language in language_codes()
        if not isinstance(text.get(language), str) or not text[language].strip()
    ]
    assert missing == []
    assert competences["1.1"]["statements"]["A1"]["en"] == (
        "I rarely use digital channels to communicate with colleagues, learners or parents."
    )
    assert competences["1.1"]["statements"]["C2"]["en"] == (
        "I contribute to developing and improving the school's communication strategy."
    )
    # Every statement is its own: no level repeats another's text in any language.
    for language in language_codes():
        statements = [c["statements"][level][language] for c in competences.values() for level in c["statements"]]
        assert len(set(statements)) == 132


def test_the_shipped_specs_pass_the_checks_of_a_loaded_file():
    (spec,) = shipped_specs()
    assert spec.counts() == {"areas": 6, "competences": 22, "levels": 6, "statements": 132}


@pytest.mark.django_db
def test_migration_installed_digcompedu_exactly_once():
    framework = Framework.objects.get(authority=None, code="digcompedu", version="1.0")
    assert framework.areas.count() == 6
    assert Competence.objects.filter(framework=framework).count() == 22
    assert FrameworkLevel.objects.filter(framework=framework).count() == 6
    assert CompetenceLevel.objects.filter(competence__framework=framework).count() == 132
    assert list(framework.levels.values_list("code", "rank")) == [
        (code, rank) for rank, (code, _e, _d) in enumerate(LEVELS, 1)
    ]
    assert list(framework.areas.values_list("code", flat=True)) == ["1", "2", "3", "4", "5", "6"]
    assert list(Competence.objects.filter(framework=framework).values_list("code", flat=True)) == list(COMPETENCES)
    statement = CompetenceLevel.objects.get(competence__framework=framework, competence__code="6.5", level__code="C2")
    assert set(statement.statement) == set(language_codes())
    assert framework.name["de"] == "DigCompEdu: Europäischer Rahmen für die Digitale Kompetenz Lehrender"
    assert digcompedu() == framework


@pytest.mark.django_db
def test_install_is_idempotent_and_repairs_texts_in_place():
    framework = digcompedu()
    counts = (
        Framework.objects.count(),
        Area.objects.count(),
        Competence.objects.count(),
        CompetenceLevel.objects.count(),
    )
    events = AuditEvent.objects.count()
    assert install_shipped_frameworks() == [framework]
    assert install_shipped_frameworks() == [framework]
    assert (
        Framework.objects.count(),
        Area.objects.count(),
        Competence.objects.count(),
        CompetenceLevel.objects.count(),
    ) == counts
    assert AuditEvent.objects.count() == events  # nothing changed, nothing recorded

    statement = CompetenceLevel.objects.get(competence__framework=framework, competence__code="3.2", level__code="B1")
    original = dict(statement.statement)
    statement.statement = {"en": "edited"}
    statement.save()
    Area.objects.filter(framework=framework, code="4").update(name={"en": "Assessing"})
    assert install_shipped_frameworks() == [framework]
    statement.refresh_from_db()
    assert statement.statement == original
    assert Area.objects.get(framework=framework, code="4").name["fr"] == "Évaluation"
    assert CompetenceLevel.objects.count() == counts[3]
    event = AuditEvent.objects.filter(object_type="training.framework", object_id=str(framework.pk)).latest("pk")
    assert event.action == "update"
    assert event.after == {"updated": ["statement 3.2 B1", "area 4"], "count": 2}


@pytest.mark.django_db
def test_install_on_an_empty_database_creates_it():
    created = AuditEvent.objects.filter(object_type="training.framework", action="create").count()
    Framework.objects.filter(authority=None).delete()
    assert digcompedu() is None
    (framework,) = install_shipped_frameworks()
    assert digcompedu() == framework
    grid = framework_grid(framework)
    assert (len(grid.levels), len(grid.areas), grid.competence_count, grid.statement_count) == (6, 6, 22, 132)
    assert AuditEvent.objects.filter(object_type="training.framework", action="create").count() == created + 1


@pytest.mark.django_db
def test_digcompedu_is_the_newest_shipped_version():
    from digileap.training.tests.factories import FrameworkFactory

    newer = FrameworkFactory(code="digcompedu", version="1.10")
    FrameworkFactory(code="digcompedu", version="1.2")
    assert digcompedu() == newer
