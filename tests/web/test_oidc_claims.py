"""Reading a checked ID token's claims: account name, domain rule, groups to roles."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.archive.people import Role
from pipeline.config import OidcConfig, parse_config
from pipeline.errors import ConfigError
from pipeline.web.oidc import identity_from_claims


def settings(**overrides: Any) -> OidcConfig:
    values: dict[str, Any] = {
        "issuer": "https://login.servicer.example",
        "client_id": "records",
        "client_secret_env": "OIDC_SECRET",
        "role_groups": {
            "grp-records": ["records_officer"],
            "grp-lead": ["records_officer", "compliance_supervisor"],
        },
        "allowed_domains": ["@Servicer.example"],
    }
    values.update(overrides)
    return OidcConfig.model_validate(values)


def test_groups_map_to_the_union_of_their_roles_and_unknown_groups_add_none() -> None:
    who = identity_from_claims(
        {"sub": "s1", "email": "Ann@Servicer.example", "groups": ["grp-lead", "grp-records", "x"]},
        settings(),
    )
    assert who.name == "ann@servicer.example"
    assert who.roles == (Role.COMPLIANCE_SUPERVISOR, Role.RECORDS_OFFICER)
    assert who.refusal is None and who.subject == "s1"
    assert who.method == "oidc:https://login.servicer.example"


def test_an_address_outside_the_allowed_domains_is_refused() -> None:
    who = identity_from_claims(
        {"sub": "s2", "email": "ann@servicer.example.evil.test", "groups": ["grp-records"]},
        settings(),
    )
    assert who.refusal == "e-mail domain not allowed"


def test_an_address_the_provider_marks_unverified_is_refused() -> None:
    who = identity_from_claims(
        {"sub": "s3", "email": "ann@servicer.example", "email_verified": False}, settings()
    )
    assert who.refusal == "e-mail address not verified by the provider"


def test_a_token_without_the_username_claim_names_nobody() -> None:
    who = identity_from_claims({"sub": "s4", "groups": ["grp-records"]}, settings())
    assert who.name is None and who.refusal == "no usable email claim"


def test_entra_style_single_string_roles_claim_and_preferred_username() -> None:
    who = identity_from_claims(
        {"sub": "s5", "preferred_username": "bo@servicer.example", "roles": "grp-records"},
        settings(username_claim="preferred_username", groups_claim="roles"),
    )
    assert (who.name, who.roles, who.refusal) == (
        "bo@servicer.example",
        (Role.RECORDS_OFFICER,),
        None,
    )


def test_the_client_secret_cannot_be_written_in_the_config_file() -> None:
    text = (
        "web:\n  oidc:\n    issuer: https://login.servicer.example\n    client_id: records\n"
        "    client_secret: hunter2\n    role_groups: {g: [examiner]}\n"
    )
    with pytest.raises(ConfigError, match=r"web\.oidc\.client_secret"):
        parse_config(text)


def test_a_plain_http_issuer_is_refused_unless_it_is_on_this_machine() -> None:
    with pytest.raises(ValueError, match="https"):
        settings(issuer="http://login.servicer.example")
    assert settings(issuer="http://127.0.0.1:9400").issuer == "http://127.0.0.1:9400"


def test_an_unknown_role_in_the_group_mapping_is_refused() -> None:
    with pytest.raises(ValueError, match="role_groups"):
        settings(role_groups={"g": ["superuser"]})
