import csv
import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core import imports
from digileap.core.imports import import_job_commit, import_job_confirm, import_job_create, import_job_preview
from digileap.core.models import AuditEvent, ImportJob
from digileap.core.selectors import import_jobs_for
from digileap.core.tasks import commit_import_task, preview_import_task
from digileap.schools.importer import SchoolImporter
from digileap.schools.models import School
from digileap.schools.tests.import_files import (
    HAMBURG_HEADERS,
    csv_text,
    database_counts,
    hamburg_rows,
    mv_rows,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    return user_with_role(Role.ADMINISTRATOR, username="admin")


def upload(name: str, rows) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_text(rows).encode(), content_type="text/csv")


def bad_hamburg_rows():
    rows = hamburg_rows()
    rows[5][HAMBURG_HEADERS.index("C_S_SuS")] = "viele"
    return rows


def create(actor, rows=None, *, profile="hamburg", name="hamburg.csv", capture=None, **options) -> ImportJob:
    file = upload(name, rows if rows is not None else hamburg_rows())
    if capture is None:
        return import_job_create(actor=actor, target="schools", profile=profile, uploaded_file=file, **options)
    with capture(execute=True):
        job = import_job_create(actor=actor, target="schools", profile=profile, uploaded_file=file, **options)
    job.refresh_from_db()
    return job


# -- services --------------------------------------------------------------------------------------


def test_create_stores_the_file_audits_and_schedules_the_preview(admin, django_capture_on_commit_callbacks):
    content = csv_text(hamburg_rows()).encode()
    with django_capture_on_commit_callbacks() as callbacks:
        job = import_job_create(
            actor=admin, target="schools", profile="hamburg", uploaded_file=SimpleUploadedFile("hh.csv", content)
        )
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert (job.status, job.phase, job.original_filename, job.size_bytes) == (
        "uploaded",
        "queued",
        "hh.csv",
        len(content),
    )
    assert job.sha256 == hashlib.sha256(content).hexdigest()
    assert job.file.name.startswith("imports/")
    with job.file.open("rb") as stored:
        assert stored.read() == content
    event = AuditEvent.objects.get(object_type="core.importjob")
    assert (event.action, event.actor_label, event.after["sha256"], event.after["profile"]) == (
        "create",
        "admin",
        job.sha256,
        "hamburg",
    )


def test_preview_runs_as_a_task_and_stores_counts_and_rejected_rows(admin, django_capture_on_commit_callbacks):
    before = database_counts()
    job = create(admin, bad_hamburg_rows(), capture=django_capture_on_commit_callbacks)
    assert (job.status, job.phase, job.rows_processed, job.rows_total, job.error) == (
        "previewed",
        "previewed",
        5,
        5,
        "",
    )
    assert job.summary == {"created": 3, "updated": 0, "unchanged": 1, "rejected": 1}
    assert job.rejected_rows == [
        {"line": 6, "column": "C_S_SuS", "message": "'viele' is not a whole number", "value": "viele"}
    ]
    after = database_counts()
    assert after.pop("core.AuditEvent") == before.pop("core.AuditEvent") + 1  # the upload itself
    assert after == before


def test_commit_writes_in_one_transaction_and_marks_the_job_done(admin, django_capture_on_commit_callbacks):
    job = create(admin, capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        import_job_confirm(job=job, actor=admin)
    job.refresh_from_db()
    assert (job.status, job.phase, job.rows_processed, job.rows_total, job.error) == ("done", "done", 5, 5, "")
    assert job.summary == {"created": 4, "updated": 0, "unchanged": 1, "rejected": 0}
    assert job.finished_at is not None
    assert School.objects.count() == 4


def test_a_commit_with_rejected_rows_fails_and_writes_nothing(admin, django_capture_on_commit_callbacks):
    job = create(admin, bad_hamburg_rows(), capture=django_capture_on_commit_callbacks)
    before = database_counts()
    with django_capture_on_commit_callbacks(execute=True):
        import_job_confirm(job=job, actor=admin, skip_invalid=False)
    job.refresh_from_db()
    assert (job.status, job.error) == (
        "failed",
        "1 row(s) rejected; nothing was imported. Correct them, or choose to skip rejected rows.",
    )
    assert database_counts() == before


def test_skipping_rejected_rows_at_confirmation(admin, django_capture_on_commit_callbacks):
    job = create(admin, bad_hamburg_rows(), capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        import_job_confirm(job=job, actor=admin, skip_invalid=True)
    job.refresh_from_db()
    assert (job.status, job.skip_invalid, job.summary) == (
        "done",
        True,
        {"created": 3, "updated": 0, "unchanged": 1, "rejected": 1},
    )


def test_a_database_failure_during_the_commit_leaves_everything_unchanged(
    admin, monkeypatch, django_capture_on_commit_callbacks
):
    job = create(admin, capture=django_capture_on_commit_callbacks)
    original_commit = SchoolImporter.commit

    def commit_then_fail(self, plan):
        original_commit(self, plan)
        assert School.objects.count() == 4
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(SchoolImporter, "commit", commit_then_fail)
    job.status = ImportJob.Status.COMMITTING
    job.save()
    before = database_counts()
    import_job_commit(job=job, actor=admin)
    job.refresh_from_db()
    assert (job.status, job.phase) == ("failed", "failed")
    assert job.error == (
        "The database refused the import, nothing was written: duplicate key value violates unique constraint"
    )
    assert database_counts() == before


def test_a_broken_file_fails_the_preview_with_its_place(admin, django_capture_on_commit_callbacks):
    rows = hamburg_rows()
    rows[0] = [h if h != "C_S_Nr" else "Nummer" for h in rows[0]]
    job = create(admin, rows, name="kaputt.csv", capture=django_capture_on_commit_callbacks)
    assert (job.status, job.error) == (
        "failed",
        "kaputt.csv, line 1: missing column(s) 'C_S_Nr'. The file's columns are: "
        + ", ".join(repr(h) for h in rows[0])
        + ".",
    )
    assert job.summary == {}


def test_upload_checks(admin, world, settings):
    with pytest.raises(PermissionDenied):
        create(user_with_role(Role.AUDITOR, None))
    with pytest.raises(ValidationError) as error:
        create(admin, profile="bremen")
    assert error.value.message_dict == {
        "profile": ["unknown profile 'bremen' for schools; known: generic, hamburg, mv"]
    }
    settings.IMPORT_MAX_FILE_BYTES = 100
    with pytest.raises(ValidationError) as error:
        create(admin)
    assert error.value.message_dict["file"][0].startswith("The file is ")
    assert error.value.message_dict["file"][0].endswith("; the largest file this installation accepts is 100\xa0bytes.")
    assert ImportJob.objects.count() == 0


def test_only_the_uploader_confirms_once(admin, django_capture_on_commit_callbacks):
    job = create(admin, capture=django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        import_job_confirm(job=job, actor=user_with_role(Role.ADMINISTRATOR))
    with django_capture_on_commit_callbacks(execute=True):
        import_job_confirm(job=job, actor=admin)
    with pytest.raises(ValidationError):
        import_job_confirm(job=job, actor=admin)


def test_tasks_take_ids(admin):
    job = create(admin, mv_rows(), profile="mv", name="mv.csv")
    preview_import_task.call(job.pk)
    job.refresh_from_db()
    assert (job.status, job.summary) == ("previewed", {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0})
    assert commit_import_task.call(job.pk, admin.pk) == {
        "status": "done",
        "summary": {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0},
    }


def test_no_more_than_1000_rejected_rows_are_kept_on_the_job_but_all_are_counted(
    admin, django_capture_on_commit_callbacks
):
    rows = [hamburg_rows()[0]] + [
        hamburg_rows()[4][:5] + [str(6000 + n)] + hamburg_rows()[4][6:17] + ["XYZ"] + hamburg_rows()[4][18:]
        for n in range(1005)
    ]
    job = create(admin, rows, capture=django_capture_on_commit_callbacks)
    assert job.summary["rejected"] == 1005
    assert len(job.rejected_rows) == 1000
    assert len(list(imports.rejected_rows(job))) == 1005


@pytest.mark.django_db(transaction=True)
def test_progress_is_saved_outside_the_import_transaction(monkeypatch):
    admin = user_with_role(Role.ADMINISTRATOR, username="admin")
    job = create(admin)
    import_job_preview(job=job)
    saves = []
    original_save = imports._save

    def recording_save(job, **values):
        saves.append((values.get("status", ""), values.get("phase", ""), connection.in_atomic_block))
        original_save(job, **values)

    monkeypatch.setattr(imports, "_save", recording_save)
    import_job_commit(job=job, actor=admin)
    assert saves == [
        ("committing", "checking", False),
        ("", "checking", False),
        ("", "checking", False),
        ("", "writing", False),
        ("done", "done", True),
    ]


# -- selectors -------------------------------------------------------------------------------------


def test_users_see_their_own_jobs_and_whole_scope_readers_see_all(world, admin):
    staff = user_with_role(Role.OPERATOR_STAFF, world.operator)
    owner = user_with_role(Role.PROGRAMME_OWNER, world.authority)
    mine, theirs = create(staff, mv_rows(), profile="mv"), create(owner, mv_rows(), profile="mv")
    assert list(import_jobs_for(staff)) == [mine]
    assert list(import_jobs_for(owner)) == [theirs]
    assert set(import_jobs_for(admin)) == {mine, theirs}
    assert set(import_jobs_for(user_with_role(Role.AUDITOR, None))) == {mine, theirs}
    assert list(import_jobs_for(user_with_role(Role.AUDITOR, world.authority))) == []


# -- the web flow ----------------------------------------------------------------------------------


def test_web_flow_upload_preview_confirm_result(client, admin, django_capture_on_commit_callbacks):
    client.force_login(admin)
    page = client.get(reverse("importjob-create"))
    assert page.status_code == 200
    html = page.content.decode()
    for expected in (
        'name="profile"',
        'value="hamburg"',
        'value="mv"',
        'value="generic"',
        'name="file"',
        'name="skip_invalid"',
        'name="school_year"',
        'enctype="multipart/form-data"',
    ):
        assert expected in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("importjob-create"),
            {
                "target": "schools",
                "profile": "hamburg",
                "file": upload("hamburg.csv", bad_hamburg_rows()),
                "school_year": "",
            },
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("importjob-detail", kwargs={"pk": job.pk})
    detail = client.get(response["Location"]).content.decode()
    assert "Would be created</dt><dd>3</dd>" in detail
    assert "Rejected rows</dt><dd>1</dd>" in detail
    assert '<td class="numeric">6</td>' in detail and "<td>C_S_SuS</td>" in detail
    assert "&#x27;viele&#x27; is not a whole number" in detail
    assert reverse("importjob-commit", kwargs={"pk": job.pk}) in detail
    assert 'hx-trigger="every 1s"' not in detail
    assert "<script>" not in detail and "style=" not in detail

    rejected = client.get(reverse("importjob-rejected", kwargs={"pk": job.pk}))
    body = b"".join(rejected.streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(body), delimiter=";")) == [
        ["line", "column", "reason", "value"],
        ["6", "C_S_SuS", "'viele' is not a whole number", "viele"],
    ]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("importjob-commit", kwargs={"pk": job.pk}), {"skip_invalid": "on"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.summary) == ("done", {"created": 3, "updated": 0, "unchanged": 1, "rejected": 1})
    result = client.get(reverse("importjob-detail", kwargs={"pk": job.pk})).content.decode()
    assert "What was imported" in result and "Created</dt><dd>3</dd>" in result
    listing = client.get(reverse("importjob-list")).content.decode()
    assert "hamburg.csv" in listing


def test_progress_partial_polls_while_running(client, admin):
    client.force_login(admin)
    job = create(admin)
    job.status, job.phase, job.rows_processed, job.rows_total = "previewing", "checking", 2, 5
    job.save()
    partial = client.get(reverse("importjob-progress", kwargs={"pk": job.pk})).content.decode()
    assert f'hx-get="{reverse("importjob-progress", kwargs={"pk": job.pk})}"' in partial
    assert 'hx-trigger="every 1s"' in partial
    assert '<progress id="import-progress-' in partial and 'max="100" value="40"' in partial
    assert "Checked 2 of 5 rows." in partial
    job.status = "previewed"
    job.save()
    partial = client.get(reverse("importjob-progress", kwargs={"pk": job.pk})).content.decode()
    assert "hx-trigger" not in partial and "<progress" not in partial


def test_upload_form_errors(client, admin):
    client.force_login(admin)
    response = client.post(
        reverse("importjob-create"),
        {"target": "schools", "profile": "hamburg", "file": upload("a.csv", mv_rows()), "school_year": "2024"},
    )
    assert response.status_code == 400
    assert "Use the form 2024/25." in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_auditor_and_strangers(client, world, admin):
    job = create(admin)
    auditor = user_with_role(Role.AUDITOR, world.authority)
    client.force_login(auditor)
    assert client.get(reverse("importjob-create")).status_code == 403
    assert client.post(reverse("importjob-create"), {}).status_code == 403
    assert client.get(reverse("importjob-detail", kwargs={"pk": job.pk})).status_code == 404
    assert client.get(reverse("importjob-rejected", kwargs={"pk": job.pk})).status_code == 404
    assert client.post(reverse("importjob-commit", kwargs={"pk": job.pk})).status_code == 404
    client.logout()
    assert client.get(reverse("importjob-list")).status_code == 302


def test_generic_template_download(client, admin):
    client.force_login(admin)
    response = client.get(reverse("importprofile-template"))
    assert response["Content-Disposition"] == 'attachment; filename="digileap-schools-template.csv"'
    header = b"".join(response.streaming_content).decode("utf-8-sig").strip().split(";")
    assert header[:7] == [
        "authority_code",
        "authority_name",
        "country",
        "operator_code",
        "operator_name",
        "operator_region",
        "number",
    ]
    assert header[-2:] == ["ses_value", "ses_scale"]
    assert len(header) == 30


@pytest.mark.django_db
def test_rejections_are_stored_in_the_uploaders_language(tmp_path, django_capture_on_commit_callbacks):
    """The worker runs in English; the job's messages follow the language of the person who uploaded."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation

    from digileap.accounts.models import Role
    from digileap.accounts.tests.factories import user_with_role
    from digileap.core.imports import import_job_create
    from digileap.core.models import ImportJob

    owner = user_with_role(Role.PROGRAMME_OWNER)
    content = b"authority_code,operator_name,number,name,pupils_isced_1\nX,Op,1,School,-3\n"
    with translation.override("de"), django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(
            actor=owner,
            target="schools",
            profile="generic",
            uploaded_file=SimpleUploadedFile("schools.csv", content),
            skip_invalid=False,
        )
    job = ImportJob.objects.get(pk=job.pk)
    assert job.language == "de"
    assert job.summary["rejected"] == 1
    messages = [row["message"] for row in job.rejected_rows]
    assert messages == ["-3 ist negativ; eine Anzahl muss null oder größer sein"]
