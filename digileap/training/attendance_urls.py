"""Routes of enrolments, attendance and assessment results (views in ``attendance_views``)."""

from django.urls import path

from . import attendance_views as views

urlpatterns: list = [
    path("courses/<int:pk>/enrol/", views.course_enrol, name="course-enrol"),
    path("courses/<int:pk>/enrolments/", views.course_enrolments, name="course-enrolments"),
    path("courses/<int:pk>/enrolments/export/", views.course_enrolments_export, name="course-enrolments-export"),
    path("enrolments/<int:pk>/cancel/", views.courseenrolment_cancel, name="courseenrolment-cancel"),
    path("enrolments/<int:pk>/assessment/", views.courseenrolment_assessment, name="courseenrolment-assessment"),
    path("sessions/<int:pk>/attendance/", views.session_attendance, name="session-attendance"),
    path("sessions/<int:pk>/attendance/sign-in-sheet/", views.session_signin, name="session-signin"),
]
