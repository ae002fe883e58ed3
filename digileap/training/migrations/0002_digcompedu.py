"""Install DigCompEdu 1.0, the framework Digileap ships, from digileap/training/frameworks/digcompedu-1.0.json.

Written with the historical models so that it runs whatever the models become later. Later
corrections of the file's texts reach existing installations through
``services.frameworks.install_shipped_frameworks`` (run by seed_demo), not through this migration.
"""

import json
from pathlib import Path

from django.db import migrations

FILE = Path(__file__).resolve().parent.parent / "frameworks" / "digcompedu-1.0.json"


def install(apps, schema_editor):
    Framework = apps.get_model("training", "Framework")
    FrameworkLevel = apps.get_model("training", "FrameworkLevel")
    Area = apps.get_model("training", "Area")
    Competence = apps.get_model("training", "Competence")
    CompetenceLevel = apps.get_model("training", "CompetenceLevel")
    data = json.loads(FILE.read_text(encoding="utf-8"))
    if Framework.objects.filter(authority__isnull=True, code=data["code"], version=data["version"]).exists():
        return
    framework = Framework.objects.create(
        authority=None,
        code=data["code"],
        version=data["version"],
        name=data["name"],
        description=data.get("description", {}),
        source_url=data.get("source_url", ""),
    )
    levels = {
        level["code"]: FrameworkLevel.objects.create(
            framework=framework,
            code=level["code"],
            rank=level["rank"],
            name=level["name"],
            description=level.get("description", {}),
        )
        for level in data["levels"]
    }
    statements = []
    # Competences are numbered through the whole framework, so that ordering by ``order`` lists them
    # area by area (1.1, 1.2, … 6.5).
    order = 0
    for area_order, area_data in enumerate(data["areas"], start=1):
        area = Area.objects.create(
            framework=framework,
            code=area_data["code"],
            order=area_order,
            name=area_data["name"],
            description=area_data.get("description", {}),
        )
        for competence_data in area_data["competences"]:
            order += 1
            competence = Competence.objects.create(
                framework=framework,
                area=area,
                code=competence_data["code"],
                order=order,
                name=competence_data["name"],
                description=competence_data.get("description", {}),
            )
            statements += [
                CompetenceLevel(competence=competence, level=levels[level_code], statement=texts)
                for level_code, texts in competence_data["statements"].items()
            ]
    CompetenceLevel.objects.bulk_create(statements)


def uninstall(apps, schema_editor):
    Framework = apps.get_model("training", "Framework")
    data = json.loads(FILE.read_text(encoding="utf-8"))
    # Areas, competences, levels and statements go with it (on delete cascade).
    Framework.objects.filter(authority__isnull=True, code=data["code"], version=data["version"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
