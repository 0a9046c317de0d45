"""ThaID's URLs under /accounts/oidc/ (allauth's names, so its templates and tags find them).

The provider's id is a slug: anything else (a NUL, which PostgreSQL refuses in a query) is
no such page, a 404, rather than a 500."""

from django.urls import path

from . import views

urlpatterns = [
    path("oidc/<slug:provider_id>/login/", views.login, name="openid_connect_login"),
    path("oidc/<slug:provider_id>/login/callback/", views.callback, name="openid_connect_callback"),
]
