"""Pupils' rights: export (GDPR art. 15) and erasure (art. 17) of one recipient, and the erasures."""

from django.urls import path

from . import rights_views as views

urlpatterns = [
    path("rights/", views.erasure_list, name="erasure-list"),
    path("rights/recipients/<int:pk>/", views.recipient_rights, name="recipient-rights"),
    path("rights/recipients/<int:pk>/export.json", views.recipient_export_json, name="recipient-export-json"),
    path("rights/recipients/<int:pk>/export.pdf", views.recipient_export_pdf, name="recipient-export-pdf"),
    path("rights/recipients/<int:pk>/erase/", views.recipient_erase, name="recipient-erase"),
]
