from django.urls import path

from . import membership_views as mv
from . import officer_views as ov
from . import verification_views as vv

app_name = "onboarding"
urlpatterns = [
    path("my/", vv.my_organisation, name="my"),
    path("officers/welcome/<str:token>/", ov.officer_welcome, name="officer_welcome"),
    path("officers/invite/", ov.officer_invite, name="officer_invite"),
    path("my/org/<int:org_pk>/request/", vv.request_new, name="request_new"),
    path("my/memberships/", mv.membership_queue, name="memberships"),
    path("my/memberships/<int:pk>/approve/", mv.membership_approve, name="membership_approve"),
    path("my/memberships/<int:pk>/refuse/", mv.membership_refuse, name="membership_refuse"),
    path("verification/<int:pk>/", vv.request_detail, name="request"),
    path("verification/<int:pk>/edit/", vv.request_edit, name="request_edit"),
    path("verification/<int:pk>/submit/", vv.request_submit, name="request_submit"),
    path("verification/<int:pk>/thaid/", vv.request_thaid, name="request_thaid"),
    path("verification/<int:pk>/thaid/done/", vv.request_thaid_done, name="request_thaid_done"),
    path("verification/<int:pk>/withdraw/", vv.request_withdraw, name="request_withdraw"),
    path("verification/<int:pk>/evidence/<int:evidence_pk>/", vv.evidence_file, name="evidence"),
    path("review/", vv.review_queue, name="review_queue"),
    path("review/<int:pk>/", vv.review_detail, name="review"),
]
