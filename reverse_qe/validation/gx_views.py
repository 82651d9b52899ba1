"""Great Expectations' data docs views, with one Jinja environment per process.

GX builds a new site builder, and with it new views, at every ``build_data_docs``; each view makes
its own Jinja environment, so every batch compiled GX's templates again: 90% of a batch's docs
time (2.2 of 2.5 s for five batches of the DTS cash table, under cProfile). These views are GX's
own, named in the docs site's config (``reverse_qe.validation.gx``); the first of each kind in a
process keeps its environment, with its compiled templates, for those after it. The pages are the
same; only GX's timestamps and element ids differ from build to build, as they always did.

Imported by GX only, when it builds data docs (it imports Great Expectations).
"""

from __future__ import annotations

from typing import ClassVar

from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView


class _OneEnvironment:
    """A view whose Jinja environment (templates, filters) is the first such view's in the process.
    GX's views hold no other state than their custom folders, which are part of the key."""

    _first: ClassVar[dict[tuple, object]] = {}

    def __init__(self, custom_styles_directory=None, custom_views_directory=None) -> None:
        key = (type(self), custom_styles_directory, custom_views_directory)
        first = _OneEnvironment._first.get(key)
        if first is None:
            super().__init__(custom_styles_directory=custom_styles_directory,
                             custom_views_directory=custom_views_directory)
            _OneEnvironment._first[key] = self
            return
        self.custom_styles_directory = custom_styles_directory
        self.custom_views_directory = custom_views_directory
        self.env = first.env  # its filters are bound to the first view, which renders alike


class PageView(_OneEnvironment, DefaultJinjaPageView):
    """GX's page of a suite or of a validation result."""


class IndexPageView(_OneEnvironment, DefaultJinjaIndexPageView):
    """GX's index page of the docs site."""
