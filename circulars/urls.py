from django.urls import path

from . import views

app_name = "circulars"
urlpatterns = [
    path("", views.circular_list, name="list"),
    path("<int:pk>/", views.circular_detail, name="detail"),
]
