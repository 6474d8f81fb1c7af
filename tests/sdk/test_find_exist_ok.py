"""Finding an endpoint by name and creating it only if it does not exist, against the emulator.

``client.endpoints.find(project_id, name)`` and ``create(..., exist_ok=True)`` read the project from a
listing made after the call began and the names from the specifications, sharing both with the
client's other creates (``_project_view.ProjectView``): a script run again keeps one endpoint, and a
fleet of ``exist_ok`` creates costs no more requests than a fleet of plain creates.
"""

from __future__ import annotations

import asyncio
import pickle
import warnings
from collections import Counter

import pytest

import friendli_dedicated as fd
from friendli_dedicated.emulator import Emulator, ManualClock

MODEL = "org/model"


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(clock=ManualClock(), request_log=None)


def script(emulator: Emulator) -> str:
    """What a user's deployment script does, on a client of its own (a new process, each run)."""
    with emulator.client() as client:
        endpoint = client.endpoints.create("proj", "chat", MODEL, "1x H100", max_batch_size=64, exist_ok=True)
        return endpoint.id


# -- find ------------------------------------------------------------------------------------------
def test_find_returns_the_one_endpoint_of_the_name_or_none(emulator: Emulator) -> None:
    with emulator.client() as client:
        created = client.endpoints.create("proj", "chat", MODEL, "1x H100")
        client.endpoints.create("proj", "other", MODEL, "1x H100")
        found = client.endpoints.find("proj", "chat")
        assert found is not None
        assert (found.id, found.project_id, found.name) == (created.id, "proj", "chat")
        assert found.state is not None  # the listed state
        assert client.endpoints.find("proj", "nope") is None
        assert client.endpoints.find("elsewhere", "chat") is None


def test_find_raises_a_typed_error_listing_the_ids_when_several_share_the_name(emulator: Emulator) -> None:
    with emulator.client() as client:
        ids = sorted(client.endpoints.create("proj", "twin", MODEL, "1x H100").id for _ in range(2))
        with pytest.raises(fd.AmbiguousEndpointError) as caught:
            client.endpoints.find("proj", "twin")
    error = caught.value
    assert (error.project_id, error.name, error.ids) == ("proj", "twin", tuple(ids))
    assert all(endpoint_id in str(error) for endpoint_id in ids)
    assert isinstance(error, fd.FriendliError)
    assert pickle.loads(pickle.dumps(error)).ids == error.ids


def test_find_sees_what_other_clients_did_since_this_one_last_looked(emulator: Emulator) -> None:
    with emulator.client() as client, emulator.client() as other:
        assert client.endpoints.find("proj", "chat") is None
        created = other.endpoints.create("proj", "chat", MODEL, "1x H100")
        found = client.endpoints.find("proj", "chat")
        assert found is not None
        assert found.id == created.id
        other.endpoints.delete(created.id)  # deleted by another client: the next listing shows it gone
        assert client.endpoints.find("proj", "chat") is None


def test_terminated_endpoints_count_since_they_still_exist(emulator: Emulator) -> None:
    with emulator.client() as client:
        created = client.endpoints.create("proj", "chat", MODEL, "1x H100").terminate()
        emulator.advance(60)
        found = client.endpoints.find("proj", "chat")
        assert found is not None
        assert found.id == created.id
        assert found.state is not None
        assert found.state.status is fd.Status.TERMINATED


def test_the_clients_own_renames_and_deletes_keep_its_view_up_to_date(emulator: Emulator) -> None:
    with emulator.client() as client:
        created = client.endpoints.create("proj", "chat", MODEL, "1x H100")
        assert client.endpoints.find("proj", "chat") is not None  # its specification is now read, and kept
        created.update(name="chat-v2")
        assert client.endpoints.find("proj", "chat") is None
        renamed = client.endpoints.find("proj", "chat-v2")
        assert renamed is not None
        assert renamed.id == created.id
        client.endpoints.delete(created.id)
        assert client.endpoints.find("proj", "chat-v2") is None


def test_find_reads_each_specification_once_per_client(emulator: Emulator) -> None:
    with emulator.client() as client:
        for n in range(5):
            client.endpoints.create("proj", f"ep-{n}", MODEL, "1x H100")
        before = Counter(request.facade_name for request in emulator.requests)
        for n in range(5):
            assert client.endpoints.find("proj", f"ep-{n}") is not None
        spent = Counter(request.facade_name for request in emulator.requests) - before
    # One listing per find (a project of one page), and no specification read again: the creates read them.
    assert spent == Counter({"list": 5}), spent


def test_find_refuses_bad_input_before_any_request(emulator: Emulator) -> None:
    with emulator.client() as client:
        with pytest.raises(fd.InvalidInputError) as caught:
            client.endpoints.find("proj/../x", "chat")
        assert caught.value.field == "project_id"
        with pytest.raises(fd.InvalidInputError) as caught:
            client.endpoints.find("proj", None)  # type: ignore[arg-type]
        assert caught.value.field == "name"
    assert emulator.requests == []


def test_async_find(emulator: Emulator) -> None:
    async def run() -> tuple[str | None, str | None]:
        async with emulator.async_client() as client:
            created = await client.endpoints.create("proj", "chat", MODEL, "1x H100")
            found = await client.endpoints.find("proj", "chat")
            missing = await client.endpoints.find("proj", "nope")
            return (found.id if found else None), (created.id if missing is None else None)

    found, created = asyncio.run(run())
    assert found == created is not None


# -- create(..., exist_ok=True) --------------------------------------------------------------------
def test_a_script_run_three_times_keeps_one_endpoint(emulator: Emulator) -> None:
    ids = {script(emulator) for _ in range(3)}
    assert len(ids) == 1
    assert emulator.endpoint_ids() == list(ids)
    assert [request.status for request in emulator.requests_for("create")] == [200]


def test_exist_ok_returns_the_endpoint_another_client_made(emulator: Emulator) -> None:
    with emulator.client() as other:
        made = other.endpoints.create("proj", "chat", MODEL, "1x H100", max_batch_size=64)
    with emulator.client() as client, warnings.catch_warnings():
        warnings.simplefilter("error")  # the same specification: no warning
        endpoint = client.endpoints.create("proj", "chat", MODEL, "1x H100", max_batch_size=64, exist_ok=True)
    assert (endpoint.id, endpoint.project_id, endpoint.name) == (made.id, "proj", "chat")
    assert endpoint.state is not None
    assert len(emulator.requests_for("create")) == 1


def test_a_long_lived_client_lists_again_before_exist_ok_when_its_view_is_old(emulator: Emulator) -> None:
    with emulator.client() as client, emulator.client() as other:
        client.endpoints.create("proj", "first", MODEL, "1x H100")  # the client has listed the project
        made = other.endpoints.create("proj", "chat", MODEL, "1x H100")
        emulator.advance(31)  # longer than a create's view is trusted without listing again
        again = client.endpoints.create("proj", "chat", MODEL, "1x H100", exist_ok=True)
    assert again.id == made.id
    assert len(emulator.requests_for("create")) == 2


def test_exist_ok_warns_naming_the_fields_that_differ_from_what_was_asked(emulator: Emulator) -> None:
    with emulator.client() as client:
        made = client.endpoints.create("proj", "chat", MODEL, "1x H100", max_batch_size=64)
        with pytest.warns(fd.SpecificationMismatchWarning) as caught:
            again = client.endpoints.create("proj", "chat", MODEL, "2x H100", max_batch_size=128, exist_ok=True)
    assert again.id == made.id
    assert len(emulator.endpoint_ids()) == 1
    (warning,) = caught
    message = warning.message
    assert isinstance(message, fd.SpecificationMismatchWarning)
    assert message.endpoint_id == made.id
    assert message.differences == {"num_gpu": (2, 1), "max_batch_size": (128, 64)}
    assert "num_gpu" in str(message)
    assert "max_batch_size" in str(message)
    assert warning.filename == __file__  # attributed to the caller's line, not the SDK's


def test_exist_ok_with_several_endpoints_of_the_name_creates_none(emulator: Emulator) -> None:
    with emulator.client() as client:
        for _ in range(2):
            client.endpoints.create("proj", "twin", MODEL, "1x H100")
        with pytest.raises(fd.AmbiguousEndpointError) as caught:
            client.endpoints.create("proj", "twin", MODEL, "1x H100", exist_ok=True)
    assert len(caught.value.ids) == 2
    assert len(emulator.requests_for("create")) == 2


def test_exist_ok_returns_a_terminated_endpoint_as_it_is(emulator: Emulator) -> None:
    with emulator.client() as client:
        made = client.endpoints.create("proj", "chat", MODEL, "1x H100").terminate()
        emulator.advance(60)
        again = client.endpoints.create("proj", "chat", MODEL, "1x H100", exist_ok=True)
        assert again.id == made.id
        assert again.state is not None
        assert again.state.status is fd.Status.TERMINATED
        assert again.restart().state is not None
    assert len(emulator.requests_for("create")) == 1


def test_concurrent_exist_ok_creates_of_one_name_on_one_client_make_one_endpoint(emulator: Emulator) -> None:
    client = emulator.async_client()

    async def run() -> set[str]:
        created = await asyncio.gather(
            *(client.endpoints.create("proj", "same", MODEL, "1x H100", exist_ok=True) for _ in range(4))
        )
        return {endpoint.id for endpoint in created}

    assert len(asyncio.run(run())) == 1
    assert len(emulator.endpoint_ids()) == 1


def test_exist_ok_is_checked_before_any_request(emulator: Emulator) -> None:
    with emulator.client() as client, pytest.raises(fd.InvalidInputError) as caught:
        client.endpoints.create("proj", "chat", MODEL, "1x H100", exist_ok="yes")  # type: ignore[arg-type]
    assert caught.value.field == "exist_ok"
    assert "must be True or False" in caught.value.message  # a flag of create, not an engine option
    assert emulator.requests == []


async def create_many(client: fd.AsyncClient, count: int, *, exist_ok: bool) -> list[str]:
    endpoints = await asyncio.gather(
        *(client.endpoints.create("fleet", f"ep-{n}", MODEL, "1x H100", exist_ok=exist_ok) for n in range(count))
    )
    return [endpoint.id for endpoint in endpoints]


@pytest.mark.parametrize("count", [7, 150])
def test_a_fleet_of_exist_ok_creates_costs_what_plain_creates_cost(count: int) -> None:
    plain = Emulator(clock=ManualClock(), request_log=None)
    asyncio.run(create_many(plain.async_client(), count, exist_ok=False))
    emulator = Emulator(clock=ManualClock(), request_log=None)
    first = asyncio.run(create_many(emulator.async_client(), count, exist_ok=True))
    assert len(set(first)) == count
    assert emulator.stats.duplicate_creates() == {}
    spent = len(emulator.requests)
    assert spent <= 3 * count + 2, f"{spent} requests for {count} exist_ok creates"
    assert spent <= len(plain.requests), (spent, len(plain.requests))
    # The script again, in a new process: one listing and one specification per endpoint, no create.
    again = asyncio.run(create_many(emulator.async_client(), count, exist_ok=True))
    assert again == first
    rerun = len(emulator.requests) - spent
    assert rerun <= count + 6, f"{rerun} requests to find {count} existing endpoints"
    assert len(emulator.requests_for("create")) == count
