"""The language switcher's helpers: ``{% language_switch_next %}`` is the page to come back to.

The public pages take ``?lang=xx`` (a shareable link in one language) and it wins over the
language cookie. Coming back to the same address with ``lang`` still in it would undo the choice,
so the switcher returns to the page without it, keeping every other parameter (filters, page).
"""

from urllib.parse import urlencode

from django import template

register = template.Library()

LANGUAGE_PARAMETER = "lang"


@register.simple_tag(takes_context=True)
def language_switch_next(context) -> str:
    request = context.get("request")
    if request is None:
        return "/"
    parameters = [(key, value) for key, value in request.GET.lists() if key != LANGUAGE_PARAMETER]
    query = urlencode([(key, value) for key, values in parameters for value in values])
    return f"{request.path}?{query}" if query else request.path
