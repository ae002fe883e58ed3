"""Pages of the funding app's proof part (included by urls.py into the "funding" namespace).
Route names start with the model they act on; ``pk`` is that model's key (see urls.py)."""

from django.urls import path

from . import proof_views as views

urlpatterns = [
    path("proofs/", views.proofofuse_list, name="proofofuse-list"),
    path("proofs/<int:pk>/", views.proofofuse_detail, name="proofofuse-detail"),
    path("proofs/<int:pk>/narrative/", views.proofofuse_save, name="proofofuse-save"),
    path("proofs/<int:pk>/submit/", views.proofofuse_submit, name="proofofuse-submit"),
    path("proofs/<int:pk>/checklist/", views.proofofuse_checklist, name="proofofuse-checklist"),
    path("proofs/<int:pk>/return/", views.proofofuse_return, name="proofofuse-return"),
    path("proofs/<int:pk>/accept/", views.proofofuse_accept, name="proofofuse-accept"),
    path("grants/<int:grant_pk>/proof-of-use/", views.proofofuse_open, name="proofofuse-open"),
    path("repayments/<int:pk>/repaid/", views.repaymentclaim_repaid, name="repaymentclaim-repaid"),
    path("repayments/<int:pk>/waive/", views.repaymentclaim_waive, name="repaymentclaim-waive"),
]
