from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", include("maintenance.urls")),
    path("circulars/", include("circulars.urls")),
    path("registry/", include("onboarding.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz/", views.healthz, name="healthz"),
    path("lang/<str:code>/", views.switch_language, name="switch-language"),
]
