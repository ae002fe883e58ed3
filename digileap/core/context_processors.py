from django.conf import settings


def navigation(request):
    """What the base layout needs on every page: languages and whether OIDC sign-in is on."""
    return {
        "oidc_enabled": getattr(settings, "OIDC_ENABLED", False),
        "digileap_languages": settings.LANGUAGES,
    }
