"""Maintainer tooling, in two folders whose names say what they are:

- ``scripts/pipeline``: the build pipeline, from the upstream OpenAPI document to a release
  (extraction, drift, code generation, regeneration, versions, the API check, upkeep);
- ``scripts/harness``: programs that exercise the installed SDK (benchmarks, load, chaos,
  conformance, fuzzing, hostile servers, installation checks).
"""
