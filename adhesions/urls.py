from django.urls import path

from adhesions import views

app_name = "adhesions"

urlpatterns = [
    path("", views.start, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/etape/<slug:slug>/", views.step, name="step"),
    path("<int:pk>/verifier/", views.review, name="review"),
    path("<int:pk>/signatures/", views.signatures, name="signatures"),
    path("<int:pk>/signatures/<int:signature_pk>/renvoyer/", views.signature_resend, name="signature_resend"),
    path("<int:pk>/document.pdf", views.document, name="document"),
    path("<int:pk>/piece-jointe/", views.initiatives_file, name="initiatives_file"),
    path("signer/<int:signature_id>/<str:token>/", views.sign, name="sign"),
    path("signer/<int:signature_id>/<str:token>/document.pdf", views.sign_document, name="sign_document"),
    path("signature-enregistree/<int:signature_id>/", views.signed, name="signed"),
]
