"""Links to the programme administration pages, for those who may change the programme."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from digileap.core.permissions import Action, can, permits

register = template.Library()


def manage_links(user, programme) -> list[dict]:
    """(key, label, url) of the administration pages of ``programme`` that ``user`` may open. The
    milestones, targets, evidence and money pages have links of their own (``targets/_links.html``)."""
    if not permits(user, Action.CHANGE, programme):
        return []
    pk = programme.pk
    links = [
        ("edit", _("Edit"), reverse("programmes:programme-update", kwargs={"pk": pk})),
        ("sources", _("Funding sources"), reverse("programmes:programme-sources", kwargs={"pk": pk})),
        ("objectives", _("Objectives"), reverse("programmes:programme-objectives", kwargs={"pk": pk})),
    ]
    publish_label = _("Unpublish") if programme.is_public else _("Publish")
    links.append(("publish", publish_label, reverse("programmes:programme-publish", kwargs={"pk": pk})))
    if permits(user, Action.ADD, type(programme)(authority_id=programme.authority_id)):
        links.append(("copy", _("Copy"), reverse("programmes:programme-copy", kwargs={"pk": pk})))
    return [{"key": key, "label": label, "url": url} for key, label, url in links]


@register.inclusion_tag("programmes/manage/_links.html", takes_context=True)
def programme_manage_links(context, programme, current: str = ""):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"links": manage_links(user, programme), "current": current, "programme": programme}


@register.simple_tag(takes_context=True)
def may_add_programme(context) -> bool:
    from digileap.programmes.models import Programme

    request = context.get("request")
    return can(getattr(request, "user", None), Action.ADD, Programme)
