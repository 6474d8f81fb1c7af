from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.dedicated_endpoint_create_body import DedicatedEndpointCreateBody
from ...models.dedicated_endpoint_status import DedicatedEndpointStatus
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: DedicatedEndpointCreateBody,
    x_friendli_team: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_friendli_team, Unset):
        headers["X-Friendli-Team"] = x_friendli_team

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/dedicated/beta/endpoint",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | DedicatedEndpointStatus | None:
    if response.status_code == 200:
        response_200 = DedicatedEndpointStatus.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = cast(Any, None)
        return response_400

    if response.status_code == 422:
        response_422 = cast(Any, None)
        return response_422

    if response.status_code == 500:
        response_500 = cast(Any, None)
        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | DedicatedEndpointStatus]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: DedicatedEndpointCreateBody,
    x_friendli_team: None | str | Unset = UNSET,
) -> Response[Any | DedicatedEndpointStatus]:
    """
    Args:
        x_friendli_team (None | str | Unset):
        body (DedicatedEndpointCreateBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | DedicatedEndpointStatus]
    """

    kwargs = _get_kwargs(
        body=body,
        x_friendli_team=x_friendli_team,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: DedicatedEndpointCreateBody,
    x_friendli_team: None | str | Unset = UNSET,
) -> Any | DedicatedEndpointStatus | None:
    """
    Args:
        x_friendli_team (None | str | Unset):
        body (DedicatedEndpointCreateBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | DedicatedEndpointStatus
    """

    return sync_detailed(
        client=client,
        body=body,
        x_friendli_team=x_friendli_team,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: DedicatedEndpointCreateBody,
    x_friendli_team: None | str | Unset = UNSET,
) -> Response[Any | DedicatedEndpointStatus]:
    """
    Args:
        x_friendli_team (None | str | Unset):
        body (DedicatedEndpointCreateBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | DedicatedEndpointStatus]
    """

    kwargs = _get_kwargs(
        body=body,
        x_friendli_team=x_friendli_team,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: DedicatedEndpointCreateBody,
    x_friendli_team: None | str | Unset = UNSET,
) -> Any | DedicatedEndpointStatus | None:
    """
    Args:
        x_friendli_team (None | str | Unset):
        body (DedicatedEndpointCreateBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | DedicatedEndpointStatus
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            x_friendli_team=x_friendli_team,
        )
    ).parsed
