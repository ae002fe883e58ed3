from . import views


def register(router) -> None:
    """Add this app's viewsets to the API router. Basenames are the model names, so route names
    read ``<model>-list`` and ``<model>-detail``."""
    router.register("programmes", views.ProgrammeViewSet, basename="programme")
    router.register("funding-sources", views.FundingSourceViewSet, basename="fundingsource")
    router.register("objectives", views.ObjectiveViewSet, basename="objective")
    router.register("indicators", views.IndicatorDefinitionViewSet, basename="indicatordefinition")
    router.register("targets", views.TargetViewSet, basename="target")
    router.register("indicator-snapshots", views.IndicatorSnapshotViewSet, basename="indicatorsnapshot")
    router.register("evidence-documents", views.EvidenceDocumentViewSet, basename="evidencedocument")
    router.register("manual-values", views.ManualValueViewSet, basename="manualvalue")
    router.register("funding-transactions", views.FundingTransactionViewSet, basename="fundingtransaction")
    router.register("evidence-packs", views.EvidencePackViewSet, basename="evidencepack")
