import pytest

from digileap.core import audit
from digileap.core.models import AuditEvent
from digileap.core.tests.audit_dba import triggers_bypassed
from digileap.schools.tests.factories import SchoolFactory


@pytest.mark.django_db
def test_chain_links_each_entry_to_the_previous_one():
    school = SchoolFactory()
    first = audit.record(actor="tester", action="create", instance=school, after={"name": school.name})
    second = audit.record(actor="tester", action="update", instance=school, before={"name": "a"}, after={"name": "b"})
    assert first.previous_hash == audit.GENESIS_HASH
    assert second.previous_hash == first.entry_hash
    report = audit.verify_chain()
    assert report.is_intact
    assert report.checked == 2
    assert report.head_hash == second.entry_hash


@pytest.mark.django_db
def test_a_row_altered_in_the_database_is_found():
    school = SchoolFactory()
    for n in range(3):
        audit.record(actor="tester", action="update", instance=school, after={"n": n})
    middle = AuditEvent.objects.order_by("id")[1]
    with triggers_bypassed():
        AuditEvent.objects.filter(pk=middle.pk).update(after={"n": 99})
    report = audit.verify_chain()
    assert not report.is_intact
    assert report.first_broken_id == middle.pk
    assert report.reason == "content does not match its hash"


@pytest.mark.django_db
def test_a_deleted_row_breaks_the_link_of_the_next():
    school = SchoolFactory()
    for n in range(3):
        audit.record(actor="tester", action="update", instance=school, after={"n": n})
    rows = list(AuditEvent.objects.order_by("id"))
    with triggers_bypassed():
        AuditEvent.objects.filter(pk=rows[1].pk).delete()
    report = audit.verify_chain()
    assert report.first_broken_id == rows[2].pk
    assert report.reason == "previous hash does not match the entry before it"


@pytest.mark.django_db
def test_deleting_the_newest_row_is_found_through_the_head():
    school = SchoolFactory()
    for n in range(2):
        audit.record(actor="tester", action="update", instance=school, after={"n": n})
    with triggers_bypassed():
        AuditEvent.objects.order_by("-id").first().delete()
    report = audit.verify_chain()
    assert not report.is_intact
    assert report.reason == "the newest entries are missing"


@pytest.mark.django_db
def test_file_fields_are_recorded_by_name_even_when_empty():
    from digileap.core.models import ImportJob

    job = ImportJob(original_filename="x.csv", sha256="0" * 64, size_bytes=0)
    assert audit.to_jsonable(job.file) == ""
    job.file.name = "imports/2026/11/x.csv"
    assert audit.to_jsonable(job.file) == "imports/2026/11/x.csv"
