import factory
from factory.django import DjangoModelFactory

from digileap.accounts.models import Role, RoleAssignment, ScopeKind, User

PASSWORD = "correct horse battery staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def user_with_role(role: str, scope=None, **user_fields) -> User:
    """A user holding ``role`` over ``scope`` (an Authority, SchoolOperator, School, Supplier or StaffMember; None = all)."""
    user = UserFactory(**user_fields)
    assign_role(user, role, scope)
    return user


def assign_role(user: User, role: str, scope=None) -> RoleAssignment:
    kind = ScopeKind.ALL
    fields = {}
    if scope is not None:
        label = scope._meta.label_lower
        kind = {
            "schools.authority": ScopeKind.AUTHORITY,
            "schools.schooloperator": ScopeKind.OPERATOR,
            "schools.school": ScopeKind.SCHOOL,
            "devices.supplier": ScopeKind.SUPPLIER,
            "training.staffmember": ScopeKind.STAFF,
        }[label]
        fields[kind.value] = scope
    assignment = RoleAssignment.objects.create(user=user, role=role, scope_kind=kind, **fields)
    if hasattr(user, "_digileap_role_assignments"):
        del user._digileap_role_assignments
    return assignment


__all__ = ["PASSWORD", "Role", "UserFactory", "assign_role", "user_with_role"]
