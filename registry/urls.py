from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.organization_list, name="organizations"),
    path("org/<int:pk>/", views.organization_detail, name="organization"),
    path("district/<str:code>/", views.district_detail, name="district"),
]
