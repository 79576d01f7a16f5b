from django.urls import path

from members import views

app_name = "members"
urlpatterns = [
    path("<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("<int:pk>/modifier/", views.organisation_edit, name="organisation_edit"),
    path("<int:pk>/point-de-contact/", views.contact_point_change, name="contact_point_change"),
    path("<int:pk>/delegues/<slug:group>/remplacer/", views.delegate_replace, name="delegate_replace"),
    path("<int:pk>/retrait/", views.withdrawal_request, name="withdrawal_request"),
    path("<int:pk>/formulaire.pdf", views.adhesion_document, name="adhesion_document"),
    path("<int:pk>/attestation.pdf", views.membership_certificate, name="membership_certificate"),
    path("<int:pk>/retrait/annuler/", views.withdrawal_cancel, name="withdrawal_cancel"),
]
