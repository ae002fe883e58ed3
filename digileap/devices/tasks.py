"""Background work of the devices app (django-tasks, database backend; ``manage.py db_worker`` runs it).

Tasks take plain values, not objects, because their arguments are stored as JSON until a worker runs them.
"""

from django.utils.dateparse import parse_datetime
from django_tasks import task


@task()
def send_agreement_reminders(after_days: int = 7, every_days: int = 7, as_of: str | None = None) -> dict:
    """E-mail each school the user agreements still missing (``services.agreements``); returns the
    summary the command prints. Schedule it daily, e.g. ``manage.py send_agreement_reminders`` from cron."""
    from .services.agreements import agreement_reminders_send

    now = parse_datetime(as_of) if as_of else None
    return agreement_reminders_send(now=now, after_days=after_days, every_days=every_days)
