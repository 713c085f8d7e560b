"""A download button: a plain anchor styled as a button.

`rx.link` hands its href to the page router, which answers `/api/...` with the 404 page; a file
from the backend must be fetched by the browser itself. The route's `Content-Disposition:
attachment` makes it a download even where the page and the backend are different origins (in
development), where the `download` attribute alone is ignored.
"""

import reflex as rx


def download_button(label, href, *, element_id: str, icon: str = "download", size: str = "2",
                    variant: str = "solid") -> rx.Component:
    return rx.button(
        rx.el.a(rx.icon(icon, size=14 if size == "1" else 15), *label if isinstance(label, tuple) else (label,),
                href=href, download="", id=element_id),
        as_child=True, size=size, variant=variant,
    )
