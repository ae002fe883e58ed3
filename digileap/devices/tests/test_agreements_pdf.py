"""Agreement PDFs: the filled-in text, the hand-out's facts without names, the signature lines, the
in-app link, one page per agreement, and WeasyPrint fetching nothing.

Neither pypdf nor pdftotext is installed, so the words are checked in the HTML that is rendered to
PDF, and the PDF itself by its header and its page count."""

import pytest
from django.utils import timezone

from digileap.devices import agreements_pdf
from digileap.devices.models import Recipient
from digileap.programmes.tests.factories import ProgrammeFactory

from .factories_agreements import AgreementTemplateFactory, agreement_for, hand_out


@pytest.fixture
def programme(world):
    return ProgrammeFactory(code="AGR", name={"en": "Laptops for pupils", "nl": "Laptops"}, authority=world.authority)


@pytest.fixture
def agreement(world, programme):
    assignment = hand_out(programme=programme, school=world.school, reference="P-0107", group="6B", serial="PF0XY123")
    device = assignment.device
    device.asset_tag = "INV-7"
    device.save()
    template = AgreementTemplateFactory(
        programme=programme,
        title="Device agreement",
        body="{recipient} receives {device} ({serial}) with {kit} from {school} on {date} ({programme}).\n\n"
        "Second paragraph.",
    )
    return agreement_for(assignment, template)


def test_the_html_holds_the_filled_text_and_the_facts(agreement, world):
    page = agreements_pdf.agreement_page(agreement, accept_url="https://digileap.example/devices/agreements/accept/T/")
    html = agreements_pdf.render_html([page])
    today = timezone.localdate(agreement.assignment.assigned_at).isoformat()
    device = str(agreement.assignment.device.device_model)
    assert (
        f"P-0107 receives {device} (PF0XY123) with charger, bag from INSIDE school on {today} (Laptops for pupils)."
        in html
    )
    assert "<p>Second paragraph.</p>" in html
    for fact in ("P-0107", "6B", "PF0XY123", "INV-7", "charger, bag", today, device, f"Agreement no. {agreement.pk}"):
        assert fact in html
    assert "https://digileap.example/devices/agreements/accept/T/" in html
    assert "Parent or guardian" in html and "Pupil" in html  # the signature lines
    assert "Pupil (reference)" in html


def test_no_link_is_printed_without_one(agreement):
    html = agreements_pdf.render_html([agreements_pdf.agreement_page(agreement)])
    assert "accept this agreement online" not in html


def test_a_teacher_signs_alone(agreement, programme, world):
    teacher = agreement_for(
        hand_out(programme=programme, school=world.school, reference="T-9", kind=Recipient.Kind.TEACHER),
        agreement.template,
    )
    html = agreements_pdf.render_html([agreements_pdf.agreement_page(teacher)])
    assert "Teacher (reference)" in html
    assert "Parent or guardian" not in html


def test_names_are_not_printed(agreement):
    recipient = agreement.assignment.recipient
    recipient.display_name = "Jane Example"
    recipient.save()
    html = agreements_pdf.render_html([agreements_pdf.agreement_page(agreement)])
    assert "Jane Example" not in html


def test_labels_are_in_the_agreements_language(agreement):
    template = agreement.template
    template.language = "nl"
    template.save()
    html = agreements_pdf.render_html([agreements_pdf.agreement_page(agreement)])
    assert 'lang="nl"' in html


def test_the_pdf(agreement, programme, world):
    other = agreement_for(
        hand_out(programme=programme, school=world.school, reference="P-0043", serial="PF0XY124"), agreement.template
    )
    pdf = agreements_pdf.agreements_pdf([agreement, other], accept_url=lambda a: f"https://x.example/{a.pk}/")
    assert pdf.startswith(b"%PDF-")
    pages = [agreements_pdf.agreement_page(a) for a in (agreement, other)]
    assert len(agreements_pdf.render_document(agreements_pdf.render_html(pages)).pages) == 2
    assert len(agreements_pdf.render_document(agreements_pdf.render_html(pages[:1])).pages) == 1


def test_the_preview_uses_made_up_values(agreement):
    html = agreements_pdf.render_html([agreements_pdf.preview_page(agreement.template)], is_preview=True)
    assert "Preview with made-up values" in html
    assert "P-0107 receives" not in html
    assert "PF0ABC12" in html
    assert agreements_pdf.template_preview_pdf(agreement.template).startswith(b"%PDF-")


def test_weasyprint_fetches_nothing(monkeypatch):
    asked = []
    refuse = agreements_pdf.refuse_fetch

    def recording_refusal(url, *args, **kwargs):
        asked.append(url)
        return refuse(url)

    monkeypatch.setattr(agreements_pdf, "refuse_fetch", recording_refusal)
    html = '<html><body><img src="https://tracker.example/pixel.png"><p>x</p></body></html>'
    # WeasyPrint asks the refusing fetcher instead of the network; the image is just left out.
    assert agreements_pdf.render_pdf(html).startswith(b"%PDF-")
    assert asked == ["https://tracker.example/pixel.png"]
    with pytest.raises(agreements_pdf.FetchRefused):
        agreements_pdf.refuse_fetch("https://tracker.example/pixel.png")


def test_kit_text():
    assert agreements_pdf.kit_text(["charger", "Bag", "stylus pen", {"label": "case"}, ""]) == (
        "charger, bag, stylus pen, case"
    )
    assert agreements_pdf.kit_text(None) == ""
