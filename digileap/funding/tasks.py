"""Background work of the funding app (django-tasks, database backend; ``manage.py db_worker`` runs it).

Tasks take plain values, not objects, because their arguments are stored as JSON until a worker runs them.
"""

import datetime
from typing import TYPE_CHECKING

from django_tasks import task

if TYPE_CHECKING:
    from .services.reminders import SendSummary


@task()
def send_funding_reminders(today: str | None = None, dry_run: bool = False) -> "SendSummary":
    """E-mail the reminders of the calls' deadlines that are due (``services.reminders``); returns the
    summary the command prints. Schedule it daily, e.g. ``manage.py send_funding_reminders`` from cron."""
    from .services.reminders import funding_reminders_send

    day = datetime.date.fromisoformat(today) if today else None
    return funding_reminders_send(today=day, dry_run=dry_run)
