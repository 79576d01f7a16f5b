from django.urls import path

from thematic_groups import views

app_name = "thematic_groups"
urlpatterns = [
    path("", views.group_list, name="list"),
    path("<slug:slug>/", views.group_detail, name="detail"),
    path("<slug:slug>/modifier/", views.group_edit, name="edit"),
]
