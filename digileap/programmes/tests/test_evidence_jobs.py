"""Evidence packs as background jobs that never hang (issue 15): heartbeat, stale, cancel, retry."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.core import jobs
from digileap.core.models import AuditEvent
from digileap.programmes import evidence, services
from digileap.programmes.evidence_jobs import evidence_pack_cancel, evidence_pack_retry
from digileap.programmes.models import EvidencePack

from .factories import IndicatorFactory, ProgrammeFactory, TargetFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 12, 31)
LAST_BEAT = datetime.datetime(2026, 1, 5, 9, 7, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.TIME_ZONE = "Europe/Brussels"


@pytest.fixture
def target(world):
    programme = ProgrammeFactory(code="jobs", name={"en": "Jobs programme"}, authority=world.authority)
    return TargetFactory(
        programme=programme,
        number="7",
        title={"en": "Money paid"},
        indicator=IndicatorFactory(programme=programme, kind="money", parameters={"measure": "paid"}),
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pack_of(target, **values) -> EvidencePack:
    return EvidencePack.objects.create(target=target, as_of=DAY, requested_at=timezone.now(), **values)


def test_the_build_stamps_the_heartbeat(role_users, target, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pack = services.evidence_pack_request(actor=role_users[Role.PROGRAMME_OWNER], target=target, as_of=DAY)
    pack.refresh_from_db()
    assert (pack.status, pack.progress, pack.worker) == ("done", 100, jobs.worker_label())
    assert pack.heartbeat_at is not None


def test_the_pack_has_a_heartbeat_from_the_moment_it_runs(target, monkeypatch):
    """Stamped with the status RUNNING, in the same UPDATE: a worker killed before the pack's first
    progress leaves a heartbeat that stale detection sees."""
    pack = pack_of(target)
    seen = []

    def build(target, as_of, progress):
        row = EvidencePack.objects.get(pk=pack.pk)
        seen.append((row.status, row.progress, row.worker, row.heartbeat_at is not None))
        raise RuntimeError("killed")

    monkeypatch.setattr(evidence, "build_pack", build)
    assert (pack.status, pack.heartbeat_at, pack.worker) == ("queued", None, "")
    services.evidence_pack_build(pack=pack)
    assert seen == [("running", 1, jobs.worker_label(), True)]


def test_a_running_pack_without_a_heartbeat_is_stale_from_its_request(target, settings):
    settings.DIGILEAP_JOB_STALE_MINUTES = 10
    now = timezone.now()
    old = pack_of(target, status="running")
    recent = pack_of(target, status="running")
    EvidencePack.objects.filter(pk=old.pk).update(requested_at=now - datetime.timedelta(minutes=11))
    EvidencePack.objects.filter(pk=recent.pk).update(requested_at=now - datetime.timedelta(minutes=2))
    assert jobs.mark_stale(now) == [("programmes.EvidencePack", old.pk)]
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, old.error, old.finished_at) == (
        "failed",
        "The worker (an unknown worker) stopped answering before the job reported progress; the job did not finish.",
        now,
    )
    assert (recent.status, recent.error, recent.finished_at) == ("running", "", None)


def test_a_pack_whose_worker_died_is_marked_failed_and_its_page_offers_a_retry(
    role_users, target, django_capture_on_commit_callbacks
):
    pack = pack_of(target, status="running", progress=35, heartbeat_at=LAST_BEAT, worker="worker-host:99")
    owner = client_for(role_users[Role.PROGRAMME_OWNER])
    page = owner.get(reverse("programmes:evidencepack-detail", kwargs={"pk": pack.pk})).content.decode()
    assert "The worker stopped answering at 10:07 (worker-host:99); the job did not finish." in page
    assert "Prepare this pack again" in page and "Cancel this pack" not in page
    pack.refresh_from_db()
    assert (pack.status, pack.error) == (
        "failed",
        "The worker stopped answering at 10:07 (worker-host:99); the job did not finish.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(reverse("programmes:evidencepack-retry", kwargs={"pk": pack.pk}))
    retry = EvidencePack.objects.exclude(pk=pack.pk).get()
    assert response["Location"] == reverse("programmes:evidencepack-detail", kwargs={"pk": retry.pk})
    page = owner.get(response["Location"]).content.decode()
    assert page.count(f"A new pack is being prepared; it repeats pack {pack.pk}.") == 1
    assert (retry.status, retry.as_of, retry.target, retry.sha256) == (
        "done",
        DAY,
        target,
        evidence.sha256(evidence.build_pack(target, DAY)),
    )
    assert AuditEvent.objects.filter(action="retry").get().after == {"retry_of": pack.pk}


def test_a_pack_whose_worker_died_before_its_first_heartbeat_is_stale(role_users, target, settings):
    """The worker took the task (its result RUNNING) and died before it wrote the pack's status."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    settings.DIGILEAP_JOB_STALE_MINUTES = 10
    long_ago = timezone.now() - datetime.timedelta(minutes=11)
    dead, waiting = pack_of(target), pack_of(target)
    EvidencePack.objects.filter(pk__in=[dead.pk, waiting.pk]).update(requested_at=long_ago)
    result = DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        args_kwargs={"args": [dead.pk], "kwargs": {}},
        task_path="digileap.programmes.tasks.build_evidence_pack",
        backend_name="default",
        run_after=long_ago,
        started_at=long_ago,
        exception_class_path="",
        traceback="",
    )
    owner = client_for(role_users[Role.PROGRAMME_OWNER])
    page = owner.get(reverse("programmes:evidencepack-detail", kwargs={"pk": dead.pk})).content.decode()
    reason = (
        "The worker (an unknown worker) stopped answering before the job reported progress; the job did not finish."
    )
    assert reason in page
    assert "Prepare this pack again" in page and "Cancel this pack" not in page
    dead.refresh_from_db()
    result.refresh_from_db()
    assert (dead.status, dead.error, result.status) == ("failed", reason, TaskResultStatus.FAILED)
    assert jobs.mark_stale() == []
    assert EvidencePack.objects.get(pk=waiting.pk).status == "queued"


def test_cancelling_a_pack_stops_its_worker_at_the_next_progress_point(role_users, target, monkeypatch):
    pack = pack_of(target)
    owner = role_users[Role.PROGRAMME_OWNER]

    def build(target, as_of, progress):
        progress(10)
        evidence_pack_cancel(actor=owner, pack=pack)
        progress(50)
        raise AssertionError("not reached")

    monkeypatch.setattr(evidence, "build_pack", build)
    built = services.evidence_pack_build(pack=pack)
    assert (built.status, built.progress, built.sha256, bool(built.file)) == ("cancelled", 10, "", False)
    event = AuditEvent.objects.filter(action="cancel").get()
    assert (event.before, event.after) == ({"status": "running"}, {"status": "cancelled"})
    with pytest.raises(ValidationError) as error:
        evidence_pack_cancel(actor=owner, pack=pack)
    assert error.value.messages == ["This pack can no longer be cancelled (it is Cancelled)."]


def test_a_cancelled_queued_pack_is_not_built(role_users, target):
    pack = pack_of(target)
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    detail = reverse("programmes:evidencepack-detail", kwargs={"pk": pack.pk})
    assert "Cancel this pack" in client.get(detail).content.decode()
    assert client.post(reverse("programmes:evidencepack-cancel", kwargs={"pk": pack.pk}))["Location"] == detail
    assert services.evidence_pack_build(pack=pack).status == "cancelled"
    page = client.get(detail).content.decode()
    assert (page.count("The pack was cancelled."), page.count("This pack was cancelled.")) == (1, 1)
    assert "The pack was cancelled." not in client.get(detail).content.decode()  # said once


def test_a_failure_records_its_reason(target, monkeypatch):
    pack = pack_of(target)

    def build(target, as_of, progress):
        raise RuntimeError("out of disk")

    monkeypatch.setattr(evidence, "build_pack", build)
    assert services.evidence_pack_build(pack=pack).error == "The pack could not be prepared: RuntimeError: out of disk"


@pytest.mark.parametrize("role", list(Role))
def test_who_may_cancel_and_retry(role, role_users, target):
    user = role_users[role]
    pack = pack_of(target)
    allowed = role in (Role.ADMINISTRATOR, Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR)
    client = client_for(user)
    response = client.post(reverse("programmes:evidencepack-cancel", kwargs={"pk": pack.pk}))
    pack.refresh_from_db()
    assert (response.status_code, pack.status) == ((302, "cancelled") if allowed else (404, "queued"))
    if not allowed:
        with pytest.raises(PermissionDenied):
            evidence_pack_cancel(actor=user, pack=pack)
        EvidencePack.objects.filter(pk=pack.pk).update(status="failed")
        with pytest.raises(PermissionDenied):
            evidence_pack_retry(actor=user, pack=pack)
        assert client.post(reverse("programmes:evidencepack-retry", kwargs={"pk": pack.pk})).status_code == 404
        assert EvidencePack.objects.count() == 1
