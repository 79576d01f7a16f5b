from django.urls import path

from members import views

app_name = "members"
urlpatterns = [
    path("<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("<int:pk>/modifier/", views.organisation_edit, name="organisation_edit"),
    path("<int:pk>/point-de-contact/", views.contact_point_change, name="contact_point_change"),
    path("<int:pk>/delegues/<slug:group>/remplacer/", views.delegate_replace, name="delegate_replace"),
    path("<int:pk>/retrait/", views.withdrawal_request, name="withdrawal_request"),
]
