"""User agreements as PDF (WeasyPrint), one A4 page per agreement: the template's text filled in, the
recipient's pseudonymous reference (never a name), the device, its kit, the day, signature lines, and
the in-app acceptance link printed as text (no QR library is installed; the link is short enough to
type).

As in the evidence packs (programmes/evidence.py): the HTML is rendered from a Django template with
inline CSS and the DejaVu fonts the system has, and WeasyPrint fetches nothing: every URL is refused,
so no page can make the server reach the network. Labels are in the agreement's language.
"""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import AgreementTemplate, Recipient, UserAgreement
from .services.agreements import fill_placeholders

KIT_LABELS = {
    "charger": gettext_lazy("charger"),
    "bag": gettext_lazy("bag"),
    "sleeve": gettext_lazy("sleeve"),
    "case": gettext_lazy("case"),
    "mouse": gettext_lazy("mouse"),
    "headset": gettext_lazy("headset"),
    "stylus": gettext_lazy("stylus"),
}


class FetchRefused(Exception):
    pass


def refuse_fetch(url, *args, **kwargs):
    """What WeasyPrint gets for every URL: an agreement needs nothing from outside its HTML."""
    raise FetchRefused(f"agreement PDFs fetch nothing ({url})")


def url_fetcher():
    """A WeasyPrint URL fetcher that fetches nothing (a refused URL is left out with a warning)."""
    from weasyprint.urls import URLFetcher

    class RefusingFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            return refuse_fetch(url)

    return RefusingFetcher(allowed_protocols=())


def kit_text(kit, language: str | None = None) -> str:
    """``["charger", "bag"]`` as "charger, bag" in ``language`` (default: the current one).

    An agreement's text is in the template's language, whatever the reader's interface language:
    a German agreement lists "Ladegerät, Tasche" (issue 11, defect 13: it listed "charger, bag").
    """
    if language:
        with translation.override(language):
            return kit_text(kit)
    items = []
    for item in kit or []:
        if isinstance(item, dict):
            item = item.get("label") or item.get("code") or ""
        item = str(item).strip()
        if item:
            items.append(str(KIT_LABELS.get(item.lower(), item)))
    return ", ".join(items)


@dataclass
class AgreementPage:
    """What one printed agreement shows."""

    agreement: UserAgreement | None
    title: str
    paragraphs: list[str]
    programme: str
    school: str
    reference: str
    group: str
    is_teacher: bool
    device: str
    serial: str
    asset_tag: str
    kit: str
    date: str
    accept_url: str
    language: str


def placeholder_values(agreement: UserAgreement) -> dict[str, str]:
    assignment = agreement.assignment
    device = assignment.device
    return {
        "programme": agreement.template.programme.display_name,
        "school": assignment.recipient.school.name,
        "recipient": assignment.recipient.reference,
        "device": str(device.device_model),
        "serial": device.serial,
        "kit": kit_text(assignment.kit, agreement.template.language) or "–",
        "date": timezone.localdate(assignment.assigned_at).isoformat(),
    }


def sample_values(programme=None, language: str | None = None) -> dict[str, str]:
    """Made-up values for a template's preview; the kit in the template's ``language``."""
    return {
        "programme": programme.display_name if programme is not None else _("Programme"),
        "school": _("Example school"),
        "recipient": "P-0042",
        "device": "Lenovo ThinkPad 11e",
        "serial": "PF0ABC12",
        "kit": kit_text(["charger", "bag"], language),
        "date": timezone.localdate().isoformat(),
    }


def paragraphs(text: str) -> list[str]:
    """Paragraphs split at blank lines; single line breaks stay (the template shows them)."""
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]


def agreement_page(agreement: UserAgreement, accept_url: str = "") -> AgreementPage:
    values = placeholder_values(agreement)
    assignment = agreement.assignment
    device = assignment.device
    return AgreementPage(
        agreement=agreement,
        title=agreement.template.title,
        paragraphs=paragraphs(fill_placeholders(agreement.template.body, values)),
        programme=values["programme"],
        school=values["school"],
        reference=assignment.recipient.reference,
        group=assignment.recipient.group,
        is_teacher=assignment.recipient.kind == Recipient.Kind.TEACHER,
        device=values["device"],
        serial=device.serial,
        asset_tag=device.asset_tag,
        kit=values["kit"],
        date=values["date"],
        accept_url=accept_url,
        language=agreement.template.language,
    )


def preview_page(template: AgreementTemplate) -> AgreementPage:
    values = sample_values(template.programme, template.language)
    return AgreementPage(
        agreement=None,
        title=template.title,
        paragraphs=paragraphs(fill_placeholders(template.body, values)),
        programme=values["programme"],
        school=values["school"],
        reference=values["recipient"],
        group="5A",
        is_teacher=False,
        device=values["device"],
        serial=values["serial"],
        asset_tag="INV-0001",
        kit=values["kit"],
        date=values["date"],
        accept_url="",
        language=template.language,
    )


def render_html(pages: list[AgreementPage], *, is_preview: bool = False) -> str:
    """The HTML of the PDF; each page's labels in its agreement's language."""
    language = pages[0].language if pages else translation.get_language()
    return render_to_string(
        "devices/pdf/agreement.html",
        {
            "pages": pages,
            "is_preview": is_preview,
            "language": language,
            "moment": timezone.now().replace(microsecond=0).isoformat(),
        },
    )


def render_document(html: str):
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=url_fetcher()).render()


def render_pdf(html: str) -> bytes:
    return render_document(html).write_pdf()


def agreements_pdf(agreements, accept_url=None) -> bytes:
    """One page per agreement. ``accept_url(agreement)`` gives the in-app link to print (or "")."""
    pages = [agreement_page(a, accept_url(a) if accept_url else "") for a in agreements]
    return render_pdf(render_html(pages))


def template_preview_pdf(template: AgreementTemplate) -> bytes:
    return render_pdf(render_html([preview_page(template)], is_preview=True))
