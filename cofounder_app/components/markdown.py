"""Markdown for anything a founder or a model wrote (guides, briefs, plans): never raw HTML.

`rx.markdown` turns on rehype-raw by default, which made a `<script>` inside an `<iframe srcdoc>` from
a founder's value proposition run on every load of the build page. Without it, HTML in the text is
not rendered (react-markdown drops it), and links with unsafe schemes such as `javascript:` lose
their target (react-markdown's default URL transform). Every Markdown on our pages goes through here.
"""

import reflex as rx


def safe_markdown(text, **props) -> rx.Component:
    return rx.markdown(text, use_raw=False, **props)
