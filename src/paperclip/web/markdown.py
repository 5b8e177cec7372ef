"""Markdown from agents and people, rendered to HTML that cannot run anything in a browser.

markdown-it-py (CommonMark + tables + strikethrough; raw HTML is escaped, not passed through),
then nh3 (ammonia) as a second wall: only an allow-list of tags and attributes survives, links get
rel="noopener noreferrer nofollow", and only http(s)/mailto URLs are kept.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable(
    ["table", "strikethrough"]
)

TAGS = {
    "p",
    "br",
    "hr",
    "a",
    "em",
    "strong",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
    "span",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
_LANG_CLASS = re.compile(r"^language-[A-Za-z0-9_+-]{1,32}$")


def _filter(tag: str, attr: str, value: str) -> str | None:
    if attr == "class":
        return value if tag == "code" and _LANG_CLASS.match(value) else None
    return value


@lru_cache(maxsize=2048)
def _render(text: str) -> str:
    html = _md.render(text)
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_filter,
    )


def render_markdown(text: str | None) -> Markup:
    if not text:
        return Markup("")
    return Markup(_render(text))
