from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.detail, name="detail"),
    path("log/", views.delivery_log, name="log"),
    path("log/<int:pk>/resend/", views.resend, name="resend"),
    path("ladder/", views.ladder, name="ladder"),
]
