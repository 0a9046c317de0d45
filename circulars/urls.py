from django.urls import path

from . import intake_views, views

app_name = "circulars"
urlpatterns = [
    path("", views.circular_list, name="list"),
    path("inbox/", views.inbox, name="inbox"),
    path("<int:pk>/", views.circular_detail, name="detail"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/forward/", views.forward, name="forward"),
    path("<int:pk>/scan", views.circular_scan, name="scan"),
    path("deliveries/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("intake/", intake_views.intake_home, name="intake"),
    path("intake/<int:pk>/", intake_views.intake_review, name="intake_review"),
    path("intake/<int:pk>/progress", intake_views.intake_progress, name="intake_progress"),
    path("intake/<int:pk>/pages/<int:number>", intake_views.intake_page, name="intake_page"),
    path("intake/<int:pk>/field", intake_views.intake_field, name="intake_field"),
    path("intake/<int:pk>/rule", intake_views.intake_rule, name="intake_rule"),
    path("intake/<int:pk>/rule/add", intake_views.intake_rule_add, name="intake_rule_add"),
    path("intake/<int:pk>/rule/delete", intake_views.intake_rule_delete, name="intake_rule_delete"),
    path(
        "intake/<int:pk>/reference/add",
        intake_views.intake_reference_add,
        name="intake_reference_add",
    ),
    path(
        "intake/<int:pk>/reference/delete",
        intake_views.intake_reference_delete,
        name="intake_reference_delete",
    ),
    path("intake/<int:pk>/body-read", intake_views.intake_body_read, name="intake_body_read"),
    path("intake/<int:pk>/discard", intake_views.intake_discard, name="intake_discard"),
    path("intake/<int:pk>/publish", intake_views.intake_publish, name="intake_publish"),
]
