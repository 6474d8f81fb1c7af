from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.dedicated_endpoint_spec import DedicatedEndpointSpec
from ...models.dedicated_endpoint_update_body import DedicatedEndpointUpdateBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    endpoint_id: str,
    *,
    body: DedicatedEndpointUpdateBody,
    x_friendli_team: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_friendli_team, Unset):
        headers["X-Friendli-Team"] = x_friendli_team

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/dedicated/beta/endpoint/{endpoint_id}".format(
            endpoint_id=quote(str(endpoint_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | DedicatedEndpointSpec | None:
    if response.status_code == 200:
        response_200 = DedicatedEndpointSpec.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = cast(Any, None)
        return response_400

    if response.status_code == 404:
        response_404 = cast(Any, None)
        return response_404

    if response.status_code == 422:
        response_422 = cast(Any, None)
        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | DedicatedEndpointSpec]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    endpoint_id: str,
    *,
    client: AuthenticatedClient,
    body: DedicatedEndpointUpdateBody,
    x_friendli_team: None | str | Unset = UNSET,
) -> Response[Any | DedicatedEndpointSpec]:
    """
    Args:
        endpoint_id (str):
        x_friendli_team (None | str | Unset):
        body (DedicatedEndpointUpdateBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | DedicatedEndpointSpec]
    """

    kwargs = _get_kwargs(
        endpoint_id=endpoint_id,
        body=body,
        x_friendli_team=x_friendli_team,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    endpoint_id: str,
    *,
    client: AuthenticatedClient,
    body: DedicatedEndpointUpdateBody,
    x_friendli_team: None | str | Unset = UNSET,
) -> Any | DedicatedEndpointSpec | None:
    """
    Args:
        endpoint_id (str):
        x_friendli_team (None | str | Unset):
        body (DedicatedEndpointUpdateBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | DedicatedEndpointSpec
    """

    return sync_detailed(
        endpoint_id=endpoint_id,
        client=client,
        body=body,
        x_friendli_team=x_friendli_team,
    ).parsed


async def asyncio_detailed(
    endpoint_id: str,
    *,
    client: AuthenticatedClient,
    body: DedicatedEndpointUpdateBody,
    x_friendli_team: None | str | Unset = UNSET,
) -> Response[Any | DedicatedEndpointSpec]:
    """
    Args:
        endpoint_id (str):
        x_friendli_team (None | str | Unset):
        body (DedicatedEndpointUpdateBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | DedicatedEndpointSpec]
    """

    kwargs = _get_kwargs(
        endpoint_id=endpoint_id,
        body=body,
        x_friendli_team=x_friendli_team,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    endpoint_id: str,
    *,
    client: AuthenticatedClient,
    body: DedicatedEndpointUpdateBody,
    x_friendli_team: None | str | Unset = UNSET,
) -> Any | DedicatedEndpointSpec | None:
    """
    Args:
        endpoint_id (str):
        x_friendli_team (None | str | Unset):
        body (DedicatedEndpointUpdateBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | DedicatedEndpointSpec
    """

    return (
        await asyncio_detailed(
            endpoint_id=endpoint_id,
            client=client,
            body=body,
            x_friendli_team=x_friendli_team,
        )
    ).parsed
