"""The state record: its documented format, atomic writes, refusals naming the file, and the apply lock."""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

import pytest

import friendli_dedicated as fd
from friendli_dedicated.emulator import Emulator, ManualClock

ENTRY = fd.StateEntry("ep-1", {"model": "org/model", "instance": "1x H100"}, delete_protection=True)


def test_no_file_is_an_empty_record_and_a_write_makes_the_documented_format(tmp_path: Path) -> None:
    state = fd.StateFile(tmp_path / "state.json")
    empty = state.read()
    assert (empty.serial, empty.lineage, dict(empty.entries)) == (0, None, {})
    written = state.write(fd.StateRecord({("p", "chat"): ENTRY}, team_id="team-1"))
    assert written.serial == 1
    assert written.lineage is not None
    document = json.loads((tmp_path / "state.json").read_text())
    assert set(document) == {"format", "version", "lineage", "serial", "team_id", "updated_at", "projects"}
    assert (document["format"], document["version"], document["serial"]) == ("friendli-dedicated-state", 1, 1)
    assert document["projects"]["p"]["chat"]["applied"] == {"model": "org/model", "instance": "1x H100"}
    again = state.write(state.read())
    assert (again.serial, again.lineage) == (2, written.lineage)
    assert state.read().get("p", "chat") == ENTRY


def test_a_failed_write_leaves_the_old_record_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = fd.StateFile(tmp_path / "state.json")
    state.write(fd.StateRecord({("p", "chat"): ENTRY}))
    before = (tmp_path / "state.json").read_bytes()

    def broken(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(fd.StateFileError, match="could not be written") as refused:
        state.write(fd.StateRecord())
    assert refused.value.path == str(tmp_path / "state.json")
    assert (tmp_path / "state.json").read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["state.json"]


def test_a_reader_never_sees_half_a_record(tmp_path: Path) -> None:
    state = fd.StateFile(tmp_path / "state.json")
    big = fd.StateRecord({("p", f"ep-{n}"): fd.StateEntry(f"id-{n}", {"model": "x" * 200}) for n in range(300)})
    state.write(big)
    stop = threading.Event()
    seen: list[int] = []

    def read() -> None:
        while not stop.is_set():
            seen.append(len(state.read().entries))  # a torn file would raise StateFileError here

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(40):
            state.write(big)
    finally:
        stop.set()
        reader.join()
    assert seen
    assert set(seen) == {300}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "is not JSON"),
        ('{"format": "something else"}', "not a state record"),
        ('{"format": "friendli-dedicated-state", "version": 2}', "version 2.*newer SDK"),
        ('{"format": "friendli-dedicated-state", "version": 1, "serial": -1}', "damaged"),
        ('{"format": "friendli-dedicated-state", "version": 1, "projects": {"p": {"chat": {}}}}', "damaged"),
    ],
)
def test_a_record_this_sdk_cannot_use_is_refused_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "state.json").write_text(text)
    with pytest.raises(fd.StateFileError, match=message) as refused:
        fd.StateFile(tmp_path / "state.json").read()
    assert str(tmp_path / "state.json") in str(refused.value)


@pytest.mark.parametrize("path", ["", " ", "a\x00b", "\ud800", b"state.json", 5])
def test_a_path_that_is_no_path_is_refused_before_anything(tmp_path: Path, path: object) -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client, pytest.raises(fd.InvalidInputError) as refused:
        client.plan(DESIRED, state=path)  # type: ignore[arg-type]
    assert refused.value.field == "state"
    assert emu.requests == []
    with pytest.raises(fd.InvalidInputError):
        fd.StateFile(path)  # type: ignore[arg-type]


def test_another_teams_record_is_refused(tmp_path: Path) -> None:
    state = fd.StateFile(tmp_path / "state.json")
    state.write(fd.StateRecord(team_id="team-a"))
    assert state.read("team-a").team_id == "team-a"
    with pytest.raises(fd.StateFileError, match=r"team 'team-a'.*team 'team-b'"):
        state.read("team-b")


def test_a_held_lock_refuses_at_once_naming_the_lock_file(tmp_path: Path) -> None:
    state = fd.StateFile(tmp_path / "state.json")
    with state.lock():
        with pytest.raises(fd.StateLockedError) as refused, fd.StateFile(tmp_path / "state.json").lock():
            pass
        assert refused.value.lock_path == str(tmp_path / "state.json.lock")
        assert str(tmp_path / "state.json.lock") in str(refused.value)
    with state.lock():  # released: it can be taken again
        pass


def test_locking_without_the_manage_extra_says_which_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "filelock", None)
    with pytest.raises(ImportError, match="'manage' extra") as missing, fd.StateFile(tmp_path / "state.json").lock():
        pass
    assert missing.value.name == "filelock"


DESIRED = fd.Desired.from_mapping(
    {"projects": {"p": {"endpoints": {"chat": {"model": "org/model", "instance": "1x H100"}}}}}
)


def test_two_applies_cannot_run_at_once_the_second_fails_naming_the_lock(tmp_path: Path) -> None:
    emu = Emulator(clock=ManualClock(), tokens={"flp_secret-token-1234": ["team-1"]})
    state = tmp_path / "state.json"
    refusals: list[fd.StateLockedError] = []
    with emu.client() as client:
        plan = client.plan(DESIRED, state=state)
        second = client.plan(DESIRED, state=state)

        def meanwhile(action: fd.AppliedAction) -> None:
            if action.outcome == "in_flight" and not refusals:
                sent = len(emu.requests)
                with pytest.raises(fd.StateLockedError) as refused:
                    client.apply(second)
                assert len(emu.requests) == sent  # refused before any request
                refusals.append(refused.value)

        assert client.apply(plan, on_progress=meanwhile, parallelism=1).ok  # one at a time: the count is exact
        assert refusals
        assert refusals[0].lock_path == str(tmp_path / "state.json.lock")
        assert [a.action for a in client.plan(DESIRED, state=state).actions] == ["noop"]  # the lock was released
    assert "secret" not in state.read_text()  # the record never holds the token


def test_an_apply_records_what_completed_even_when_the_wait_fails(tmp_path: Path) -> None:
    emu = Emulator(clock=ManualClock())
    state = tmp_path / "state.json"
    with emu.client() as client:
        plan = client.plan(DESIRED, state=state)

        def refuse_the_wait(action: fd.AppliedAction) -> None:
            if action.outcome == "applied":  # created: the wait's first listing is refused
                emu.inject("list", status=500)  # not transient: the wait ends

        result = client.apply(plan, on_progress=refuse_the_wait)
        [chat] = result.actions
        assert (chat.outcome, chat.endpoint_id is not None) == ("failed", True)
        assert "waiting failed" in (chat.error or "")
        again = client.plan(DESIRED, state=state)
        assert [(a.action, a.endpoint_id) for a in again.actions] == [("noop", chat.endpoint_id)]


def test_the_record_is_written_once_per_apply_and_not_for_a_plan(tmp_path: Path) -> None:
    emu = Emulator(clock=ManualClock())
    state = fd.StateFile(tmp_path / "state.json")
    with emu.client() as client:
        client.plan(DESIRED, state=state)
        assert not state.path.exists()
        client.apply(client.plan(DESIRED, state=state))
        assert state.read().serial == 1
        client.apply(client.plan(DESIRED, state=state))  # nothing changed: the record is not written again
        assert state.read().serial == 1
