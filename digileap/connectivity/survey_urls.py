"""Routes of the connectivity app's survey part (views in ``survey_views``)."""

from django.urls import path

from . import survey_views as views

urlpatterns: list = [
    path("survey/", views.surveyresponse_todo, name="surveyresponse-todo"),
    path("campaigns/<int:campaign_pk>/answers/", views.surveyresponse_list, name="surveyresponse-list"),
    path("campaigns/<int:campaign_pk>/answers/export/", views.surveyresponse_export, name="surveyresponse-export"),
    path(
        "campaigns/<int:campaign_pk>/schools/<int:school_pk>/survey/",
        views.surveyresponse_school,
        name="surveyresponse-answer",
    ),
    path(
        "campaigns/<int:campaign_pk>/schools/<int:school_pk>/survey/answer/",
        views.surveyresponse_answer,
        name="surveyresponse-answer-school",
    ),
    path(
        "campaigns/<int:campaign_pk>/schools/<int:school_pk>/sites/<int:site_pk>/survey/",
        views.surveyresponse_answer,
        name="surveyresponse-answer-site",
    ),
    path("answers/<int:pk>/", views.surveyresponse_detail, name="surveyresponse-detail"),
    path("answers/<int:pk>/edit/", views.surveyresponse_edit, name="surveyresponse-edit"),
]
