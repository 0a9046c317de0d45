from django.urls import path

from . import views

app_name = "compliance"
urlpatterns = [
    path("", views.home, name="home"),
    path("country/", views.country, name="country"),
    path("province/<str:code>/", views.province, name="province"),
    path("district/<str:code>/", views.district, name="district"),
    path("lao/<str:dla_code>/", views.lao, name="lao"),
    path("late/", views.late, name="late"),
    path("tables.<str:lang>.<str:version>.css", views.tables_css, name="tables_css"),
    path("export/<str:table>.<str:fmt>", views.export, name="export"),
]
