"""An audit trail that survives a database administrator (issue 15): HMAC-keyed hashes, key rotation,
append-only triggers, anchors kept outside the database, and the actions as an enumeration.

The administrator of these tests switches the triggers off as one would (``audit_dba``), rewrites an
entry, recomputes every later hash and moves the chain head, so that no link is broken: only the key
(and the anchors) can tell.
"""

import ast
import hashlib
import json
from io import StringIO
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core import checks
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.template.loader import render_to_string
from django.utils import translation

from digileap.accounts.models import Role
from digileap.core import audit
from digileap.core.audit_actions import AuditAction
from digileap.core.models import AuditChainHead, AuditEvent
from digileap.core.templatetags.digileap_audit import audit_action
from digileap.core.tests.audit_dba import hmac_with, plain_sha256, rewrite_from, triggers_bypassed
from digileap.core.tests.translations import extra_translations
from digileap.schools.tests.factories import SchoolFactory


def verify(*args: str) -> tuple[int, str]:
    """verify_audit's exit status and its output (stdout, or the error manage.py would print)."""
    out = StringIO()
    try:
        call_command("verify_audit", *args, stdout=out)
    except CommandError as error:
        return error.returncode, str(error)
    return 0, out.getvalue()


@pytest.fixture
def five_events(db) -> list[AuditEvent]:
    school = SchoolFactory()
    return [audit.record(actor="tester", action="update", instance=school, after={"n": n}) for n in range(5)]


def rewrite_third_entry(events: list[AuditEvent]) -> AuditEvent:
    """What the administrator changes: the third entry's content."""
    target = events[2]
    with triggers_bypassed():
        AuditEvent.objects.filter(pk=target.pk).update(after={"n": 99}, actor_label="someone else")
    return target


# -- HMAC ------------------------------------------------------------------------------------------


def test_entries_are_hmacs_with_the_configured_key(five_events):
    first = AuditEvent.objects.get(pk=five_events[0].pk)
    canonical = audit._canonical(audit._payload(first))
    assert first.key_id == "test"
    assert first.entry_hash == hmac_with(b"test-audit-key-not-a-secret")(canonical)
    assert first.entry_hash != hashlib.sha256(canonical).hexdigest()
    assert audit.compute_hash(first) == first.entry_hash


@pytest.mark.parametrize("secret", [b"", b"short", b"k" * 64, "ключ-ü".encode() * 20])
def test_the_digest_is_the_standard_hmac(secret):
    message = b'{"action":"update"}'
    assert audit._digest(secret, message) == hmac_with(secret)(message)
    assert audit._digest(None, message) == plain_sha256(message)


def test_a_batch_gets_the_same_bytes_and_hashes_as_one_by_one(db):
    schools = SchoolFactory.create_batch(3)
    audit.record_many(actor="batch", changes=[audit.change_for("create", s, after={"name": s.name}) for s in schools])
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.key_id for e in events] == ["test", "test", "test"]
    assert all(audit.compute_hash(e) == e.entry_hash for e in events)
    assert audit.verify_chain().is_intact


@pytest.mark.parametrize(
    "how",
    ["plain SHA-256, key id kept", "plain SHA-256, key id removed", "a wrong key"],
)
def test_the_chain_rewrite_is_found(five_events, how):
    """Done means: edit an entry, recompute every later hash and the head; verify_audit names the entry."""
    target = rewrite_third_entry(five_events)
    if how == "plain SHA-256, key id kept":
        rewrite_from(target.pk, plain_sha256)
        reason = "content does not match its hash"
    elif how == "plain SHA-256, key id removed":
        rewrite_from(target.pk, plain_sha256, key_id="")
        reason = f"it has no key, but entry {five_events[0].pk} before it has one (keyed entries only)"
    else:
        rewrite_from(target.pk, hmac_with(b"a guess at the key"))
        reason = "content does not match its hash"
    # No link is broken: the chain as such is consistent again.
    rows = list(AuditEvent.objects.order_by("id"))
    assert all(later.previous_hash == earlier.entry_hash for earlier, later in zip(rows, rows[1:], strict=False))
    assert AuditChainHead.objects.get(pk=1).last_hash == rows[-1].entry_hash
    assert verify() == (1, f"audit chain broken at entry {target.pk}: {reason} (2 entries before it are intact)")


def test_stripping_the_key_from_the_whole_chain_is_found_with_unkeyed_until(five_events, settings):
    """Rewriting every entry as plain SHA-256 leaves a chain that looks as if keys never existed; the
    setting that says where keys began (or an anchor, below) tells."""
    rewrite_third_entry(five_events)
    rewrite_from(five_events[0].pk, plain_sha256, key_id="")
    assert verify()[0] == 0
    settings.DIGILEAP_AUDIT_UNKEYED_UNTIL = "0"
    assert verify() == (
        1,
        f"audit chain broken at entry {five_events[0].pk}: it has no key, and DIGILEAP_AUDIT_UNKEYED_UNTIL "
        "says keys begin after 0 (0 entries before it are intact)",
    )


def test_entries_made_before_keys_stay_verifiable(db, settings):
    school = SchoolFactory()
    settings.DIGILEAP_AUDIT_KEY = ""
    old = [audit.record(actor="t", action="create", instance=school, after={"n": n}) for n in range(2)]
    assert [e.key_id for e in old] == ["", ""]
    assert old[0].entry_hash == plain_sha256(audit._canonical(audit._payload(AuditEvent.objects.get(pk=old[0].pk))))
    settings.DIGILEAP_AUDIT_KEY = "k-one-secret"
    settings.DIGILEAP_AUDIT_KEY_ID = "k1"
    new = audit.record(actor="t", action="update", instance=school, after={"n": 2})
    assert new.key_id == "k1"
    assert verify() == (0, f"audit chain intact: 3 entries, head {new.entry_hash}\n")
    settings.DIGILEAP_AUDIT_UNKEYED_UNTIL = str(old[-1].pk)
    assert verify()[0] == 0
    settings.DIGILEAP_AUDIT_UNKEYED_UNTIL = str(old[0].pk)
    assert verify() == (
        1,
        f"audit chain broken at entry {old[1].pk}: it has no key, and DIGILEAP_AUDIT_UNKEYED_UNTIL says keys "
        f"begin after {old[0].pk} (1 entries before it are intact)",
    )


# -- rotation ----------------------------------------------------------------------------------------


def test_rotation_keeps_the_chain_verifiable(db, settings):
    school = SchoolFactory()
    settings.DIGILEAP_AUDIT_KEY, settings.DIGILEAP_AUDIT_KEY_ID = "first-secret", "k1"
    for n in range(2):
        audit.record(actor="t", action="update", instance=school, after={"n": n})
    settings.DIGILEAP_AUDIT_KEY, settings.DIGILEAP_AUDIT_KEY_ID = "second-secret", "k2"
    settings.DIGILEAP_AUDIT_PREVIOUS_KEYS = "k1:first-secret"
    for n in range(2, 4):
        last = audit.record(actor="t", action="update", instance=school, after={"n": n})
    assert list(AuditEvent.objects.order_by("id").values_list("key_id", flat=True)) == ["k1", "k1", "k2", "k2"]
    assert verify() == (0, f"audit chain intact: 4 entries, head {last.entry_hash}\n")

    settings.DIGILEAP_AUDIT_PREVIOUS_KEYS = ""  # the old key was dropped instead of kept
    first = AuditEvent.objects.order_by("id").first()
    assert verify() == (
        1,
        f"audit chain broken at entry {first.pk}: its key 'k1' is not configured "
        "(DIGILEAP_AUDIT_KEY or DIGILEAP_AUDIT_PREVIOUS_KEYS) (0 entries before it are intact)",
    )
    settings.DIGILEAP_AUDIT_PREVIOUS_KEYS = "k1:not-the-first-secret"
    assert verify() == (
        1,
        f"audit chain broken at entry {first.pk}: content does not match its hash (0 entries before it are intact)",
    )


def test_malformed_key_settings_are_system_check_errors(settings):
    settings.DIGILEAP_AUDIT_PREVIOUS_KEYS = "k1"
    errors = [m for m in checks.run_checks(tags=[checks.Tags.security]) if m.id == "digileap.E101"]
    assert [e.msg for e in errors] == ["DIGILEAP_AUDIT_PREVIOUS_KEYS: key 'k1' has no secret (id:secret)"]
    settings.DIGILEAP_AUDIT_PREVIOUS_KEYS = "test:another-secret"
    errors = [m for m in checks.run_checks(tags=[checks.Tags.security]) if m.id == "digileap.E101"]
    assert [e.msg for e in errors] == [
        "DIGILEAP_AUDIT_PREVIOUS_KEYS: key 'test' is the current key id with another secret"
    ]
    settings.DIGILEAP_AUDIT_PREVIOUS_KEYS = ""
    settings.DIGILEAP_AUDIT_UNKEYED_UNTIL = "the start"
    errors = [m for m in checks.run_checks(tags=[checks.Tags.security]) if m.id == "digileap.E101"]
    assert [e.msg for e in errors] == [
        "DIGILEAP_AUDIT_UNKEYED_UNTIL is the id of an audit entry (0 or more), not 'the start'."
    ]


def test_check_deploy_requires_a_key(settings):
    settings.DIGILEAP_AUDIT_KEY = ""
    found = [m.id for m in checks.run_checks(include_deployment_checks=True) if m.id.startswith("digileap.E10")]
    assert found == ["digileap.E100"]
    settings.DIGILEAP_AUDIT_KEY = "set"
    found = [m.id for m in checks.run_checks(include_deployment_checks=True) if m.id.startswith("digileap.E10")]
    assert found == []


# -- triggers ----------------------------------------------------------------------------------------


def test_the_database_refuses_to_update_an_entry(five_events):
    with pytest.raises(DatabaseError, match="audit events are append-only: UPDATE refused"), transaction.atomic():
        AuditEvent.objects.filter(pk=five_events[0].pk).update(actor_label="someone else")
    table = AuditEvent._meta.db_table
    with pytest.raises(DatabaseError, match="audit events are append-only: UPDATE refused"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET entry_hash = %s", ["0" * 64])
    assert audit.verify_chain().is_intact


def test_the_database_refuses_to_delete_an_entry(five_events):
    with pytest.raises(DatabaseError, match="audit events are append-only: DELETE refused"), transaction.atomic():
        AuditEvent.objects.filter(pk=five_events[-1].pk).delete()
    table = AuditEvent._meta.db_table
    with pytest.raises(DatabaseError, match="audit events are append-only: DELETE refused"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")
    assert AuditEvent.objects.count() == 5


# -- anchors -----------------------------------------------------------------------------------------


def anchor_to(path: Path) -> dict:
    call_command("audit_anchor", "--append", str(path))
    return json.loads(path.read_text().splitlines()[-1])


def test_audit_anchor_writes_the_head_as_one_json_line(five_events, tmp_path):
    out = StringIO()
    call_command("audit_anchor", stdout=out)
    line = json.loads(out.getvalue())
    assert out.getvalue().count("\n") == 1
    assert {k: v for k, v in line.items() if k != "anchored_at"} == {
        "last_event_id": five_events[-1].pk,
        "count": 5,
        "hash": five_events[-1].entry_hash,
        "key_id": "test",
    }
    target = tmp_path / "anchor.jsonl"
    call_command("audit_anchor", "--output", str(target))
    call_command("audit_anchor", "--output", str(target))
    assert len(target.read_text().splitlines()) == 1
    call_command("audit_anchor", "--append", str(target))
    assert len(target.read_text().splitlines()) == 2


def test_an_empty_trail_can_be_anchored(db, tmp_path):
    anchor = anchor_to(tmp_path / "a.jsonl")
    assert (anchor["last_event_id"], anchor["count"], anchor["hash"]) == (None, 0, audit.GENESIS_HASH)
    assert verify("--anchor", str(tmp_path / "a.jsonl"))[0] == 0


def test_anchors_hold_on_an_intact_chain(db, tmp_path):
    school = SchoolFactory()
    path = tmp_path / "anchors.jsonl"
    for n in range(3):
        audit.record(actor="t", action="update", instance=school, after={"n": n})
    anchor_to(path)
    for n in range(3, 5):
        last = audit.record(actor="t", action="update", instance=school, after={"n": n})
    second = anchor_to(path)
    assert verify("--anchor", str(path)) == (
        0,
        f"audit chain intact: 5 entries, head {last.entry_hash}\n"
        f"anchors hold: 2 in {path}, the newest up to entry {last.pk} ({second['anchored_at']})\n",
    )


def test_deleting_the_tail_after_an_anchor_is_found(five_events, tmp_path):
    path = tmp_path / "anchors.jsonl"
    anchor = anchor_to(path)
    # The administrator removes the two newest entries and points the head at the one before.
    with triggers_bypassed():
        AuditEvent.objects.filter(pk__in=[five_events[3].pk, five_events[4].pk]).delete()
    AuditChainHead.objects.filter(pk=1).update(last_event_id=five_events[2].pk, last_hash=five_events[2].entry_hash)
    assert verify()[0] == 0  # without the anchor nothing shows
    assert verify("--anchor", str(path)) == (
        1,
        f"audit chain broken at entry {five_events[4].pk}: anchor on line 1 ({anchor['anchored_at']}) names "
        "this entry, and it is missing (3 entries before it are intact)",
    )


def test_a_rewrite_without_keys_is_found_by_the_anchor(five_events, tmp_path):
    path = tmp_path / "anchors.jsonl"
    anchor = anchor_to(path)
    rewrite_third_entry(five_events)
    rewrite_from(five_events[0].pk, plain_sha256, key_id="")  # whole chain: no key left to check
    assert verify()[0] == 0
    assert verify("--anchor", str(path)) == (
        1,
        f"audit chain broken at entry {five_events[4].pk}: anchor on line 1 ({anchor['anchored_at']}) holds "
        "another hash for this entry (4 entries before it are intact)",
    )


def test_entries_before_keys_are_protected_by_anchors(db, settings, tmp_path):
    """Plain SHA-256 entries (made before keys) can be deleted and relinked by whoever holds the
    database without a broken link; the anchor tells."""
    settings.DIGILEAP_AUDIT_KEY = ""
    school = SchoolFactory()
    events = [audit.record(actor="t", action="update", instance=school, after={"n": n}) for n in range(5)]
    path = tmp_path / "anchors.jsonl"
    anchor = anchor_to(path)
    assert anchor["key_id"] == ""
    with triggers_bypassed():
        AuditEvent.objects.filter(pk=events[1].pk).delete()
    rewrite_from(events[2].pk, plain_sha256)
    assert verify()[0] == 0
    assert verify("--anchor", str(path)) == (
        1,
        f"audit chain broken at entry {events[4].pk}: anchor on line 1 ({anchor['anchored_at']}) holds "
        "another hash for this entry (3 entries before it are intact)",
    )


def test_an_anchor_file_that_is_not_one(db, tmp_path):
    path = tmp_path / "anchors.jsonl"
    path.write_text('{"last_event_id": 1, "count": 1, "hash": "00"}\n')
    assert verify("--anchor", str(path)) == (
        2,
        f"anchor file {path}: line 1 is not an anchor (a JSON object with last_event_id, count and hash)",
    )
    assert verify("--anchor", str(tmp_path / "missing.jsonl")) == (
        2,
        f"cannot read the anchor file {tmp_path / 'missing.jsonl'}: No such file or directory",
    )


# -- actions -----------------------------------------------------------------------------------------


def test_an_unknown_action_is_refused(db):
    school = SchoolFactory()
    message = "unknown audit action 'renamed': add it to AuditAction in digileap/core/audit_actions.py"
    with pytest.raises(ValueError, match=message):
        audit.record(actor="t", action="renamed", instance=school)
    with pytest.raises(ValueError, match=message):
        audit.record_many(actor="t", changes=[audit.change_for("create", school), audit.change_for("renamed", school)])
    assert not AuditEvent.objects.exists()
    event = audit.record(actor="t", action=AuditAction.PUBLISH, instance=school)
    assert AuditEvent.objects.get(pk=event.pk).action == "publish"


def _labels_in_source() -> dict[str, tuple[str | None, str]]:
    """Each action's label as written: (context or None, message id)."""
    source = (Path(settings.BASE_DIR) / "digileap" / "core" / "audit_actions.py").read_text()
    labels = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Tuple) and len(node.value.elts) == 2:
            value, call = node.value.elts
            if isinstance(value, ast.Constant) and isinstance(call, ast.Call):
                args = [a.value if isinstance(a, ast.Constant) else "audit action" for a in call.args]
                labels[value.value] = (args[0], args[1]) if len(args) == 2 else (None, args[0])
    return labels


# Labels not yet in the catalogues (none: every label is translated). Add a new action's label here
# only until the translators run; never an old one.
AWAITING_TRANSLATION: set[str] = set()


def test_every_action_has_a_label_in_the_source():
    labels = _labels_in_source()
    assert set(labels) == set(AuditAction.values)
    assert {msgid for _context, msgid in labels.values()} == {str(label) for label in AuditAction.labels}


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES if code != "en"])
def test_every_action_label_is_translated(language):
    catalogue = polib.pofile(str(Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"))
    translated = {(e.msgctxt, e.msgid) for e in catalogue if e.msgstr and "fuzzy" not in e.flags and not e.obsolete}
    missing = {msgid for context, msgid in _labels_in_source().values() if (context, msgid) not in translated}
    assert missing <= AWAITING_TRANSLATION, f"labels without a translation in {language}: {sorted(missing)}"


def test_action_labels_go_through_gettext():
    words = {("audit action", "ticked off"): "abgehakt", "changed": "geändert"}
    with extra_translations("de", words), translation.override("de"):
        assert str(AuditAction.TICK.label) == "abgehakt"
        assert str(AuditAction.UPDATE.label) == "geändert"
        assert audit_action("tick") == "abgehakt"
    assert audit_action("no longer listed") == "no longer listed"


# -- history labels ----------------------------------------------------------------------------------


def test_history_shows_field_labels_and_related_objects(world, role_users):
    decider = role_users[Role.ADMINISTRATOR]
    event = AuditEvent(
        occurred_at=audit.timezone.now(),
        actor_label="committee",
        action="approve",
        object_type="allocation.changerequest",
        object_id="7",
        object_repr="Request 7",
        before={"decided_by": None, "status": "submitted"},
        after={"decided_by": decider.pk, "status": "approved", "resulting_version": 987654},
    )
    html = " ".join(
        render_to_string("core/partials/audit_history.html", {"events": [event], "show_object": True}).split()
    )
    assert "decided_by" not in html
    assert f"<strong>Decided by</strong>: <del>–</del> → <ins>{decider}</ins>" in html
    assert "<strong>Status</strong>: <del>Submitted</del> → <ins>Approved</ins>" in html
    assert "<strong>Resulting version</strong>: <ins>987654</ins>" in html  # gone: its id
    assert "<td>approved</td>" in html
    assert 'Request 7 <span class="muted">Change request #7</span>' in html


def test_the_audit_log_page_shows_labels_and_filters_by_action(client, world, role_users):
    admin = role_users[Role.ADMINISTRATOR]
    audit.record(actor=admin, action="update", instance=world.school, after={"status": "closed"})
    audit.record(actor=admin, action="tick", instance=world.school, after={})
    client.force_login(admin)
    page = " ".join(client.get("/audit/").content.decode().split())
    assert f'{world.school} <span class="muted">School #{world.school.pk}</span>' in page
    assert "<td>changed</td>" in page
    assert "<strong>Status</strong>: <ins>Closed</ins>" in page
    assert '<option value="tick">ticked off</option>' in page
    ticked = client.get("/audit/", {"action": "tick"})
    assert [event.action for event in ticked.context["page"].object_list] == ["tick"]
    unknown = client.get("/audit/", {"action": "renamed"})
    assert len(unknown.context["page"].object_list) == AuditEvent.objects.count()


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_trail_and_the_triggers_stay():
    """Test databases are flushed after every transactional test: TRUNCATE on PostgreSQL, DELETE on
    SQLite with the DELETE trigger dropped for the flush only."""
    school = SchoolFactory()
    for n in range(2):
        audit.record(actor="t", action="update", instance=school, after={"n": n})
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    event = audit.record(actor="t", action="create", instance=SchoolFactory(), after={})
    with pytest.raises(DatabaseError, match="audit events are append-only: DELETE refused"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError, match="audit events are append-only: UPDATE refused"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="delete")
