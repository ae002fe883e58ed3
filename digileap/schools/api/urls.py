from . import views


def register(router) -> None:
    """Add this app's viewsets to the API router."""
    router.register("authorities", views.AuthorityViewSet, basename="authority")
    router.register("operators", views.SchoolOperatorViewSet, basename="schooloperator")
    router.register("schools", views.SchoolViewSet, basename="school")
    router.register("sites", views.SiteViewSet, basename="site")
    router.register("enrolments", views.EnrolmentViewSet, basename="enrolment")
    router.register("staff-counts", views.StaffCountViewSet, basename="staffcount")
    router.register("eligible-counts", views.EligibleCountViewSet, basename="eligiblecount")
    router.register("socio-economic-indices", views.SocioEconomicIndexViewSet, basename="socioeconomicindex")
