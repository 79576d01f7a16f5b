"""Public pages about the members, mounted at /signataires/ (outside the signed-in /organisations/)."""

from django.urls import path

from members import views

app_name = "signatories"
urlpatterns = [
    path("", views.signatories, name="list"),
    path("export.csv", views.signatories_csv, name="csv"),
]
