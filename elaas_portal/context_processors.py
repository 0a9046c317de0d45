from django.conf import settings


def portal(request):
    return {"DEMO_FEATURES": settings.DEMO_FEATURES}
