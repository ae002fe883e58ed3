"""The teacher training part of the Ghent scenario (seed 002: "every teacher of Stedelijk Onderwijs
Gent may follow free technical and pedagogical ICT courses through the Signpost Academy"; objective
"Digitaal competente leerkrachten").

How it is played (``ghent.py`` calls ``training`` before the history), with the machinery of
``flanders_training.play``:

- **The target** (created here, at small scale a tenth): "Leerkrachten van het Stedelijk Onderwijs
  Gent opgeleid in ICT" (``training_teachers_trained``, 600 by 30 June 2022).
- **The offer**: DigCompEdu; the Signpost Academy with three free courses (the laptop and its
  management, in person; Microsoft 365 in the classroom, blended; digital differentiation,
  online), two sessions each, from September 2021.
- **The staff**: at every city school, staff records for 80 to 100 % of the registry's teachers;
  40 to 85 % of them complete a course (one in four a second) from October 2021 to June 2022,
  reported by the academy's platform; the first on each course attend both sessions.
- **Self-assessment** before (September-October 2021) and after (June 2022): one in ten answers.
"""

import datetime
from decimal import Decimal

from .base import Run
from .flanders_training import CourseSpec, TrainingSpec, play
from .flanders_training import summary as training_summary

GHENT = TrainingSpec(
    providers=(("Signpost Academy (scenario)", "https://academy.signpost.example.org"),),
    courses=(
        CourseSpec(
            "SA-LAPTOP",
            {"nl": "Aan de slag met je laptop en het beheerplatform", "en": "Getting started with the laptop"},
            Decimal("3.00"),
            "in_person",
            ("1.1", "1.4"),
            0,
            datetime.date(2021, 11, 17),
            datetime.date(2021, 11, 24),
        ),
        CourseSpec(
            "SA-M365",
            {"nl": "Microsoft 365 in de klas", "en": "Microsoft 365 in the classroom"},
            Decimal("6.00"),
            "blended",
            ("2.2", "3.1", "3.3"),
            0,
            datetime.date(2022, 1, 19),
            datetime.date(2022, 1, 26),
        ),
        CourseSpec(
            "SA-DIFF",
            {"nl": "Digitaal differentiëren", "en": "Digital differentiation"},
            Decimal("4.00"),
            "online",
            ("5.2", "5.1"),
            0,
            datetime.date(2022, 3, 16),
            datetime.date(2022, 3, 23),
        ),
    ),
    period=(datetime.date(2021, 11, 24), datetime.date(2022, 6, 24)),
    targets=(
        {
            "title": {
                "nl": "Leerkrachten van het Stedelijk Onderwijs Gent opgeleid in ICT",
                "en": "Teachers of Ghent's city schools trained in ICT",
            },
            "description": {
                "nl": "Unieke leerkrachten die een gratis ICT-opleiding van de Signpost Academy voltooiden.",
                "en": "Distinct teachers who completed a free ICT course of the Signpost Academy.",
            },
            "target_value": Decimal(600),
            "unit": "teachers",
            "due_date": datetime.date(2022, 6, 30),
            "due_label": "einde schooljaar 2022",
            "indicator": ("training_teachers_trained", {}),
        },
    ),
    rounds=(
        (
            "voormeting-2021",
            {"nl": "Zelfevaluatie DigCompEdu – voormeting", "en": "DigCompEdu self-assessment – before"},
            datetime.date(2021, 9, 13),
            datetime.date(2021, 10, 29),
        ),
        (
            "nameting-2022",
            {"nl": "Zelfevaluatie DigCompEdu – nameting", "en": "DigCompEdu self-assessment – after"},
            datetime.date(2022, 6, 1),
            datetime.date(2022, 6, 30),
        ),
    ),  # fmt: skip
    staff_share=(0.8, 1.0),
    trained_share=(0.4, 0.85),
    second_course=0.25,
    assessing=0.1,
    platform="Signpost Academy",
)


def training(run: Run) -> None:
    """Ghent's free ICT courses (see the module's docstring)."""
    play(run, GHENT)


def summary(run: Run) -> dict:
    return training_summary(run, GHENT)
