"""ThaID's URLs under /accounts/oidc/ (allauth's names, so its templates and tags find them)."""

from django.urls import path

from . import views

urlpatterns = [
    path("oidc/<str:provider_id>/login/", views.login, name="openid_connect_login"),
    path("oidc/<str:provider_id>/login/callback/", views.callback, name="openid_connect_callback"),
]
