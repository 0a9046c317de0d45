from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from compliance import views as compliance_views

from . import readiness, views

urlpatterns = [
    path("", include("maintenance.urls")),
    path("circulars/", include("circulars.urls")),
    path("registry/", include("registry.urls")),
    path("", include("onboarding.urls")),
    path("inbox/", include("notifications.urls")),
    path("compliance/", include("compliance.urls")),
    path("api/compliance", compliance_views.api, name="compliance-api"),
    path("accounts/signup/", account_views.signup, name="account_signup"),
    path("accounts/invite/", account_views.invite, name="invite"),
    path(
        "accounts/invitation/<str:token>/",
        account_views.accept_invitation,
        name="accept_invitation",
    ),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz/", views.healthz, name="healthz"),
    path("readyz/", readiness.readyz, name="readyz"),
    path("lang/<str:code>/", views.switch_language, name="switch-language"),
]
