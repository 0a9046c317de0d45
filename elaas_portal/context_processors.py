from django.conf import settings


def portal(request):
    context = {"DEMO_FEATURES": settings.DEMO_FEATURES}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from accounts.scope import is_officer

        from notifications.services import unread_count

        context["IS_OFFICER"] = is_officer(user)
        context["UNREAD"] = unread_count(user)
    if settings.DEMO_FEATURES:
        from maintenance import clock

        if clock.is_set():
            context["CLOCK_IS_SET"] = True
            context["CLOCK_NOW"] = clock.now()
    return context
