from django.urls import path

from . import views

app_name = "circulars"
urlpatterns = [
    path("", views.circular_list, name="list"),
    path("inbox/", views.inbox, name="inbox"),
    path("<int:pk>/", views.circular_detail, name="detail"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/forward/", views.forward, name="forward"),
    path("deliveries/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
]
