"""Links from the application and call pages to the review pages, shown only to those who may use
them: ``{% review_links application as review %}`` and ``{% call_review_links call as review %}``."""

from django import template

from digileap.core.permissions import Action, can, permits

from ..models import CallReviewer, ReviewItem

register = template.Library()


@register.simple_tag(takes_context=True)
def review_links(context, application) -> dict:
    user = context["request"].user
    return {
        "can_review": can(user, Action.VIEW, ReviewItem),
        "decision": application.decisions.order_by("-number").first(),
    }


@register.simple_tag(takes_context=True)
def call_review_links(context, call) -> dict:
    user = context["request"].user
    return {
        "can_see_reviewers": can(user, Action.VIEW, CallReviewer),
        "can_change": permits(user, Action.CHANGE, call),
    }
