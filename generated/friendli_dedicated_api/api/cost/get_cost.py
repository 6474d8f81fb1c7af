import datetime
from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.cost_bucket_width import CostBucketWidth
from ...models.cost_group_by import CostGroupBy
from ...models.cost_response import CostResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    start_time: datetime.datetime,
    bucket_width: CostBucketWidth | None | Unset = CostBucketWidth.VALUE_0,
    end_time: datetime.datetime,
    limit: int | None | Unset = 7,
    page: None | str | Unset = UNSET,
    group_by: CostGroupBy | None | Unset = UNSET,
    x_friendli_team: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_friendli_team, Unset):
        headers["X-Friendli-Team"] = x_friendli_team

    params: dict[str, Any] = {}

    json_start_time = start_time.isoformat()
    params["start_time"] = json_start_time

    json_bucket_width: None | str | Unset
    if isinstance(bucket_width, Unset):
        json_bucket_width = UNSET
    elif isinstance(bucket_width, CostBucketWidth):
        json_bucket_width = bucket_width.value
    else:
        json_bucket_width = bucket_width
    params["bucket_width"] = json_bucket_width

    json_end_time = end_time.isoformat()
    params["end_time"] = json_end_time

    json_limit: int | None | Unset
    if isinstance(limit, Unset):
        json_limit = UNSET
    else:
        json_limit = limit
    params["limit"] = json_limit

    json_page: None | str | Unset
    if isinstance(page, Unset):
        json_page = UNSET
    else:
        json_page = page
    params["page"] = json_page

    json_group_by: None | str | Unset
    if isinstance(group_by, Unset):
        json_group_by = UNSET
    elif isinstance(group_by, CostGroupBy):
        json_group_by = group_by.value
    else:
        json_group_by = group_by
    params["group_by"] = json_group_by

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/team/cost",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | CostResponse | None:
    if response.status_code == 200:
        response_200 = CostResponse.from_dict(response.json())

        return response_200

    if response.status_code == 422:
        response_422 = cast(Any, None)
        return response_422

    if response.status_code == 429:
        response_429 = cast(Any, None)
        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | CostResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    start_time: datetime.datetime,
    bucket_width: CostBucketWidth | None | Unset = CostBucketWidth.VALUE_0,
    end_time: datetime.datetime,
    limit: int | None | Unset = 7,
    page: None | str | Unset = UNSET,
    group_by: CostGroupBy | None | Unset = UNSET,
    x_friendli_team: None | str | Unset = UNSET,
) -> Response[Any | CostResponse]:
    """
    Args:
        start_time (datetime.datetime):
        bucket_width (CostBucketWidth | None | Unset):  Default: CostBucketWidth.VALUE_0.
        end_time (datetime.datetime):
        limit (int | None | Unset):  Default: 7.
        page (None | str | Unset):
        group_by (CostGroupBy | None | Unset):
        x_friendli_team (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | CostResponse]
    """

    kwargs = _get_kwargs(
        start_time=start_time,
        bucket_width=bucket_width,
        end_time=end_time,
        limit=limit,
        page=page,
        group_by=group_by,
        x_friendli_team=x_friendli_team,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    start_time: datetime.datetime,
    bucket_width: CostBucketWidth | None | Unset = CostBucketWidth.VALUE_0,
    end_time: datetime.datetime,
    limit: int | None | Unset = 7,
    page: None | str | Unset = UNSET,
    group_by: CostGroupBy | None | Unset = UNSET,
    x_friendli_team: None | str | Unset = UNSET,
) -> Any | CostResponse | None:
    """
    Args:
        start_time (datetime.datetime):
        bucket_width (CostBucketWidth | None | Unset):  Default: CostBucketWidth.VALUE_0.
        end_time (datetime.datetime):
        limit (int | None | Unset):  Default: 7.
        page (None | str | Unset):
        group_by (CostGroupBy | None | Unset):
        x_friendli_team (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | CostResponse
    """

    return sync_detailed(
        client=client,
        start_time=start_time,
        bucket_width=bucket_width,
        end_time=end_time,
        limit=limit,
        page=page,
        group_by=group_by,
        x_friendli_team=x_friendli_team,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    start_time: datetime.datetime,
    bucket_width: CostBucketWidth | None | Unset = CostBucketWidth.VALUE_0,
    end_time: datetime.datetime,
    limit: int | None | Unset = 7,
    page: None | str | Unset = UNSET,
    group_by: CostGroupBy | None | Unset = UNSET,
    x_friendli_team: None | str | Unset = UNSET,
) -> Response[Any | CostResponse]:
    """
    Args:
        start_time (datetime.datetime):
        bucket_width (CostBucketWidth | None | Unset):  Default: CostBucketWidth.VALUE_0.
        end_time (datetime.datetime):
        limit (int | None | Unset):  Default: 7.
        page (None | str | Unset):
        group_by (CostGroupBy | None | Unset):
        x_friendli_team (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | CostResponse]
    """

    kwargs = _get_kwargs(
        start_time=start_time,
        bucket_width=bucket_width,
        end_time=end_time,
        limit=limit,
        page=page,
        group_by=group_by,
        x_friendli_team=x_friendli_team,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    start_time: datetime.datetime,
    bucket_width: CostBucketWidth | None | Unset = CostBucketWidth.VALUE_0,
    end_time: datetime.datetime,
    limit: int | None | Unset = 7,
    page: None | str | Unset = UNSET,
    group_by: CostGroupBy | None | Unset = UNSET,
    x_friendli_team: None | str | Unset = UNSET,
) -> Any | CostResponse | None:
    """
    Args:
        start_time (datetime.datetime):
        bucket_width (CostBucketWidth | None | Unset):  Default: CostBucketWidth.VALUE_0.
        end_time (datetime.datetime):
        limit (int | None | Unset):  Default: 7.
        page (None | str | Unset):
        group_by (CostGroupBy | None | Unset):
        x_friendli_team (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | CostResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            start_time=start_time,
            bucket_width=bucket_width,
            end_time=end_time,
            limit=limit,
            page=page,
            group_by=group_by,
            x_friendli_team=x_friendli_team,
        )
    ).parsed
