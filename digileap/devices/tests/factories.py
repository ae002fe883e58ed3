import factory
from factory.django import DjangoModelFactory

from digileap.devices.models import Supplier


class SupplierFactory(DjangoModelFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"Supplier {n}")
