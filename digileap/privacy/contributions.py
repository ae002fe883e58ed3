"""What data protection adds to the menu and the home page (``digileap.core.contributions``).

- The menu's "Data protection" (the pupil-data access log) for data-protection officers and
  administrators: the only roles that may read the log.
- Their home page's tile: reads of pupils' data in the last 30 days, in their scope.
- Their to-dos: large reads of the last 7 days (``LARGE_READ`` pupils or more in one read: an export
  of a whole school, an API harvest) to look at, and pupil records past their retention period that
  ``apply_retention`` has not erased yet.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from digileap.core.contributions import (
    MenuEntry,
    Tile,
    Todo,
    register_menu,
    register_tiles,
    register_todos,
    reverse_or_none,
)
from digileap.core.permissions import Action, can

LARGE_READ = 100
RECENT_DAYS = 30
LARGE_READ_DAYS = 7


def _may_read_log(user: Any) -> bool:
    from .models import PupilDataAccess

    return user is not None and user.is_authenticated and can(user, Action.VIEW, PupilDataAccess)


def _menu(user: Any) -> list[MenuEntry]:
    url = reverse_or_none("privacy:pupildataaccess-list")
    if not url or not _may_read_log(user):
        return []
    return [MenuEntry("privacy", gettext_lazy("Data protection"), url)]


def _tiles(user: Any) -> list[Tile]:
    from .access_selectors import reads_since

    url = reverse_or_none("privacy:pupildataaccess-list")
    if not url or not _may_read_log(user):
        return []
    count = reads_since(user, timezone.now() - datetime.timedelta(days=RECENT_DAYS))
    text = _("Reads of pupils' data in the last %(days)s days: who read which pupils, and when.") % {
        "days": RECENT_DAYS
    }
    return [Tile("privacy", _("Data protection"), count, text, url)]


def _todos(user: Any) -> list[Todo]:
    from .access_selectors import access_log_for
    from .retention import due_recipients

    url = reverse_or_none("privacy:pupildataaccess-list")
    if not url or not _may_read_log(user):
        return []
    since = timezone.localdate() - datetime.timedelta(days=LARGE_READ_DAYS - 1)
    large = access_log_for(user).filter(
        rows__gte=LARGE_READ, occurred_at__gte=timezone.now() - datetime.timedelta(days=LARGE_READ_DAYS)
    )
    large_count = large.count()
    todos = [
        Todo(
            "privacy-large-reads",
            ngettext(
                "%(count)s large read of pupils' data this week",
                "%(count)s large reads of pupils' data this week",
                large_count,
            )
            % {"count": large_count},
            large_count,
            f"{url}?{urlencode({'min_rows': str(LARGE_READ), 'date_from': since.isoformat()})}",
            _("Reads that showed %(rows)s pupils or more at once.") % {"rows": LARGE_READ},
        )
    ]
    due = due_recipients(scope_user=user).count()
    todos.append(
        Todo(
            "privacy-retention-due",
            ngettext(
                "%(count)s pupil record past its retention period",
                "%(count)s pupil records past their retention period",
                due,
            )
            % {"count": due},
            due,
            reverse_or_none("privacy:erasure-list") or url,
            _("The retention command erases them on its next run."),
        )
    )
    return todos


def register() -> None:
    register_menu("privacy", 850, _menu)
    register_tiles("privacy", 850, _tiles)
    register_todos("privacy", 850, _todos)
