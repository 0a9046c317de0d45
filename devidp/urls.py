from django.contrib.auth.views import LoginView
from django.shortcuts import render
from django.urls import include, path


def home(request):
    return render(request, "devidp/home.html")


urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("login/", LoginView.as_view(template_name="devidp/login.html"), name="login"),
    path("", home, name="home"),
]
