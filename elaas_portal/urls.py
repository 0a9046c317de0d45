from allauth.account import views as allauth_views
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.debug import sensitive_post_parameters

from accounts import views as account_views
from compliance import views as compliance_views

from . import metrics, openapi, readiness, views

# allauth hides the passwords of its login, sign-up, change and set views from error reports;
# these two take a password too and do not: they are wrapped here, before allauth's own URLs.
_passwords = sensitive_post_parameters("password", "password1", "password2")

urlpatterns = [
    # First the doors asked most often (the decision API, the status page, the dashboards):
    # Django tries the patterns in order.
    path("", include("maintenance.urls")),
    path("compliance/", include("compliance.urls")),
    path("circulars/", include("circulars.urls")),
    path("registry/", include("registry.urls")),
    path("", include("onboarding.urls")),
    path("inbox/", include("notifications.urls")),
    path("api/compliance", compliance_views.api, name="compliance-api"),
    path("api/schema", openapi.schema, name="openapi-schema"),
    path("accounts/signup/", account_views.signup, name="account_signup"),
    path("accounts/invite/", account_views.invite, name="invite"),
    path(
        "accounts/invitation/<str:token>/",
        account_views.accept_invitation,
        name="accept_invitation",
    ),
    re_path(
        r"^accounts/password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        _passwords(allauth_views.password_reset_from_key),
        name="account_reset_password_from_key",
    ),
    path(
        "accounts/reauthenticate/",
        _passwords(allauth_views.reauthenticate),
        name="account_reauthenticate",
    ),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz/", views.healthz, name="healthz"),
    path("readyz/", readiness.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("lang/<str:code>/", views.switch_language, name="switch-language"),
    # Browsers ask for /favicon.ico whatever base.html links: send them to the static file.
    path("favicon.ico", views.favicon, name="favicon"),
]

handler400 = "elaas_portal.views.bad_request"
handler403 = "elaas_portal.views.permission_denied"
handler404 = "elaas_portal.views.page_not_found"
