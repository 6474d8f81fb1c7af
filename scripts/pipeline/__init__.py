"""The build pipeline: upstream OpenAPI document -> the pinned contract -> the generated client -> a release.

Each module does one job and has a command line (``python scripts/pipeline/<name>.py``, or the nox
session of the same name):

- ``upstream``: read an upstream document from a URL or a file path.
- ``extract``: upstream document -> the contract (``openapi.yaml``), validated as OpenAPI 3.1 (``openapi31``).
- ``drift`` (with ``schema_diff``): compare an upstream's contract with the pinned one, on the wire.
- ``codegen`` (with ``engine_table``): the contract -> ``generated/friendli_dedicated_api``.
- ``regenerate``: all of the above, plus the version (MAJOR or MINOR by the drift classes) and CHANGELOG.md.
- ``versioning``, ``release``: the semantic version; CHANGELOG.md entries, docs/versions.md, pyproject.toml.
- ``api_check``: griffe's breaking-change check of the facade against the last release.
- ``bump``: release a change of the hand-written layer (PATCH, MINOR, MAJOR).
- ``upkeep``: the steps of the weekly upkeep workflow (.github/workflows/upstream.yml).
"""
