"""The package's public names: each resolves, the errors are all exported, renamed names warn."""

from __future__ import annotations

import warnings

import pytest

import friendli_dedicated as fd
from friendli_dedicated import errors

DEPRECATED = {"SPEC_PIN": "CONTRACT_PIN", "SpecPin": "ContractPin"}


@pytest.mark.parametrize("name", sorted(set(fd.__all__) - set(DEPRECATED)))
def test_every_public_name_resolves_without_a_warning(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert getattr(fd, name) is not None


def test_every_error_class_is_exported_from_the_package() -> None:
    error_classes = {
        name
        for name in errors.__all__
        if isinstance(getattr(errors, name), type) and issubclass(getattr(errors, name), errors.FriendliError)
    }
    assert "NotFoundError" in error_classes
    assert error_classes <= set(fd.__all__)
    assert all(getattr(fd, name) is getattr(errors, name) for name in error_classes)


def test_an_unknown_name_is_an_attribute_error_naming_it() -> None:
    with pytest.raises(AttributeError, match="'NoSuchThing'"):
        _ = fd.NoSuchThing  # type: ignore[attr-defined]


@pytest.mark.parametrize(("old", "new"), sorted(DEPRECATED.items()))
def test_a_renamed_name_still_works_and_warns_naming_its_replacement(old: str, new: str) -> None:
    with pytest.warns(DeprecationWarning, match=f"friendli_dedicated.{new}") as caught:
        value = getattr(fd, old)
    assert value is getattr(fd, new)
    assert caught[0].filename == __file__  # points at the caller's line, not the package
    with pytest.warns(DeprecationWarning, match=old):  # every use warns, not only the first
        getattr(fd, old)


def test_the_renamed_pin_keeps_its_fields() -> None:
    pin = fd.CONTRACT_PIN
    assert isinstance(pin, fd.ContractPin)
    assert len(pin.sha256) == len(pin.surface_sha256) == 64
    assert pin.short() == f"{pin.sha256[:12]}/{pin.surface_sha256[:12]}"


TYPING_ONLY = {
    "RunningEndpoint": "Endpoint",
    "ListedEndpoint": "Endpoint",
    "AsyncRunningEndpoint": "AsyncEndpoint",
    "AsyncListedEndpoint": "AsyncEndpoint",
}


@pytest.mark.parametrize(("name", "runtime_name"), sorted(TYPING_ONLY.items()))
def test_a_name_for_type_checkers_only_is_no_export_and_warns_when_used_at_run_time(
    name: str, runtime_name: str
) -> None:
    # Until 2.0.0 these were the handle classes themselves, so isinstance(x, fd.RunningEndpoint) was
    # true of any handle, whatever its state.
    assert name not in fd.__all__
    assert name not in dir(fd)
    with pytest.warns(DeprecationWarning, match=f"type checkers only.*friendli_dedicated.{runtime_name}") as caught:
        value = getattr(fd, name)
    assert value is getattr(fd, runtime_name)
    assert caught[0].filename == __file__
