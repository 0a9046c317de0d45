"""The reference circulars' policy at every boundary, given in Bangkok time and in UTC,
asked through the API and the command, which must answer with the same bytes."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

BKK = dt.timezone(dt.timedelta(hours=7))


def both_zones(y, m, d, hh, mm, ss):
    local = dt.datetime(y, m, d, hh, mm, ss, tzinfo=BKK)
    return [local.isoformat(), local.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")]


# (who, identity_verified, action, Bangkok wall time, allowed, deciding clause or None, valid_until)
CASES = [
    (
        "lao",
        "false",
        "use_system",
        (2025, 3, 26, 23, 59, 59),
        True,
        "ความเป็นมา: เปิดใช้งาน ๑๕ มี.ค. ๒๕๖๘",
        "2025-03-27T00:00:00+07:00",
    ),
    (
        "lao",
        "false",
        "use_system",
        (2025, 3, 27, 0, 0, 0),
        False,
        "ความเป็นมา: ปิดปรับปรุงระบบ ๒๗ มี.ค. ๒๕๖๘",
        None,
    ),
    (
        "lao",
        "true",
        "use_system",
        (2025, 4, 22, 0, 0, 0),
        False,
        "ความเป็นมา: ปิดปรับปรุงระบบ ๒๗ มี.ค. ๒๕๖๘",
        None,
    ),
    (
        "unit",
        None,
        "use_system",
        (2025, 3, 26, 23, 59, 59),
        True,
        "ความเป็นมา: เปิดใช้งาน ๑๕ มี.ค. ๒๕๖๘",
        "2025-03-27T00:00:00+07:00",
    ),
    (
        "unit",
        None,
        "use_system",
        (2025, 3, 27, 0, 0, 0),
        False,
        "ความเป็นมา: ปิดปรับปรุงระบบ ๒๗ มี.ค. ๒๕๖๘",
        "2025-04-04T00:00:00+07:00",
    ),
    (
        "unit",
        None,
        "use_system",
        (2025, 4, 3, 23, 59, 59),
        False,
        "ความเป็นมา: ปิดปรับปรุงระบบ ๒๗ มี.ค. ๒๕๖๘",
        "2025-04-04T00:00:00+07:00",
    ),
    ("unit", None, "use_system", (2025, 4, 4, 0, 0, 0), True, "ข้อ ๒", None),
    (
        "lao",
        "false",
        "verify_identity",
        (2025, 4, 3, 23, 59, 59),
        False,
        None,
        "2025-04-05T00:00:00+07:00",
    ),
    (
        "lao",
        "false",
        "verify_identity",
        (2025, 4, 4, 0, 0, 0),
        False,
        None,
        "2025-04-05T00:00:00+07:00",
    ),
    (
        "lao",
        "false",
        "verify_identity",
        (2025, 4, 4, 23, 59, 59),
        False,
        None,
        "2025-04-05T00:00:00+07:00",
    ),
    (
        "lao",
        "false",
        "verify_identity",
        (2025, 4, 5, 0, 0, 0),
        True,
        "ข้อ ๑",
        "2025-04-22T00:00:00+07:00",
    ),
    (
        "lao",
        "false",
        "verify_identity",
        (2025, 4, 21, 23, 59, 59),
        True,
        "ข้อ ๑",
        "2025-04-22T00:00:00+07:00",
    ),
    # After the window nothing allows it; the answer cites the clause whose window has ended.
    ("lao", "false", "verify_identity", (2025, 4, 22, 0, 0, 0), False, "ข้อ ๑", None),
    ("lao", "true", "verify_identity", (2025, 4, 10, 12, 0, 0), False, None, None),
    ("unit", None, "verify_identity", (2025, 4, 10, 12, 0, 0), False, None, None),
]


def _cases():
    for who, verified, action, wall, allowed, clause, until in CASES:
        for at in both_zones(*wall):
            yield pytest.param(
                who,
                verified,
                action,
                at,
                allowed,
                clause,
                until,
                id=f"{who}-{verified}-{action}-{at}",
            )


def ask_api(client, **params):
    params = {k: v for k, v in params.items() if v is not None}
    return client.get("/api/policy/decision", params)


def ask_command(**options):
    out = StringIO()
    args = []
    for key, value in options.items():
        if value is not None:
            args += [f"--{key.replace('_', '-')}", value]
    call_command("policy_decision", *args, stdout=out)
    return out.getvalue().rstrip("\n")


@pytest.mark.parametrize("who,verified,action,at,allowed,clause,until", list(_cases()))
def test_the_policy_at_each_boundary_answers_the_same_from_api_and_command(
    client, circulars, who, verified, action, at, allowed, clause, until
):
    response = ask_api(client, entity_type=who, action=action, at=at, identity_verified=verified)
    assert response.status_code == 200
    body = response.json()
    assert body["allowed"] is allowed
    assert body["clause"] == clause
    assert body["valid_until"] == until
    assert body["circular"] == ("มท ๐๘๐๘.๔/ว ๑๕๔๑" if clause else None)
    assert body["reason"] and body["reason_en"]
    # the same instant, whichever zone it was given in
    assert dt.datetime.fromisoformat(body["at"]) == dt.datetime.fromisoformat(
        at.replace("Z", "+00:00")
    )
    command = ask_command(entity_type=who, action=action, at=at, identity_verified=verified)
    assert command.encode() == response.content


def test_a_nakhon_phanom_lao_is_denied_on_4_april_and_told_the_source_letter_governs(
    client, circulars, sao_in_nakhon_phanom
):
    body = ask_api(
        client, org="6480199", action="verify_identity", at="2025-04-04T00:00:00+07:00"
    ).json()
    assert body["allowed"] is False
    assert "นพ ๐๐๒๓.๕/ว ๑๕๗๘" in body["reason"] and "มท ๐๘๐๘.๔/ว ๑๕๔๑" in body["reason"]
    assert body["valid_until"] == "2025-04-05T00:00:00+07:00"
    on_5th = ask_api(
        client, org="๖๔๘๐๑๙๙", action="verify_identity", at="2025-04-05T00:00:00+07:00"
    ).json()
    assert on_5th["allowed"] is True
    assert on_5th["circular"] == "มท ๐๘๐๘.๔/ว ๑๕๔๑"


def test_an_lao_verified_before_the_instant_asks_as_verified(
    client, circulars, sao_in_nakhon_phanom
):
    sao_in_nakhon_phanom.identity_verified_at = dt.datetime(2025, 4, 10, 9, 0, tzinfo=BKK)
    sao_in_nakhon_phanom.save()
    before = ask_api(
        client, org="6480199", action="verify_identity", at="2025-04-10T08:59:59+07:00"
    ).json()
    after = ask_api(
        client, org="6480199", action="verify_identity", at="2025-04-10T09:00:00+07:00"
    ).json()
    assert (before["identity_verified"], before["allowed"]) == (False, True)
    assert (after["identity_verified"], after["allowed"]) == (True, False)


def test_an_instant_without_offset_is_bangkok_time(client, circulars):
    body = ask_api(
        client,
        entity_type="lao",
        identity_verified="false",
        action="verify_identity",
        at="2025-04-21T23:59:59",
    ).json()
    assert body["at"] == "2025-04-21T23:59:59+07:00"
    assert body["allowed"] is True


def test_an_unencoded_plus_in_the_offset_is_read_as_plus(client, circulars):
    response = client.get(
        "/api/policy/decision?entity_type=unit&action=use_system&at=2025-04-04T00:00:00+07:00"
    )
    assert response.json()["at"] == "2025-04-04T00:00:00+07:00"
    assert response.json()["allowed"] is True


def test_at_defaults_to_now(client, circulars):
    body = ask_api(client, entity_type="unit", action="use_system").json()
    at = dt.datetime.fromisoformat(body["at"])
    assert abs((dt.datetime.now(dt.UTC) - at).total_seconds()) < 60
    assert body["allowed"] is True  # units have been allowed since 4 April 2568


def test_thai_digits_are_accepted_in_the_instant(client, circulars):
    body = ask_api(
        client, entity_type="unit", action="use_system", at="๒๐๒๕-๐๔-๐๔T๐๐:๐๐:๐๐+๐๗:๐๐"
    ).json()
    assert body["allowed"] is True


@pytest.mark.parametrize(
    "params,param",
    [
        ({"entity_type": "lao", "identity_verified": "false"}, "action"),
        (
            {"entity_type": "lao", "identity_verified": "false", "action": "delete_everything"},
            "action",
        ),
        ({"action": "use_system"}, "entity_type"),
        ({"entity_type": "province", "action": "use_system"}, "entity_type"),
        ({"entity_type": "lao", "action": "use_system"}, "identity_verified"),
        (
            {"entity_type": "lao", "action": "use_system", "identity_verified": "maybe"},
            "identity_verified",
        ),
        ({"entity_type": "unit", "action": "use_system", "at": "tomorrow"}, "at"),
        ({"entity_type": "unit", "action": "use_system", "at": "2025-02-30T00:00:00"}, "at"),
        ({"entity_type": "unit", "action": "use_system", "at": "2568-02-29T00:00:00"}, "at"),
        ({"org": "12345", "action": "use_system"}, "org"),
        ({"org": "9999999", "action": "use_system"}, "org"),
    ],
)
def test_bad_input_gets_400_json_naming_the_parameter(client, circulars, params, param):
    response = client.get("/api/policy/decision", params)
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["param"] == param
    assert param in body["error"]


def test_the_api_refuses_other_methods(client, circulars):
    assert (
        client.post(
            "/api/policy/decision", {"entity_type": "unit", "action": "use_system"}
        ).status_code
        == 405
    )


def test_the_command_names_the_bad_option(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--identity-verified"):
        ask_command(entity_type="lao", action="use_system", identity_verified="perhaps")


def test_after_the_window_the_refusal_says_when_it_ended_and_under_which_letter(client, circulars):
    body = ask_api(
        client,
        entity_type="lao",
        action="verify_identity",
        at="2025-04-22T00:00:00+07:00",
        identity_verified="false",
    ).json()
    assert body["allowed"] is False
    assert body["circular"] == circulars["dla"].number
    assert "สิ้นสุดแล้วเมื่อวันที่ ๒๑ เมษายน ๒๕๖๘" in body["reason"]
    assert "ended on 21 April 2025." in body["reason_en"]
