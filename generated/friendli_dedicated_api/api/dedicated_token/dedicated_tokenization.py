from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.dedicated_tokenization_body import DedicatedTokenizationBody
from ...models.dedicated_tokenization_success import DedicatedTokenizationSuccess
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: DedicatedTokenizationBody,
    x_friendli_team: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_friendli_team, Unset):
        headers["X-Friendli-Team"] = x_friendli_team

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/dedicated/v1/tokenize",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | DedicatedTokenizationSuccess | None:
    if response.status_code == 200:
        response_200 = DedicatedTokenizationSuccess.from_dict(response.json())

        return response_200

    if response.status_code == 422:
        response_422 = cast(Any, None)
        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | DedicatedTokenizationSuccess]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: DedicatedTokenizationBody,
    x_friendli_team: None | str | Unset = UNSET,
) -> Response[Any | DedicatedTokenizationSuccess]:
    """
    Args:
        x_friendli_team (None | str | Unset):
        body (DedicatedTokenizationBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | DedicatedTokenizationSuccess]
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
    body: DedicatedTokenizationBody,
    x_friendli_team: None | str | Unset = UNSET,
) -> Any | DedicatedTokenizationSuccess | None:
    """
    Args:
        x_friendli_team (None | str | Unset):
        body (DedicatedTokenizationBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | DedicatedTokenizationSuccess
    """

    return sync_detailed(
        client=client,
        body=body,
        x_friendli_team=x_friendli_team,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: DedicatedTokenizationBody,
    x_friendli_team: None | str | Unset = UNSET,
) -> Response[Any | DedicatedTokenizationSuccess]:
    """
    Args:
        x_friendli_team (None | str | Unset):
        body (DedicatedTokenizationBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | DedicatedTokenizationSuccess]
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
    body: DedicatedTokenizationBody,
    x_friendli_team: None | str | Unset = UNSET,
) -> Any | DedicatedTokenizationSuccess | None:
    """
    Args:
        x_friendli_team (None | str | Unset):
        body (DedicatedTokenizationBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | DedicatedTokenizationSuccess
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            x_friendli_team=x_friendli_team,
        )
    ).parsed
