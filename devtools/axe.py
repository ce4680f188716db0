"""axe-core, the accessibility engine the browser tests run over every portal page.

``axe.min.js`` comes from the npm package ``axe-core`` (MPL-2.0): fetched once with ``npm pack``,
checked against the sha512 pinned here and unpacked into ``~/.cache/autolab/axe-core-<version>/``
with its LICENSE. Nothing of it is committed.
"""

from __future__ import annotations

from pathlib import Path

from devtools.npm_cache import cache_root, npm_files

PACKAGE = "axe-core"
VERSION = "4.14.1"
# `npm view axe-core@4.14.1 dist.integrity`, pinned: a changed tarball is refused
INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
SCRIPT = "axe.min.js"


def installation() -> Path:
    """The folder holding axe.min.js and LICENSE, fetched on first use."""
    return npm_files(
        package=PACKAGE,
        version=VERSION,
        directory=cache_root() / f"axe-core-{VERSION}",
        purpose="axe-core",
        only=(SCRIPT, "LICENSE"),
        marker=SCRIPT,
        integrity=INTEGRITY,
    )


def script() -> Path:
    return installation() / SCRIPT
