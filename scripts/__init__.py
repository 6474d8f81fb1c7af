"""Maintainer tooling: turn the upstream OpenAPI document into the pinned contract and the client.

Each module does one job and has a command line:

- ``upstream``: read an upstream document from a URL or a file path.
- ``extract``: upstream document -> the contract (``openapi.yaml``).
- ``drift``: compare an upstream's contract with the pinned one.
- ``codegen``: the contract -> ``generated/friendli_dedicated_api`` (openapi-python-client).
- ``regenerate``: all of the above, plus the version (MAJOR or MINOR by the drift classes) and CHANGELOG.md.
- ``versioning``, ``release``: the semantic version; CHANGELOG.md entries, docs/versions.md, pyproject.toml.
- ``api_check``: griffe's breaking-change check of the facade against the last release.
- ``bump``: release a change of the hand-written layer (PATCH, MINOR, MAJOR).
- ``upkeep``: the steps of the weekly upkeep workflow (.github/workflows/upstream.yml).
"""
