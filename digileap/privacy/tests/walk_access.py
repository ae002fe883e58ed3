"""INSIDE and OUTSIDE reads of the pupil-data access log for the permission walk."""

from digileap.privacy.models import PupilDataAccess


def extend(*, world, role_users) -> dict:
    return {
        "privacy.pupildataaccess": tuple(
            PupilDataAccess.objects.create(
                actor_label=f"{side}-reader",
                channel="page",
                what=f"{side} page",
                rows=1,
                recipient_ids=[1],
                school=school,
                authority=school.authority,
            )
            for side, school in (("INSIDE", world.school), ("OUTSIDE", world.other_school))
        )
    }
