"""``sopflow handbook``: the library as pages staff read and train with, in each of the desk's languages."""

from sopflow.render.handbook.pages import LANGUAGES, Draw, Shelf, html_pages, markdown_pages

__all__ = ["LANGUAGES", "Draw", "Shelf", "html_pages", "markdown_pages"]
