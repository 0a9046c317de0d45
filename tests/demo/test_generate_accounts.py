"""Generated accounts (generate_national_accounts) on a few places: three staff per LAO, an
officer per district and per province, one DLA officer; a second run creates nothing; never in
production."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import check_password
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from demo.accounts import DOMAIN, GENERATED_PASSWORD, MARK, generate_accounts
from registry.models import District, Organization, Province

# `places`: two SAOs in Nakhon Phanom (districts 4801, 4802), one in Chiang Mai (5001), one unit.
LAOS, DISTRICTS, PROVINCES = 3, 3, 2
ACCOUNTS = 3 * LAOS + DISTRICTS + PROVINCES + 1


def generated_users():
    return User.objects.filter(email__endswith=f"@{DOMAIN}")


def test_every_lao_gets_three_staff_and_every_area_an_officer(places):
    result = generate_accounts()

    assert (result.laos, result.districts, result.provinces) == (LAOS, DISTRICTS, PROVINCES)
    assert result.accounts == result.users_created == ACCOUNTS
    assert result.roles_created == result.email_addresses_created == ACCOUNTS
    assert generated_users().count() == ACCOUNTS

    for lao in (places.lao, places.other_lao, places.lao_elsewhere):
        staff = Role.objects.filter(kind="lao_staff", organization=lao)
        assert sorted(staff.values_list("position", flat=True)) == [
            "finance_director",
            "finance_officer",
            "permanent_secretary",
        ]
        assert all(r.user.email.endswith(f".{lao.dla_code}@{DOMAIN}") for r in staff)
    assert not Role.objects.filter(organization=places.unit).exists()  # units are not LAOs
    for district in District.objects.all():
        assert Role.objects.filter(kind="district_officer", district=district).count() == 1
    for province in Province.objects.all():
        assert Role.objects.filter(kind="province_officer", province=province).count() == 1
    dla = Role.objects.get(kind="dla_officer")
    assert dla.user.email == f"dla-officer@{DOMAIN}"


def test_the_accounts_can_log_in_and_are_marked_generated(places):
    generate_accounts(password="one-password-for-all")

    users = list(generated_users())
    assert all(u.full_name.endswith(MARK) for u in users)
    assert all(u.is_active and not u.is_staff and not u.is_superuser for u in users)
    assert len({u.password for u in users}) == 1  # hashed once
    assert check_password("one-password-for-all", users[0].password)
    addresses = EmailAddress.objects.filter(user__in=users)
    assert addresses.count() == len(users)
    assert all(a.verified and a.primary and a.email == a.user.email for a in addresses)
    # Every role was written with its history row, as the registry's own loader does.
    assert Role.history.filter(history_type="+").count() == len(users)


def test_a_second_run_creates_nothing(places):
    generate_accounts()
    again = generate_accounts()

    assert (again.users_created, again.email_addresses_created, again.roles_created) == (0, 0, 0)
    assert generated_users().count() == ACCOUNTS
    assert Role.objects.filter(user__in=generated_users()).count() == ACCOUNTS


def test_a_new_lao_gets_only_its_own_staff_and_a_lost_role_comes_back(places):
    generate_accounts()
    new = Organization.objects.create(
        kind="SAO", dla_code="6480399", name_th="ทดสอบสาม", district=places.lao.district
    )
    Role.objects.filter(kind="dla_officer").delete()

    result = generate_accounts()

    assert result.users_created == 3
    assert result.roles_created == 3 + 1
    assert Role.objects.filter(kind="lao_staff", organization=new).count() == 3
    assert Role.objects.filter(kind="dla_officer").count() == 1


def test_one_province_only(places):
    result = generate_accounts(province="48")

    assert (result.laos, result.districts, result.provinces) == (2, 2, 1)
    assert not Role.objects.filter(organization=places.lao_elsewhere).exists()


def test_the_command_prints_counts_and_is_idempotent(places):
    out = StringIO()
    call_command("generate_national_accounts", stdout=out, stderr=StringIO())
    assert f"{ACCOUNTS} generated accounts" in out.getvalue()
    assert f"created {ACCOUNTS} users" in out.getvalue()

    out = StringIO()
    call_command("generate_national_accounts", stdout=out, stderr=StringIO())
    assert "created 0 users, 0 e-mail addresses, 0 roles" in out.getvalue()
    assert generated_users().count() == ACCOUNTS


def test_production_refuses(places, settings):
    settings.DEMO_FEATURES = False

    with pytest.raises(CommandError, match="production"):
        call_command("generate_national_accounts", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(PermissionDenied):
        generate_accounts()
    assert not generated_users().exists()


def test_the_password_default_is_the_documented_one(places):
    generate_accounts(province="50")
    user = generated_users().first()
    assert check_password(GENERATED_PASSWORD, user.password)
