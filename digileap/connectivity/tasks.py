"""Background work of the connectivity app (django-tasks, database backend; ``manage.py db_worker``
runs it). Tasks take plain values, not objects, because their arguments are stored as JSON until a
worker runs them."""

import datetime

from django.utils import timezone
from django_tasks import task


@task()
def send_survey_reminders(today: str | None = None, dry_run: bool = False) -> dict:
    """E-mail the survey reminders that are due (``services.reminders``); returns the summary the
    command prints. Schedule it daily, e.g. ``manage.py send_survey_reminders`` from cron."""
    from .services.reminders import send_survey_reminders as send

    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return {"today": day.isoformat(), **send(today=day, dry_run=dry_run), "dry_run": dry_run}
