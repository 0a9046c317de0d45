"""ThaID's URLs under /accounts/oidc/ (allauth's names, so its templates and tags find them)."""

from django.urls import include, path

from . import views

urlpatterns = [
    path(
        "oidc/<str:provider_id>/",
        include(
            [
                path("login/", views.login, name="openid_connect_login"),
                path("login/callback/", views.callback, name="openid_connect_callback"),
            ]
        ),
    )
]
