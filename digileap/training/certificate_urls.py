"""Routes of the training app's certificate part (views in ``certificate_views``): the PDF
certificate and the Open Badges 3.0 credential of a completion, and two public routes for
verifiers: the issuer profile of an authority and the check of a certificate number."""

from django.urls import path

from . import certificate_views as views

urlpatterns = [
    path("completions/<int:pk>/certificate.pdf", views.completion_certificate, name="completion-certificate"),
    path("completions/<int:pk>/badge.json", views.completion_badge, name="completion-badge"),
    path("certificates/verify/", views.completion_verify, name="completion-verify"),
    path("badges/issuers/<int:pk>/", views.authority_badge_issuer, name="authority-badge-issuer"),
]
