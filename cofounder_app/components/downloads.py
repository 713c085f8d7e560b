"""A download button: an anchor the browser follows itself, styled as a button.

Every anchor in Reflex is React Router's `Link` (`rx.el.a` included), which hands a same-origin href
such as `/api/...` to the page router, and that answers with the 404 page; `reload_document` makes it
a plain document navigation, so the browser fetches the file. The route's `Content-Disposition:
attachment` makes it a download (also where the page and the backend are different origins, in
development, and the `download` attribute alone is ignored). Use `file_link` for any other anchor
to a file the backend serves.
"""

import reflex as rx


def download_button(label, href, *, element_id: str, icon: str = "download", size: str = "2",
                    variant: str = "solid") -> rx.Component:
    return rx.button(
        file_link(rx.icon(icon, size=14 if size == "1" else 15), *label if isinstance(label, tuple) else (label,),
                  href=href, download="", id=element_id),
        as_child=True, size=size, variant=variant,
    )


def file_link(*children, href, **props) -> rx.Component:
    """An anchor to a file the backend serves, followed by the browser, never the page router."""
    return rx.el.a(*children, href=href, reload_document=True, **props)
