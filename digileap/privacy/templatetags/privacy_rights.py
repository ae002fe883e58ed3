"""``{% recipient_rights_links recipient %}``: the links to a pupil's export and erasure, for those
who may (the devices app's recipient page shows them without knowing the rules)."""

from typing import Any

from django import template

from digileap.devices.models import Recipient

from ..services import may_erase, may_export

register = template.Library()


@register.inclusion_tag("privacy/rights/_links.html", takes_context=True)
def recipient_rights_links(context: dict[str, Any], recipient: Recipient) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    exportable = user is not None and may_export(user, recipient)
    return {
        "recipient": recipient,
        "can_export": exportable,
        "can_erase": exportable and recipient.erased_at is None and may_erase(user, recipient),
    }
