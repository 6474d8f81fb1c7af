"""mkdocs hooks of the documentation site (mkdocs.yml, ``hooks``): the repository's own Markdown files as pages.

The Markdown under docs/ is read in two places: on the site, and in the repository (on a forge, in an
editor), where its links point at files of the repository. So that one text serves both:

- README.md is the site's home page (``index.md``) and CHANGELOG.md its ``changelog.md``: one front page
  and one changelog, not a copy of each that could drift;
- a relative link is resolved from the file it is written in (README.md's ``docs/cli.md`` is ``cli.md`` on
  the site). A link to one of those two files becomes a link to its page; a link to another file or
  folder of the repository outside docs/ (``examples/demo.py``), which the site does not publish,
  becomes a link to it in the repository (pyproject.toml's ``project.urls.Repository``, on its main
  branch), which is also the site's ``repo_url``;
- a link to nothing at all is left as written, so that ``mkdocs build --strict`` reports it.
"""

from __future__ import annotations

import posixpath
import re
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
# Repository files published as pages: site path -> the file.
PUBLISHED = {"index.md": ROOT / "README.md", "changelog.md": ROOT / "CHANGELOG.md"}
_PAGE_OF = {path: page for page, path in PUBLISHED.items()}
_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]\n]+)\]\((?P<target>[^)\s]+)\)")
_EXTERNAL = re.compile(r"^([a-z][a-z0-9+.-]*:|#|/)", re.IGNORECASE)
# The repository, as pyproject.toml names it once; its files are read on its main branch.
REPOSITORY = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]["Repository"]
BRANCH = "main"


def on_config(config: Any) -> Any:
    config["repo_url"] = REPOSITORY
    config["repo_name"] = REPOSITORY.removeprefix("https://github.com/")
    return config


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File  # here: the tests import this module without mkdocs

    for page, path in PUBLISHED.items():
        files.append(File.generated(config, page, abs_src_path=str(path)))
    return files


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    page_uri = page.file.src_uri
    source = PUBLISHED.get(page_uri, DOCS / page_uri)
    return rewrite_links(markdown, source, page_uri)


def rewrite_links(markdown: str, source: Path, page_uri: str) -> str:
    """``markdown`` (read from ``source``, shown as the site's ``page_uri``) with its links made the site's."""
    lines, fenced = [], False
    for line in markdown.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        lines.append(line if fenced else _LINK.sub(lambda match: _site_link(match, source, page_uri), line))
    return "\n".join(lines)


def _site_link(match: re.Match[str], source: Path, page_uri: str) -> str:
    text, target = match["text"], match["target"]
    if _EXTERNAL.match(target):
        return match[0]
    path, hash_, anchor = target.partition("#")
    resolved = (source.parent / path).resolve()
    if resolved in _PAGE_OF:
        site_target = _PAGE_OF[resolved]
    elif resolved.is_relative_to(DOCS):
        site_target = resolved.relative_to(DOCS).as_posix()
    elif resolved.exists() and resolved.is_relative_to(ROOT):
        # A file of the repository that the site does not publish: the repository shows it.
        kind = "tree" if resolved.is_dir() else "blob"
        return f"[{text}]({REPOSITORY}/{kind}/{BRANCH}/{resolved.relative_to(ROOT).as_posix()}{hash_}{anchor})"
    else:
        return match[0]  # broken: mkdocs reports it
    relative = posixpath.relpath(site_target, posixpath.dirname(page_uri) or ".")
    return f"[{text}]({relative}{hash_}{anchor})"
