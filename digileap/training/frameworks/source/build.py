"""Write ../digcompedu-1.0.json from the Python sources beside this file.

    .venv/bin/python digileap/training/frameworks/source/build.py

The JSON file is what Digileap reads (migration 0002, ``install_shipped_frameworks``); these sources
only keep the five languages of each text side by side for editing. The script refuses to write a
file with a missing text, a duplicate code or a competence without six statements.
"""

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # mypy reads the sources as modules of this folder's package
    from digileap.training.frameworks.source import area1, area2, area3, area4, area5, area6, meta
else:  # the script runs beside them
    import area1
    import area2
    import area3
    import area4
    import area5
    import area6
    import meta

TARGET = Path(__file__).resolve().parent.parent / "digcompedu-1.0.json"


def texts(values: tuple, where: str) -> dict[str, str]:
    if len(values) != len(meta.LANGUAGES) or not all(isinstance(v, str) and v.strip() for v in values):
        raise SystemExit(f"{where}: needs a non-empty text in each of {', '.join(meta.LANGUAGES)}")
    return dict(zip(meta.LANGUAGES, (v.strip() for v in values), strict=True))


def build() -> dict:
    level_codes = [code for code, _rank, _name, _description in meta.LEVELS]
    levels = [
        {
            "code": code,
            "rank": rank,
            "name": texts(name, f"level {code} name"),
            "description": texts(description, f"level {code} description"),
        }
        for code, rank, name, description in meta.LEVELS
    ]
    areas = []
    seen: set[str] = set()
    for module in (area1, area2, area3, area4, area5, area6):
        code, name, description, competences = module.AREA
        area = {
            "code": code,
            "name": texts(name, f"area {code} name"),
            "description": texts(description, f"area {code} description"),
            "competences": [],
        }
        for competence_code, competence_name, competence_description, statements in competences:
            if competence_code in seen or not competence_code.startswith(f"{code}."):
                raise SystemExit(f"competence {competence_code}: duplicate or outside area {code}")
            seen.add(competence_code)
            if len(statements) != len(level_codes):
                raise SystemExit(f"competence {competence_code}: {len(statements)} statements, not {len(level_codes)}")
            area["competences"].append(
                {
                    "code": competence_code,
                    "name": texts(competence_name, f"competence {competence_code} name"),
                    "description": texts(competence_description, f"competence {competence_code} description"),
                    "statements": {
                        level: texts(statement, f"competence {competence_code} level {level}")
                        for level, statement in zip(level_codes, statements, strict=True)
                    },
                }
            )
        areas.append(area)
    return {
        "format": "digileap-competence-framework",
        "format_version": 1,
        "code": meta.CODE,
        "version": meta.VERSION,
        "name": texts(meta.NAME, "framework name"),
        "description": texts(meta.DESCRIPTION, "framework description"),
        "source_url": meta.SOURCE_URL,
        "source": meta.SOURCE,
        "levels": levels,
        "areas": areas,
    }


if __name__ == "__main__":
    data = build()
    TARGET.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    competences = sum(len(area["competences"]) for area in data["areas"])
    print(f"{TARGET.name}: {len(data['areas'])} areas, {competences} competences, {len(data['levels'])} levels")
    sys.exit(0)
