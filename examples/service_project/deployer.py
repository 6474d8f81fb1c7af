"""A service's own code: deploy a model and wait until it serves, recovering as the SDK documents.

It builds its client itself (``fd.Client()``, configured by FRIENDLI_TOKEN and friends), as most
services do; its tests need not change it to run it against the SDK's emulator. ``start`` and
``wait_for`` are separate because a real service often answers the request that starts a
deployment at once and waits in a background job.
"""

from __future__ import annotations

import attrs

import friendli_dedicated as fd


@attrs.frozen
class Deployment:
    """What the service reports: the endpoint, and whether it serves (with the error code if not)."""

    endpoint_id: str
    serving: bool
    error_code: str | None = None


def deploy(project: str, name: str, model: str, *, instance: str = "1x H100", timeout: float = 1800) -> Deployment:
    """Create the endpoint (never twice) and wait until it serves."""
    return wait_for(start(project, name, model, instance=instance), timeout=timeout)


def start(project: str, name: str, model: str, *, instance: str = "1x H100") -> str:
    """Create the endpoint, never twice, and return its id.

    The SDK's recovery recipe: after ``EndpointCreationUnresolvedError`` the endpoint may exist, so
    look before creating again; any other error means it was not created.
    """
    with fd.Client() as client:
        try:
            return client.endpoints.create(project, name, model, instance).id
        except fd.EndpointCreationUnresolvedError as unknown:
            found = [ep for ep in client.endpoints.list(unknown.project_id) if ep.spec().name == unknown.name]
            if found:
                return found[0].id
            return client.endpoints.create(project, name, model, instance).id


def wait_for(endpoint_id: str, *, timeout: float = 1800) -> Deployment:
    """Wait until the endpoint serves; a failed deployment is reported with its error code."""
    with fd.Client() as client:
        try:
            client.endpoints.wait_until_running(endpoint_id, timeout=timeout)
        except fd.EndpointFailedError as failed:
            return Deployment(endpoint_id, serving=False, error_code=failed.error_code)
    return Deployment(endpoint_id, serving=True)
