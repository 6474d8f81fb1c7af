"""The desired-state file: good files load (YAML, JSON, data), bad ones are refused naming the place.

Every refusal is an ``InvalidInputError`` whose ``field`` is the exact place in the file, raised while
loading: nothing can be sent. YAML refusals also say the line.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from desired_strategies import BAD, ENDPOINT, base, delete_at, set_at

import friendli_dedicated as fd

GOOD_YAML = """\
version: 1
projects:
  my-project:
    endpoints:
      chat:
        model: meta-llama/Llama-3.1-8B-Instruct
        revision: main
        instance: 2x H100
        autoscaling: {min: 0, max: 2, cooldown: 300}
        engine:
          max_batch_size: 256
          queue_backpressure_metric_kind: TTFT_MS
        comment: first
        delete_protection: true
      embed:
        model: null
        instance: "1x A100 80GB"
        autoscaling: {replicas: 2}
  other:
    endpoints: {}
"""


def test_a_good_yaml_file_loads_with_every_key(tmp_path: Path) -> None:
    path = tmp_path / "endpoints.yaml"
    path.write_text(GOOD_YAML)
    desired = fd.Desired.load(path)
    chat = desired.get("my-project", "chat")
    assert chat is not None
    assert chat.model == "meta-llama/Llama-3.1-8B-Instruct"
    assert chat.instance == fd.InstanceOption(fd.GPU.H100, 2)
    assert dict(chat.autoscaling) == {"min": 0, "max": 2, "cooldown": 300}
    assert dict(chat.engine) == {"max_batch_size": 256, "queue_backpressure_metric_kind": "TTFT_MS"}
    assert (chat.revision, chat.comment, chat.delete_protection) == ("main", "first", True)
    assert chat.fields() == {
        "instance": fd.InstanceOption(fd.GPU.H100, 2),
        "model": "meta-llama/Llama-3.1-8B-Instruct",
        "revision": "main",
        "autoscaling.min": 0,
        "autoscaling.max": 2,
        "autoscaling.cooldown": 300,
        "engine.max_batch_size": 256,
        "engine.queue_backpressure_metric_kind": "TTFT_MS",
    }
    embed = desired.get("my-project", "embed")
    assert embed is not None
    assert embed.model is None  # unknown: not managed
    assert "model" not in embed.fields()
    assert embed.scaling_for() == fd.Autoscaling.fixed(2)
    assert desired.projects["other"] == {}
    assert [ep.name for ep in desired.endpoints()] == ["chat", "embed"]


def test_the_file_round_trips_through_yaml_and_json(tmp_path: Path) -> None:
    (tmp_path / "in.yaml").write_text(GOOD_YAML)
    desired = fd.Desired.load(tmp_path / "in.yaml")
    desired.dump(tmp_path / "out.yaml")
    desired.dump(tmp_path / "out.json")
    assert fd.Desired.load(tmp_path / "out.yaml") == desired
    assert fd.Desired.load(tmp_path / "out.json") == desired
    assert fd.Desired.from_mapping(desired.to_mapping()) == desired


def test_json_files_need_no_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "yaml", None)  # as if the manage extra were not installed
    path = tmp_path / "endpoints.json"
    path.write_text('{"projects": {"p": {"endpoints": {"chat": {"model": "org/model", "instance": "1x H100"}}}}}')
    assert fd.Desired.load(path).get("p", "chat") is not None
    (tmp_path / "endpoints.yaml").write_text(GOOD_YAML)
    with pytest.raises(ImportError, match=r"'manage' extra .*friendli-dedicated\[manage\]") as missing:
        fd.Desired.load(tmp_path / "endpoints.yaml")
    assert missing.value.name == "yaml"


@pytest.mark.parametrize(("where", "value", "field", "message"), BAD, ids=[f"{b[0]}={b[1]!r}" for b in BAD])
def test_a_bad_value_is_refused_naming_its_place(where: str, value: Any, field: str, message: str) -> None:
    with pytest.raises(fd.InvalidInputError) as refused:
        fd.Desired.from_mapping(set_at(base(), where, value))
    assert refused.value.field == field
    assert message in refused.value.message


@pytest.mark.parametrize(
    ("missing", "field"),
    [
        (f"{ENDPOINT}/model", "projects.p.endpoints.chat.model"),
        (f"{ENDPOINT}/instance", "projects.p.endpoints.chat.instance"),
        ("projects", "projects"),
        ("projects/p/endpoints", "projects.p.endpoints"),
    ],
)
def test_a_missing_key_is_refused_naming_it(missing: str, field: str) -> None:
    with pytest.raises(fd.InvalidInputError, match="is required") as refused:
        fd.Desired.from_mapping(delete_at(base(), missing))
    assert refused.value.field == field


def test_a_yaml_refusal_says_the_line(tmp_path: Path) -> None:
    path = tmp_path / "endpoints.yaml"
    path.write_text(GOOD_YAML.replace("max_batch_size: 256", "max_batch_size: lots"))
    with pytest.raises(fd.InvalidInputError) as refused:
        fd.Desired.load(path)
    assert refused.value.field == "projects.my-project.endpoints.chat.engine.max_batch_size"
    assert f"({path}, line 11)" in str(refused.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "projects:\n  p:\n    endpoints:\n      chat: {model: a/b, instance: H100}\n      chat: {model: c/d, instance: H100}\n",
            "'chat' is given twice",
        ),
        ("projects: [\n", "is not valid YAML: line 2"),
        (
            "projects:\n  p:\n    endpoints:\n      chat: {model: a/b, instance: H100, model: c/d}\n",
            "'model' is given twice",
        ),
    ],
)
def test_a_broken_or_ambiguous_yaml_file_is_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "endpoints.yaml"
    path.write_text(text)
    with pytest.raises(fd.InvalidInputError, match=message) as refused:
        fd.Desired.load(path)
    assert refused.value.field == str(path)


def test_yaml_merge_keys_share_settings_and_an_explicit_key_wins(tmp_path: Path) -> None:
    path = tmp_path / "endpoints.yaml"
    path.write_text(
        "projects:\n  p:\n    endpoints:\n"
        "      a: &a {model: org/model, instance: 1x H100, engine: {max_batch_size: 64}}\n"
        "      b:\n        <<: *a\n        instance: 2x H100\n"
    )
    desired = fd.Desired.load(path)
    b = desired.get("p", "b")
    assert b is not None
    assert b.instance == fd.InstanceOption.parse("2x H100")
    assert dict(b.engine) == {"max_batch_size": 64}


def test_a_json_file_with_a_key_twice_or_broken_is_refused(tmp_path: Path) -> None:
    twice = tmp_path / "twice.json"
    twice.write_text('{"projects": {"p": {"endpoints": {}}, "p": {"endpoints": {}}}}')
    with pytest.raises(fd.InvalidInputError, match="'p' is given twice"):
        fd.Desired.load(twice)
    broken = tmp_path / "broken.json"
    broken.write_text('{"projects": ')
    with pytest.raises(fd.InvalidInputError, match="not valid JSON") as refused:
        fd.Desired.load(broken)
    assert refused.value.field == str(broken)
    with pytest.raises(fd.InvalidInputError, match="cannot be read"):
        fd.Desired.load(tmp_path / "missing.json")


def test_a_bad_file_sends_nothing_and_plan_takes_only_a_checked_desired_state(tmp_path: Path) -> None:
    from friendli_dedicated.emulator import Emulator, ManualClock

    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        with pytest.raises(fd.InvalidInputError) as refused:
            client.plan(base(), state=tmp_path / "state.json")  # type: ignore[arg-type]
        assert refused.value.field == "desired"
        with pytest.raises(fd.InvalidInputError) as refused:
            client.plan(fd.Desired.from_mapping(base()), state=tmp_path / "state.json", parallelism=0)
        assert refused.value.field == "parallelism"
    assert emu.requests == []


def test_an_autoscaling_refusal_speaks_of_the_file_keys_not_the_python_arguments() -> None:
    with pytest.raises(fd.InvalidInputError) as refused:
        fd.Desired.from_mapping(set_at(base(), f"{ENDPOINT}/autoscaling", {"min": 3, "max": 1}))
    assert refused.value.field == "projects.p.endpoints.chat.autoscaling.max"
    assert refused.value.message == "must be at least min (3), got 1"


@pytest.mark.parametrize("name", ["endpoints.json", "endpoints.yaml", "endpoints.txt"])
def test_a_file_with_a_byte_order_mark_loads(tmp_path: Path, name: str) -> None:
    path = tmp_path / name  # Windows PowerShell's "UTF8" writes one
    path.write_bytes(
        b"\xef\xbb\xbf" + b'{"projects": {"p": {"endpoints": {"chat": {"model": "m/m", "instance": "H100"}}}}}'
    )
    assert fd.Desired.load(path).get("p", "chat") is not None


def test_a_file_that_is_not_utf8_is_refused_saying_so(tmp_path: Path) -> None:
    path = tmp_path / "endpoints.yaml"
    path.write_text("projects: {}\n", encoding="utf-16")
    with pytest.raises(fd.InvalidInputError, match=r"is not UTF-8 text .*save it as UTF-8") as refused:
        fd.Desired.load(path)
    assert "codec" not in refused.value.message


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("deep.json", '{"a": ' * 100_000 + "1" + "}" * 100_000),
        ("deep.yaml", "projects: " + "[" * 100_000 + "]" * 100_000),
    ],
)
def test_a_file_nested_too_deeply_is_refused_not_a_recursion_error(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text)
    with pytest.raises(fd.InvalidInputError, match="is nested too deeply"):
        fd.Desired.load(tmp_path / name)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("revision: 0123", "got the number 83 (quote it if it is text)"),  # YAML's octal
        ("comment: 2024-01-01", "got the date 2024-01-01 (quote it if it is text)"),
        ("revision: 2024-01-01 10:00:00", "got the date 2024-01-01T10:00:00 (quote it if it is text)"),
    ],
)
def test_a_yaml_value_read_as_a_number_or_a_date_says_to_quote_it(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "endpoints.yaml"
    path.write_text(
        f"projects:\n  p:\n    endpoints:\n      chat:\n        model: org/m\n        instance: H100\n        {line}\n"
    )
    with pytest.raises(fd.InvalidInputError) as refused:
        fd.Desired.load(path)
    assert message in refused.value.message
    assert "datetime" not in refused.value.message
