"""Pages of the funding app's review part (included by urls.py into the "funding" namespace).
Route names start with the model they act on; ``pk`` is that model's key (see urls.py)."""

from django.urls import path

from . import review_views as views

urlpatterns: list = [
    path("calls/<int:pk>/reviewers/", views.call_reviewers, name="call-reviewers"),
    path("reviewers/<int:pk>/remove/", views.callreviewer_delete, name="callreviewer-delete"),
    path("calls/<int:pk>/review-setup/", views.call_reviewsetup, name="call-reviewsetup"),
    path("calls/<int:pk>/review-items/", views.call_reviewitemadd, name="call-reviewitemadd"),
    path("calls/<int:pk>/criteria/", views.call_criterionadd, name="call-criterionadd"),
    path("calls/<int:pk>/letter-templates/", views.call_letteradd, name="call-letteradd"),
    path("review-items/<int:pk>/edit/", views.reviewitem_update, name="reviewitem-update"),
    path("review-items/<int:pk>/delete/", views.reviewitem_delete, name="reviewitem-delete"),
    path("criteria/<int:pk>/edit/", views.scoringcriterion_update, name="scoringcriterion-update"),
    path("criteria/<int:pk>/delete/", views.scoringcriterion_delete, name="scoringcriterion-delete"),
    path("letter-templates/<int:pk>/edit/", views.lettertemplate_update, name="lettertemplate-update"),
    path("letter-templates/<int:pk>/delete/", views.lettertemplate_delete, name="lettertemplate-delete"),
    path("applications/<int:pk>/review/", views.application_review, name="application-review"),
    path("applications/<int:pk>/review/declare/", views.application_declare, name="application-declare"),
    path("applications/<int:pk>/review/checklist/", views.application_checklist, name="application-checklist"),
    path("applications/<int:pk>/review/scores/", views.application_scores, name="application-scores"),
    path("applications/<int:pk>/review/decide/", views.application_decide, name="application-decide"),
    path("decisions/<int:pk>/amend/", views.decision_amend, name="decision-amend"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision-detail"),
    path("decisions/<int:pk>/letter/", views.decision_letter, name="decision-letter"),
]
