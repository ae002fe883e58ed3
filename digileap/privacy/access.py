"""The pupil-data access log: who read which pupils, when, through which page, export, API route or
command (GDPR art. 30 and the data-protection officer's questions: "who looked at this pupil?").

Cheap by design: a read costs one INSERT whatever the number of pupils it showed. The pupils' ids
are stored in the row as a JSON list (the page that was shown, not the whole filtered set), the
scope (authority, school) is taken from objects already loaded, or, when a recipient's school was
not loaded, computed by the database inside that same INSERT.

A read that showed no pupil (an empty list, a filter that matched nobody) writes nothing: it
disclosed no pupil data, and logging it would cost a write on every empty page.

A read that touched pupils of several authorities (an administrator's list across the country)
writes one row per authority, still in one INSERT, so that each authority's data-protection officer
sees the reads of their own pupils.

Hooks:
- pages and exports: ``log_recipients_shown(request, recipients)`` once the page is built (one line
  in the view);
- API: ``PupilReadLogMixin`` on the viewset, which logs the ids of the page after pagination (list)
  or of the one object (retrieve);
- anything else (a command): ``log_pupil_read(...)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Subquery

from digileap.core.context import current_request_id

from .models import PupilDataAccess

if TYPE_CHECKING:
    from django.http import HttpRequest
    from rest_framework.response import Response

    from digileap.devices.models import Recipient
    from digileap.schools.models import Authority, School

WHAT_LENGTH = PupilDataAccess._meta.get_field("what").max_length or 200
PATH_LENGTH = PupilDataAccess._meta.get_field("path").max_length or 500
LABEL_LENGTH = PupilDataAccess._meta.get_field("actor_label").max_length or 200


class Channel(StrEnum):
    PAGE = "page"
    EXPORT = "export"
    API = "api"
    COMMAND = "command"


def actor_label(user: Any) -> str:
    """How the reader is named in the log: the user name, the system actor's label, or "anonymous"."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    return str(user.get_username())[:LABEL_LENGTH]


def _user_id(user: Any) -> int | None:
    return getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None


def _unique(ids: Iterable[int]) -> list[int]:
    """The ids in the order shown, each once."""
    return list(dict.fromkeys(int(i) for i in ids))


def log_pupil_read(
    *,
    user: Any,
    what: str,
    channel: str,
    recipient_ids: Iterable[int],
    path: str = "",
    school: School | None = None,
    authority: Authority | None = None,
) -> PupilDataAccess | None:
    """Record one read of pupil-level data: one row, one INSERT. Nothing when no pupil was shown."""
    ids = _unique(recipient_ids)
    if not ids:
        return None
    authority_id = authority.pk if authority is not None else (school.authority_id if school is not None else None)
    return PupilDataAccess.objects.create(
        user_id=_user_id(user),
        actor_label=actor_label(user),
        channel=str(channel),
        what=what[:WHAT_LENGTH],
        path=path[:PATH_LENGTH],
        rows=len(ids),
        recipient_ids=ids,
        school=school,
        authority_id=authority_id,
        request_id=current_request_id(),
    )


def _authority_key(recipient: Recipient, school: School | None) -> tuple[str, int | None]:
    """What the row's authority is known by without a query: the loaded school's authority, the
    school the caller named, or else the recipient's school id (the INSERT looks its authority up)."""
    if school is not None and recipient.school_id == school.pk:
        return ("authority", school.authority_id)
    if type(recipient).school.is_cached(recipient):
        return ("authority", recipient.school.authority_id)
    return ("school", recipient.school_id)


def log_recipients_shown(
    request: HttpRequest,
    recipients: Iterable[Recipient | None],
    *,
    channel: str = Channel.PAGE,
    what: str = "",
    school: School | None = None,
    path: str | None = None,
) -> list[PupilDataAccess]:
    """Record that ``request`` showed these recipients (``None`` entries are skipped): one INSERT,
    one row per authority touched (almost always one). ``what`` defaults to the route's name, ``path``
    to the request's address (pass ``""`` where the address holds a secret, such as a token)."""
    match = getattr(request, "resolver_match", None)
    what = what or (match.view_name if match is not None else "") or request.path
    groups: dict[tuple[str, int | None], list[Recipient]] = {}
    for recipient in recipients:
        if recipient is not None:
            groups.setdefault(_authority_key(recipient, school), []).append(recipient)
    user = getattr(request, "user", None)
    rows = []
    for (kind, key), members in groups.items():
        ids = _unique(r.pk for r in members)
        school_ids = {r.school_id for r in members}
        only_school = school_ids.pop() if len(school_ids) == 1 else None
        authority: Any = key
        if kind == "school":
            from digileap.schools.models import School

            authority = Subquery(School.objects.filter(pk__in=[key]).values("authority_id")[:1])
        rows.append(
            PupilDataAccess(
                user_id=_user_id(user),
                actor_label=actor_label(user),
                channel=str(channel),
                what=what[:WHAT_LENGTH],
                path=(request.get_full_path() if path is None else path)[:PATH_LENGTH],
                rows=len(ids),
                recipient_ids=ids,
                school_id=only_school,
                authority_id=authority,
                request_id=current_request_id(),
            )
        )
    if not rows:
        return []
    return PupilDataAccess.objects.bulk_create(rows)


def recipients_in_context(context: dict[str, Any]) -> list[Recipient]:
    """The recipients a hand-out page shows: the latest hand-outs, the proposal and its candidates."""
    shown = [assignment.recipient for assignment in context.get("recent") or []]
    proposal = context.get("proposal")
    if proposal is not None:
        shown.append(proposal.recipient)
    shown.extend(context.get("candidates") or [])
    last = context.get("last")
    if last is not None:
        shown.append(last.recipient)
    return shown


def recipient_of(obj: Any) -> Recipient | None:
    """The recipient an object of the devices app is about: itself, an assignment's, an agreement's."""
    from digileap.devices.models import Assignment, Recipient, UserAgreement

    if isinstance(obj, Recipient):
        return obj
    if isinstance(obj, Assignment):
        return obj.recipient
    if isinstance(obj, UserAgreement):
        return obj.assignment.recipient
    return None


class PupilReadLogMixin:
    """For API viewsets whose objects are, or hang on, pupils: a successful ``list`` logs the ids of
    the page it returned (after pagination), a ``retrieve`` the one pupil. One INSERT per call.

    ``pupil_of`` maps an object to its recipient (default ``recipient_of``)."""

    pupil_of: Callable[[Any], Recipient | None] = staticmethod(recipient_of)
    _pupil_objects: Any = None

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        if args and getattr(self, "action", None) in ("list", "retrieve"):
            self._pupil_objects = args[0] if kwargs.get("many") else [args[0]]
        return super().get_serializer(*args, **kwargs)  # type: ignore[misc]

    def finalize_response(self, request: Any, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        objects, self._pupil_objects = self._pupil_objects, None
        if objects is not None and response.status_code == 200 and request.method == "GET":
            basename = getattr(self, "basename", "") or type(self).__name__
            log_recipients_shown(
                request,
                (type(self).pupil_of(obj) for obj in objects),
                channel=Channel.API,
                what=f"api:{basename}-{self.action}",  # type: ignore[attr-defined]
            )
        return response
