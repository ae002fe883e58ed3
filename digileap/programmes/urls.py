from django.urls import include, path

from . import evidence_views, views

app_name = "programmes"

# Route names start with the model they act on; ``pk`` is that model's key.
urlpatterns = [
    path("", views.programme_list, name="programme-list"),
    path("<int:pk>/", views.programme_detail, name="programme-detail"),
    path("<int:pk>/dashboard/", views.programme_dashboard, name="programme-dashboard"),
    path("<int:pk>/dashboard/operators/", views.programme_operators, name="programme-operators"),
    path("<int:pk>/dashboard/schools/", views.programme_schools, name="programme-schools"),
    path("<int:pk>/breakdown/", views.programme_breakdown, name="programme-breakdown"),
    path("<int:pk>/map.svg", views.programme_map, name="programme-map"),
    path("targets/<int:pk>/evidence/", evidence_views.target_evidence, name="target-evidence"),
    path("targets/<int:pk>/evidence.zip", evidence_views.target_evidence_download, name="target-evidence-download"),
    path("targets/<int:pk>/evidence/prepare/", evidence_views.target_evidence_prepare, name="target-evidence-prepare"),
    path("evidence-packs/<int:pk>/", evidence_views.evidencepack_detail, name="evidencepack-detail"),
    path("evidence-packs/<int:pk>/progress/", evidence_views.evidencepack_progress, name="evidencepack-progress"),
    path("evidence-packs/<int:pk>/cancel/", evidence_views.evidencepack_cancel, name="evidencepack-cancel"),
    path("evidence-packs/<int:pk>/retry/", evidence_views.evidencepack_retry, name="evidencepack-retry"),
    path("evidence-packs/<int:pk>/download/", evidence_views.evidencepack_download, name="evidencepack-download"),
    path("", include("digileap.programmes.manage_urls")),
    path("", include("digileap.programmes.target_urls")),
    path("", include("digileap.programmes.map_urls")),
]
