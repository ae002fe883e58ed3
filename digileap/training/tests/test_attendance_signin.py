"""The sign-in sheet import: CSV as Excel writes it (semicolon, Latin-1, a title above the header,
Dutch words), XLSX, each refusal with file, line and column, and a re-import that changes nothing."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import SchoolFactory

from ..models import Attendance, Completion
from ..services.attendance import import_signin_sheet, status_from_word
from .factories import CourseEnrolmentFactory, CourseFactory, SessionFactory, staff_at

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2024, 3, day, hour, 0))


@pytest.fixture
def session(world):
    course = CourseFactory(programme=ProgrammeFactory(authority=world.authority), code="SHEET-1")
    session = SessionFactory(course=course, starts_at=at(4), ends_at=at(4, 11), capacity=30)  # 120 minutes
    for n, email in ((1, "anna@example.org"), (2, ""), (3, "")):
        staff = staff_at(world.school, reference=f"S{n}", email=email)
        CourseEnrolmentFactory(course=course, school=world.school, staff=staff)
    return session


def rows_of(session):
    return sorted(
        Attendance.objects.filter(session=session).values_list(
            "enrolment__staff__reference", "status", "minutes", "source"
        )
    )


LATIN1_SHEET = (
    "Aanwezigheidslijst sessie 1;;\r\n"
    ";;\r\n"
    "Personeelsnummer;Aanwezigheid;Minuten\r\n"
    "S1;aanwezig;\r\n"
    "S2;Afwezig;\r\n"
    "S3;Excusé;0\r\n"
).encode("latin-1")


def test_a_latin1_semicolon_sheet_with_a_title_and_dutch_words(role_users, session):
    owner = role_users[Role.PROGRAMME_OWNER]
    summary = import_signin_sheet(actor=owner, session=session, file=io.BytesIO(LATIN1_SHEET), filename="lijst.csv")
    assert summary == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0}
    assert rows_of(session) == [
        ("S1", "present", 120, "import"),
        ("S2", "absent", 0, "import"),
        ("S3", "excused", 0, "import"),
    ]
    # Present for the whole single session: the course's rule holds.
    assert list(Completion.objects.values_list("staff__reference", "source")) == [("S1", "digileap")]
    # The same file again changes nothing: no write, no audit event.
    events = AuditEvent.objects.count()
    again = import_signin_sheet(actor=owner, session=session, file=io.BytesIO(LATIN1_SHEET), filename="lijst.csv")
    assert again == {"rows": 3, "created": 0, "updated": 0, "unchanged": 3}
    assert AuditEvent.objects.count() == events
    assert rows_of(session)[0] == ("S1", "present", 120, "import")


def test_an_xlsx_sheet_by_e_mail_with_minutes(role_users, session):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["E-mail", "Status", "Minutes", "Remark"])
    sheet.append(["ANNA@example.org", "present", 90, "came late"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    import_signin_sheet(actor=role_users[Role.SCHOOL_COORDINATOR], session=session, file=buffer, filename="sheet.xlsx")
    assert rows_of(session) == [("S1", "present", 90, "import")]


def test_a_utf8_comma_sheet(role_users, session):
    sheet = "\ufeffstaff reference,status,minutes\nS2,anwesend,60\nS3,entschuldigt,\n".encode()
    import_signin_sheet(
        actor=role_users[Role.OPERATOR_STAFF], session=session, file=io.BytesIO(sheet), filename="s.csv"
    )
    assert rows_of(session) == [("S2", "present", 60, "import"), ("S3", "excused", 0, "import")]


@pytest.mark.parametrize(
    "word, status",
    [
        ("Présent", "present"),
        ("klāt", "present"),
        ("absent", "absent"),
        ("nav klāt", "absent"),
        ("gewettigd afwezig", "excused"),
    ],
)
def test_status_words(word, status):
    assert status_from_word(word) == status


@pytest.mark.parametrize(
    "line, message",
    [
        ("S9;present;", "sheet.csv, line 3, column 'reference': S9 is not enrolled on the course SHEET-1"),
        ("S2;present;121", "sheet.csv, line 3, column 'minutes': 121 minutes is more than the session's length of 120"),
        ("S2;late;", "sheet.csv, line 3, column 'status': unknown status 'late'"),
        ("S2;present;-1", "sheet.csv, line 3, column 'minutes': Minutes cannot be negative (-1)."),
        ("S2;absent;30", "sheet.csv, line 3, column 'minutes': Only a person who was present has minutes."),
        ("S1;absent;", "sheet.csv, line 3, column 'reference': S1 is on the sheet twice (first on line 2)"),
    ],
)
def test_each_refusal_names_file_line_and_column_and_writes_nothing(role_users, session, line, message):
    sheet = f"reference;status;minutes\nS1;present;\n{line}\n".encode()
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as raised:
        import_signin_sheet(
            actor=role_users[Role.PROGRAMME_OWNER], session=session, file=io.BytesIO(sheet), filename="sheet.csv"
        )
    assert any(text.startswith(message) for text in raised.value.messages), raised.value.messages
    assert not Attendance.objects.exists()
    assert AuditEvent.objects.count() == before


def test_a_sheet_without_the_columns_is_refused(role_users, session):
    with pytest.raises(ValidationError) as raised:
        import_signin_sheet(
            actor=role_users[Role.PROGRAMME_OWNER],
            session=session,
            file=io.BytesIO(b"name;when\nA;B\n"),
            filename="x.csv",
        )
    assert "no header row found" in raised.value.messages[0]


def test_a_coordinator_cannot_import_another_schools_teacher(world, role_users, session):
    other_school = SchoolFactory(operator=world.operator, name="Neighbour school")
    CourseEnrolmentFactory(course=session.course, school=other_school, staff=staff_at(other_school, reference="NB"))
    sheet = b"reference;status\nS1;present\nNB;present\n"
    with pytest.raises(ValidationError) as raised:
        import_signin_sheet(
            actor=role_users[Role.SCHOOL_COORDINATOR], session=session, file=io.BytesIO(sheet), filename="s.csv"
        )
    assert raised.value.messages == ["s.csv, line 3, column 'reference': NB is not enrolled on the course SHEET-1"]
    assert not Attendance.objects.exists()


def test_the_import_page(role_users, session):
    client = Client()
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    url = reverse("training:session-signin", kwargs={"pk": session.pk})
    assert client.get(url).status_code == 200
    bad = client.post(url, {"file": SimpleUploadedFile("bad.csv", b"reference;status\nS1;maybe\n")})
    assert bad.status_code == 400
    assert "bad.csv, line 2, column &#x27;status&#x27;: unknown status" in bad.content.decode()
    good = client.post(url, {"file": SimpleUploadedFile("good.csv", b"reference;status\nS1;present\n")})
    assert good.status_code == 302
    assert rows_of(session) == [("S1", "present", 120, "import")]
