from django.conf import settings


def portal(request):
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_LANGUAGES": settings.LANGUAGES,
        "COORDINATION_EMAIL": settings.COORDINATION_EMAIL,
    }
