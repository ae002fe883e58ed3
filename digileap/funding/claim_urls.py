"""Pages of the funding app's claim part (included by urls.py into the "funding" namespace).
Route names start with the model they act on; ``pk`` is that model's key (see urls.py)."""

from django.urls import path

from . import claim_views as views

urlpatterns = [
    path("grants/", views.grant_list, name="grant-list"),
    path("grants/<int:pk>/", views.grant_detail, name="grant-detail"),
    path("grants/<int:pk>/claims/", views.grant_claim, name="grant-claim"),
    path("claims/", views.claim_list, name="claim-list"),
    path("claims/<int:pk>/", views.claim_detail, name="claim-detail"),
    path("claims/<int:pk>/invoices/", views.claim_invoice, name="claim-invoice"),
    path("claims/<int:pk>/submit/", views.claim_submit, name="claim-submit"),
    path("claims/<int:pk>/checklist/", views.claim_checklist, name="claim-checklist"),
    path("claims/<int:pk>/return/", views.claim_return, name="claim-return"),
    path("claims/<int:pk>/approve/", views.claim_approve, name="claim-approve"),
    path("claims/<int:pk>/pay/", views.claim_pay, name="claim-pay"),
    path("invoices/<int:pk>/lines/", views.invoice_addline, name="invoice-addline"),
    path("invoices/<int:pk>/delete/", views.invoice_delete, name="invoice-delete"),
    path("invoices/<int:pk>/scan/", views.invoice_scan, name="invoice-scan"),
    path("invoice-lines/<int:pk>/delete/", views.invoiceline_delete, name="invoiceline-delete"),
]
