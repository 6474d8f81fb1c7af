"""The generated client's models: open enums, extra fields kept, and a token kept out of repr."""

from __future__ import annotations

import pytest

from friendli_dedicated_api import AuthenticatedClient
from friendli_dedicated_api.models import (
    DedicatedEndpointListResponse,
    DedicatedEndpointSpec,
    DedicatedEndpointStatus,
    DeploymentPhase,
    ErrorCode,
    Status,
)
from scripts.pipeline import contract

TOKEN = "flp_s3cr3t-token-value"
STATUS_WITH_NEWS = {
    "status": "SCALING",
    "createdAt": "2026-11-23T10:00:00+00:00",
    "errorCode": "NEW_ERROR",
    "phase": "WARMING",
    "replicaHealth": {"ready": 1, "total": 2},
}


def test_unknown_enum_values_parse(pinned):
    """New upstream values (status SCALING, phase WARMING, errorCode NEW_ERROR) do not break parsing."""
    assert "SCALING" not in pinned["components"]["schemas"]["InferenceDeploymentStatus"]["enum"]
    status = DedicatedEndpointStatus.from_dict(STATUS_WITH_NEWS)

    assert isinstance(status.status, Status)
    assert status.status.value == "SCALING"
    assert status.status.is_known is False
    assert status.status == "SCALING"
    assert str(status.status) == "SCALING"
    assert isinstance(status.phase, DeploymentPhase)
    assert status.phase.value == "WARMING"
    assert status.phase.is_known is False
    assert isinstance(status.error_code, ErrorCode)
    assert status.error_code.value == "NEW_ERROR"
    assert status.error_code.is_known is False


def test_known_values_are_the_members():
    assert Status("RUNNING") is Status.RUNNING
    assert Status.RUNNING == "RUNNING"
    assert Status.RUNNING.is_known is True
    parsed = DedicatedEndpointStatus.from_dict({"status": "RUNNING", "createdAt": "2026-11-23T10:00:00Z"})
    assert parsed.status is Status.RUNNING
    assert DeploymentPhase("DOWNLOADING_MODEL") is DeploymentPhase.DOWNLOADING_MODEL


def test_unknown_values_do_not_become_members(pinned):
    """Parsing SCALING leaves the enum's members as the contract lists them."""
    Status("SCALING")
    DedicatedEndpointStatus.from_dict(STATUS_WITH_NEWS)
    expected = sorted(pinned["components"]["schemas"]["InferenceDeploymentStatus"]["enum"])
    assert [member.value for member in Status] == expected
    assert "SCALING" not in Status.__members__
    assert Status("SCALING").is_known is False


def test_non_string_still_raises_value_error():
    with pytest.raises(ValueError, match="not a valid Status"):
        Status(5)
    with pytest.raises(ValueError, match="not a valid Status"):
        DedicatedEndpointStatus.from_dict({"status": 5, "createdAt": "2026-11-23T10:00:00+00:00"})


def test_unknown_fields_are_kept_and_round_tripped():
    status = DedicatedEndpointStatus.from_dict(STATUS_WITH_NEWS)
    assert status.additional_properties == {"replicaHealth": {"ready": 1, "total": 2}}
    assert status["replicaHealth"] == {"ready": 1, "total": 2}
    assert status.to_dict() == STATUS_WITH_NEWS


def test_nested_models_keep_unknown_fields():
    listing = {
        "data": {"ep-1": {**STATUS_WITH_NEWS, "status": "RUNNING"}},
        "nextCursor": "opaque==",
        "total": 1,
    }
    parsed = DedicatedEndpointListResponse.from_dict(listing)
    assert parsed.additional_properties == {"total": 1}
    assert parsed.next_cursor == "opaque=="
    assert parsed.to_dict() == listing


def test_spec_round_trip_with_extra_field():
    spec = {
        "name": "ep",
        "gpuType": "NVIDIA H100",
        "numGpu": 2,
        "projectId": "p",
        "creatorId": "c",
        "teamId": "t",
        "autoscalingMin": 0,
        "autoscalingMax": 1,
        "autoscalingCooldown": 300,
        "maxBatchSize": 256,
        "tokenizerSkipSpecialTokens": False,
        "tokenizerAddSpecialTokens": True,
        "newSpecField": ["x"],
    }
    parsed = DedicatedEndpointSpec.from_dict(spec)
    assert parsed.additional_properties == {"newSpecField": ["x"]}
    assert parsed.to_dict() == spec


def test_authenticated_client_repr_hides_the_token():
    client = AuthenticatedClient(base_url="https://api.friendli.ai", token=TOKEN)
    text = repr(client)
    assert "api.friendli.ai" in text
    assert TOKEN not in text
    assert TOKEN not in repr(client.with_headers({"X-Friendli-Team": "team"}))


def test_authenticated_client_repr_hides_the_token_after_use():
    client = AuthenticatedClient(base_url="https://api.friendli.ai", token=TOKEN)
    client.get_httpx_client()
    assert TOKEN not in repr(client)


def test_contract_and_models_agree_on_the_status_values(pinned):
    """The generated enum is the contract's enum (guards against a stale generated/)."""
    values = pinned["components"]["schemas"]["InferenceDeploymentStatus"]["enum"]
    assert set(values) == {member.value for member in Status}
    assert contract.INSTANCE_OPTIONS_KEY in pinned
