"""What the two invitation flows share: people invitations (``accounts.services``) and staff
invitations (``training.services.people``).

A link's token is shown once, in the e-mail; only its SHA-256 is stored (``new_token``,
``token_hash``). The e-mail goes out inside the transaction that writes the invitation: when the
mail server cannot take it, ``send_invitation`` raises ``InvitationMailError`` and the caller's
transaction rolls back, so no invitation (nor its audit event) is kept without its e-mail. Following
a link makes an account with a username and a password that ``check_new_account`` checks.

accounts imports no domain app (portal/tests/test_structure.py): this module knows no model but
``User``; each flow passes its own templates, texts and URL names.
"""

import hashlib
import logging
import secrets
import smtplib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from .models import User

logger = logging.getLogger(__name__)


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A link's secret token and the SHA-256 that is stored in its place."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


class InvitationGone(ValidationError):
    """The link was used, withdrawn or has expired, or the person has an account already:
    ``state`` is ``accepted``, ``withdrawn``, ``expired`` or ``has_account``."""

    def __init__(self, message: str, state: str):
        super().__init__(message)
        self.state = state


def used_message() -> str:
    return _("This invitation link has been used already. Sign in with the account it made.")


class InvitationMailError(ValidationError):
    """The mail server did not take the invitation e-mail: nothing was saved."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "The invitation e-mail could not be sent (the mail server did not answer). Nothing was saved; "
                "try again later or ask your administrator to check the e-mail settings."
            ),
            code="mail_unavailable",
        )


def choose_language(*codes: str) -> str:
    """The first of ``codes`` the installation speaks (``de-at`` counts as ``de``), else the site's."""
    languages = dict(settings.LANGUAGES)
    for code in codes:
        code = (code or "").lower()
        if code in languages:
            return code
        if code.split("-")[0] in languages:
            return code.split("-")[0]
    return settings.LANGUAGE_CODE


def clean_address(email: str | None) -> str:
    """The address an invitation goes to, lower case; a ``ValidationError`` on ``email`` when it is
    missing or not an e-mail address."""
    address = (email or "").strip().lower()
    if not address:
        raise ValidationError({"email": [_("Give the e-mail address the invitation goes to.")]})
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"email": [_("%(value)s is not an e-mail address.") % {"value": address}]}) from None
    return address


def link(url_name: str, token: str, base_url: str = "") -> str:
    """The link in the e-mail: ``DIGILEAP_BASE_URL`` if set, else ``base_url`` (the address of the
    request that sent the invitation), so that the link opens from a mail program."""
    base = settings.DIGILEAP_BASE_URL or base_url
    return base.rstrip("/") + reverse(url_name, kwargs={"token": token})


def send_invitation(
    *,
    to: str,
    language: str,
    subject: Callable[[], str],
    template: str,
    context: Callable[[], dict[str, Any]],
    expires_at: Any,
) -> None:
    """E-mail an invitation in ``language``: ``subject()`` and ``template`` rendered with
    ``context()`` and ``expires`` (the last day of the link), both made in that language.
    ``InvitationMailError`` (logged) when the mail server does not take it."""
    with translation.override(language):
        body = render_to_string(
            template,
            {**context(), "expires": formats.date_format(timezone.localtime(expires_at), "DATE_FORMAT")},
        )
        message = EmailMessage(subject=subject(), body=body, to=[to])
    try:
        message.send()
    except (smtplib.SMTPException, OSError):
        logger.warning("The invitation e-mail could not be sent; the invitation is not kept", exc_info=True)
        raise InvitationMailError() from None


def check_new_account(email: str, username: str, password: str) -> str:
    """The username, stripped, for a new account with ``email``: a ``ValidationError`` on
    ``username`` (missing, invalid, too long or taken) and ``password`` (Django's validators)."""
    username = (username or "").strip()
    errors: dict[str, list[str]] = {}
    username_field = User._meta.get_field("username")
    if not username:
        errors["username"] = [_("Choose a username.")]
    else:
        try:
            username_field.run_validators(username)
            if username_field.max_length is not None and len(username) > username_field.max_length:
                raise ValidationError(
                    _("A username has at most %(max)s characters.") % {"max": username_field.max_length}
                )
        except ValidationError as error:
            errors["username"] = error.messages
        else:
            if User.objects.filter(username__iexact=username).exists():
                errors["username"] = [_("The username %(username)s is taken: choose another.") % {"username": username}]
    try:
        password_validation.validate_password(password or "", user=User(username=username, email=email))
    except ValidationError as error:
        errors["password"] = error.messages
    if errors:
        raise ValidationError(errors)
    return username


def save_new_account(user: User, password: str) -> User:
    """Set the password and save the new account; a ``ValidationError`` on ``username`` when another
    request took the username a moment ago."""
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise ValidationError(
            {"username": [_("The username %(username)s is taken: choose another.") % {"username": user.username}]}
        ) from None
    return user
