"""The PDF certificate of a completion (WeasyPrint, one A4 page in landscape).

It shows the programme and its authority, the person (their name where the installation keeps
names, else their staff reference), the course title in the reader's language, the provider,
hours, mode, the day of completion written in that language, the competences the course addresses
(codes and names), the certificate number and a line telling how to verify it.

As the other PDFs of Digileap (devices/agreements_pdf.py, connectivity/report.py): the HTML comes
from a template with its CSS inline and the DejaVu fonts the system has; WeasyPrint fetches
nothing. The same completion, language and address give the same bytes: the creation and
modification dates are the completion's recording time and the PDF carries no random identifier.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from digileap.programmes.translation import localized

from .models import Completion
from .selectors.completions import competences_of, display_name


@dataclass
class CertificateContent:
    """What one printed certificate says, in its language."""

    language: str
    programme: str
    authority: str
    person: str
    course: str
    course_code: str
    provider: str
    hours: str
    mode: str
    completed_on: str
    competences: list[tuple[str, str]]
    number: str
    verify_url: str
    school: str


def base_url(request=None) -> str:
    """The installation's address without a trailing slash: the request's, else ``DIGILEAP_BASE_URL``."""
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return (getattr(settings, "DIGILEAP_BASE_URL", "") or "").rstrip("/")


def verify_url(completion: Completion, base: str) -> str:
    """Where anyone can check the certificate number (the public verification page)."""
    return f"{base}{reverse('training:completion-verify')}?number={completion.certificate_number}"


def certificate_content(completion: Completion, *, language: str | None = None, base: str = "") -> CertificateContent:
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    course = completion.course
    programme = course.programme
    with translation.override(language):
        hours = formats.number_format(
            course.hours.normalize() if course.hours % 1 else int(course.hours), use_l10n=True
        )
        return CertificateContent(
            language=language,
            programme=localized(programme.name, language) or programme.code,
            authority=programme.authority.name,
            person=display_name(completion.staff),
            course=localized(course.title, language) or course.code,
            course_code=course.code,
            provider=course.provider.name,
            hours=hours,
            mode=str(course.get_mode_display()),
            completed_on=formats.date_format(completion.completed_on, "DATE_FORMAT", use_l10n=True),
            competences=[
                (competence.code, localized(competence.name, language)) for competence in competences_of(course)
            ],
            number=completion.certificate_number,
            verify_url=verify_url(completion, base),
            school=completion.school.name,
        )


def moment(completion: Completion) -> str:
    """The completion's recording time in UTC to the second: the PDF's creation and modification date."""
    return completion.created_at.astimezone(datetime.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_html(completion: Completion, *, language: str | None = None, base: str = "") -> str:
    content = certificate_content(completion, language=language, base=base)
    with translation.override(content.language):
        return render_to_string(
            "training/certificate/certificate.html",
            {"certificate": content, "moment": moment(completion), "title": _("Certificate of completion")},
        )


def certificate_pdf(completion: Completion, *, language: str | None = None, request=None) -> bytes:
    """The certificate as PDF bytes, in ``language`` (default: the active language)."""
    from weasyprint import HTML

    from digileap.core.pdf import reproducible_fonts
    from digileap.devices.agreements_pdf import url_fetcher

    reproducible_fonts()
    html = render_html(completion, language=language, base=base_url(request))
    return HTML(string=html, url_fetcher=url_fetcher()).write_pdf(pdf_identifier=False)
