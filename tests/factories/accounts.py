"""Accounts at rest: minimal valid defaults, no random values that change behaviour."""

import factory
from django.contrib.auth import get_user_model

from accounts.models import Membership, Organization
from accounts.validators import make_uscc

DEFAULT_PASSWORD = "demo-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user-{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    password = factory.django.Password(DEFAULT_PASSWORD)


class OrganizationFactory(factory.django.DjangoModelFactory):
    """An ordinary operator in Guangdong (channel `general`); traits for the other kinds."""

    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"示例网络科技有限公司{n:04d}")
    uscc = factory.Sequence(lambda n: make_uscc("440100", 500_000_000 + n))
    province_id = "440000"

    class Params:
        cii = factory.Trait(is_cii_operator=True, sector_id="energy")
        central = factory.Trait(
            is_central_unit=True,
            department_id="miit",
            province_id="110000",
            uscc=factory.Sequence(lambda n: make_uscc("110100", 500_000_000 + n, "12")),
        )


class MembershipFactory(factory.django.DjangoModelFactory):
    """A reporter of an organisation by default; pass `authority=` and a staff role for
    reviewers and liaisons (`organization=None`)."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Membership.Role.REPORTER
    organization = factory.SubFactory(OrganizationFactory)
    authority = None
