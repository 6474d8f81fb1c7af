"""Maintainer tooling: turn the upstream OpenAPI document into the pinned contract and the client.

Each module does one job and has a command line:

- ``upstream``: read an upstream document from a URL or a file path.
- ``extract``: upstream document -> the contract (``openapi.yaml``).
- ``drift``: compare an upstream's contract with the pinned one.
- ``codegen``: the contract -> ``generated/friendli_dedicated_api`` (openapi-python-client).
- ``regenerate``: all of the above, plus CHANGELOG.md and the package version.
"""
