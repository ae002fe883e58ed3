from .courses import Attendance, Completion, Course, CourseEnrolment, CourseMapping, Provider, Session, Source
from .frameworks import Area, Competence, CompetenceLevel, Framework, FrameworkLevel
from .people import AgeBand, Gender, Invitation, Membership, StaffIdentifier, StaffMember, StaffRole
from .selfassessment import AssessmentAnswer, AssessmentRound, SelfAssessment

__all__ = [
    "AgeBand",
    "AssessmentAnswer",
    "Area",
    "Attendance",
    "Competence",
    "CompetenceLevel",
    "Completion",
    "Course",
    "CourseMapping",
    "CourseEnrolment",
    "Framework",
    "FrameworkLevel",
    "Gender",
    "Invitation",
    "Membership",
    "Provider",
    "AssessmentRound",
    "SelfAssessment",
    "Session",
    "Source",
    "StaffIdentifier",
    "StaffMember",
    "StaffRole",
]
