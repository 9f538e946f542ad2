"""Values from the data or the URL shown as the text they are, never as markup.

Streamlit renders markdown (links, images, :color[] and :icon: directives, $ math, raw HTML as text) in
st.markdown, captions, titles, alerts, metric labels, widget labels and help, button labels, and
radio/pill options; plotly renders its own HTML subset (<a href>, <b>, <br> …) in hover text, axis
ticks, legends and titles. A region name, project name, package file name or link parameter that
reaches one of them goes through `md()` or `html()` first. Selectbox/multiselect options, grid cells
and text inputs are plain text already and take the value as it is. No Streamlit import.
"""

from __future__ import annotations

import html as _html
import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&=@])")
_WHITESPACE = re.compile(r"\s+")
# GFM turns bare URLs and e-mail addresses into links after escapes are read (http://…, www.…, a@b.c,
# mailto:…, xmpp:…): an invisible word joiner inside each such pattern breaks it.
WORD_JOINER = "\u2060"
_AUTOLINK_BREAKS = re.compile(r"(?=://)|(?<=www)(?=\.)|(?<=[\w.+-])(?=@)|(?<=mailto)(?=:)|(?<=xmpp)(?=:)",
                              re.IGNORECASE)


def md(value) -> str:
    """Text for a markdown-rendering element that reads as itself: every character markdown (or
    Streamlit's directives, $ math, raw HTML) would act on is backslash-escaped, a bare URL or e-mail
    address cannot autolink, line breaks become spaces (a name cannot open a new block)."""
    text = _AUTOLINK_BREAKS.sub(WORD_JOINER, _WHITESPACE.sub(" ", str(value)))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def html(value) -> str:
    """Text for plotly (hover, ticks, legend, titles): < > & escaped, so a tag in the data stays text."""
    return _html.escape(str(value), quote=False)
