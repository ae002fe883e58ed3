"""The optional second factor (TOTP, django-otp): who sees the set-up, enrolment with a QR code,
sign-in with a code, removal, forced set-up by role, and the API token endpoint."""

from base64 import b32decode
from binascii import unhexlify

from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from digileap.accounts import otp
from digileap.accounts.models import Role
from digileap.accounts.tests.factories import PASSWORD
from digileap.core.models import AuditEvent

SETUP_URL = "/accounts/otp/"
VERIFY_URL = "/accounts/otp/verify/"
REMOVE_URL = "/accounts/otp/remove/"
LOGIN_URL = "/accounts/login/"


def code_for(hex_key: str, steps_ahead: int = 0) -> str:
    """The authenticator app's code now (or ``steps_ahead`` periods of 30 s later: a code is accepted once)."""
    return f"{totp(unhexlify(hex_key.encode()), step=30, t0=0, digits=6, drift=steps_ahead):06d}"


def give_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def sign_in(user, next_url: str = "") -> Client:
    client = Client()
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post(LOGIN_URL, data)
    assert response.status_code == 302
    return client


def test_only_administrators_and_programme_owners_see_the_set_up(client, role_users):
    statuses = {}
    for role, user in role_users.items():
        client.force_login(user)
        statuses[role] = client.get(SETUP_URL).status_code
    assert statuses == {role: 200 if role in otp.SECOND_FACTOR_ROLES else 403 for role in role_users}
    assert otp.SECOND_FACTOR_ROLES == (Role.ADMINISTRATOR, Role.PROGRAMME_OWNER)


def test_the_set_up_needs_a_sign_in(client, db):
    response = client.get(SETUP_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next={SETUP_URL}"


def test_enrolment_with_the_qr_code_and_a_code(client, role_users):
    owner = role_users[Role.PROGRAMME_OWNER]
    client.force_login(owner)
    page = client.get(SETUP_URL)
    html = page.content.decode()
    key = client.session[otp.PENDING_KEY_SESSION_KEY]
    assert page.context["qr_code"].startswith("data:image/svg+xml")
    assert f'<img src="{page.context["qr_code"]}"' in html
    # The key shown as text is the key the QR code carries (base32, in groups of four).
    assert b32decode(page.context["secret"].replace(" ", "")) == unhexlify(key)
    assert "<script" not in html.split("<main", 1)[-1]
    assert "style=" not in html
    assert not TOTPDevice.objects.exists()  # showing the page writes nothing

    wrong = client.post(SETUP_URL, {"code": "000000" if code_for(key) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors == {
        "code": ["The code does not match. Check the time on your phone and try the next code."]
    }
    assert not TOTPDevice.objects.exists()

    done = client.post(SETUP_URL, {"code": code_for(key)})
    assert done.status_code == 302
    assert done["Location"] == "/"
    device = TOTPDevice.objects.get()
    assert (device.user, device.confirmed, device.key) == (owner, True, key)
    event = AuditEvent.objects.get(action="totp_enable")
    assert (event.actor_id, event.object_type, event.object_id) == (owner.pk, "otp_totp.totpdevice", str(device.pk))
    assert event.after == {"name": "Authenticator app"}
    # The session that set it up counts as verified.
    assert client.get("/accounts/password/").status_code == 200
    assert otp.PENDING_KEY_SESSION_KEY not in client.session
    # The set-up page now offers the removal.
    assert client.get(SETUP_URL).context["device"] == device


def test_enrolment_deletes_tokens_issued_without_the_second_factor(client, role_users):
    admin = role_users[Role.ADMINISTRATOR]
    Token.objects.create(user=admin)
    client.force_login(admin)
    client.get(SETUP_URL)
    client.post(SETUP_URL, {"code": code_for(client.session[otp.PENDING_KEY_SESSION_KEY])})
    assert not Token.objects.filter(user=admin).exists()


def test_sign_in_with_a_confirmed_device_asks_for_the_code(role_users):
    admin = role_users[Role.ADMINISTRATOR]
    device = give_device(admin)
    client = sign_in(admin, next_url="/schools/")
    # Every page but the code page and sign-out leads to the code page, the API says why.
    first = client.get("/schools/")
    assert first.status_code == 302
    assert first["Location"] == f"{VERIFY_URL}?next=%2Fschools%2F"
    assert client.get("/accounts/password/")["Location"] == f"{VERIFY_URL}?next=%2Faccounts%2Fpassword%2F"
    assert client.get(SETUP_URL).status_code == 302
    api = client.get("/api/schools/")
    assert api.status_code == 403
    assert api.json() == {"detail": "Sign in with your second factor first."}
    assert client.get(VERIFY_URL).status_code == 200

    wrong = client.post(VERIFY_URL, {"code": "12345", "next": "/schools/"})
    assert wrong.status_code == 400
    assert wrong.context["form"].errors == {"code": ["Enter the six digits of the code."]}
    assert client.get("/schools/").status_code == 302

    done = client.post(VERIFY_URL, {"code": code_for(device.key), "next": "/schools/"})
    assert done.status_code == 302
    assert done["Location"] == "/schools/"
    assert client.get("/schools/").status_code == 200
    assert client.get("/api/schools/").status_code == 200


def test_a_wrong_code_does_not_verify_and_slows_down(role_users):
    admin = role_users[Role.ADMINISTRATOR]
    device = give_device(admin)
    client = sign_in(admin)
    right = code_for(device.key)
    wrong_code = "000000" if right != "000000" else "111111"
    response = client.post(VERIFY_URL, {"code": wrong_code})
    assert response.status_code == 400
    assert response.context["form"].errors == {"code": ["The code is not valid. Wait for the next code and try again."]}
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert client.get("/schools/").status_code == 302


def test_sign_out_is_open_before_the_code(role_users):
    admin = role_users[Role.ADMINISTRATOR]
    give_device(admin)
    client = sign_in(admin)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_users_without_a_device_are_not_asked(role_users):
    client = sign_in(role_users[Role.ADMINISTRATOR])
    assert client.get("/schools/").status_code == 200


def test_removal_needs_a_current_code_and_is_audited(client, role_users):
    admin = role_users[Role.ADMINISTRATOR]
    device = give_device(admin)
    client = sign_in(admin)
    client.post(VERIFY_URL, {"code": code_for(device.key)})
    wrong = client.post(REMOVE_URL, {"code": "12345"})
    assert wrong.status_code == 400
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    # The code of the sign-in is used up; the next one removes the device.
    done = client.post(REMOVE_URL, {"code": code_for(device.key, steps_ahead=1)})
    assert done.status_code == 302
    assert done["Location"] == SETUP_URL
    assert not TOTPDevice.objects.exists()
    event = AuditEvent.objects.get(action="totp_disable")
    assert (event.actor_id, event.object_type, event.object_id) == (admin.pk, "otp_totp.totpdevice", str(device.pk))
    assert event.before == {"name": "Authenticator app"}


def test_other_roles_cannot_remove_or_set_up(client, role_users):
    teacher = role_users[Role.TEACHER]
    client.force_login(teacher)
    assert client.post(REMOVE_URL, {"code": "123456"}).status_code == 403
    assert client.post(SETUP_URL, {"code": "123456"}).status_code == 403
    assert not TOTPDevice.objects.exists()


def test_a_role_can_be_forced_to_set_up(role_users, settings):
    settings.DIGILEAP_REQUIRE_TOTP_FOR = ["administrator"]
    admin = role_users[Role.ADMINISTRATOR]
    client = sign_in(admin)
    response = client.get("/schools/")
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP_URL}?next=%2Fschools%2F"
    page = client.get(SETUP_URL)
    assert page.status_code == 200
    assert page.context["forced"] is True
    assert "Your role requires a second factor. Set it up to continue." in page.content.decode()
    key = client.session[otp.PENDING_KEY_SESSION_KEY]
    done = client.post(SETUP_URL, {"code": code_for(key), "next": "/schools/"})
    assert done["Location"] == "/schools/"
    assert client.get("/schools/").status_code == 200
    # A role the setting does not name is not forced.
    assert sign_in(role_users[Role.PROGRAMME_OWNER]).get("/schools/").status_code == 200


def test_the_setting_takes_a_comma_separated_list(role_users, settings):
    settings.DIGILEAP_REQUIRE_TOTP_FOR = "administrator, programme_owner,teacher"
    assert otp.required_roles() == {"administrator", "programme_owner", "teacher"}
    assert otp.must_set_up(role_users[Role.PROGRAMME_OWNER]) is True
    # Only administrators and programme owners have a set-up, so the teacher is never held.
    assert otp.must_set_up(role_users[Role.TEACHER]) is False
    response = sign_in(role_users[Role.TEACHER]).get("/accounts/password/")
    assert response.status_code == 200


def test_the_token_endpoint_asks_a_user_with_a_second_factor_for_the_code(role_users):
    admin = role_users[Role.ADMINISTRATOR]
    device = give_device(admin)
    api = APIClient()
    missing = api.post("/api/auth/token/", {"username": admin.username, "password": PASSWORD})
    assert missing.status_code == 400
    assert missing.json() == {"code": ["This account has a second factor: send its current code in the field code."]}
    assert not Token.objects.exists()
    ok = api.post("/api/auth/token/", {"username": admin.username, "password": PASSWORD, "code": code_for(device.key)})
    assert ok.status_code == 200
    assert ok.json() == {"token": Token.objects.get(user=admin).key}
    # A used or wrong code is refused (django-otp accepts each code once and slows down after a failure).
    again = api.post(
        "/api/auth/token/", {"username": admin.username, "password": PASSWORD, "code": code_for(device.key)}
    )
    assert again.status_code == 400
    assert again.json() == {"code": ["The code is not valid. Wait for the next code and try again."]}


def test_a_token_works_without_a_code(role_users):
    """Tokens are for machines: a request with a token is not held at the code page."""
    admin = role_users[Role.ADMINISTRATOR]
    give_device(admin)
    token = Token.objects.create(user=admin)
    response = Client().get("/api/schools/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
