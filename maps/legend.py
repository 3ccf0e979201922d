"""The one Leaflet legend: a map control holding static, escaped HTML, plus the metric scale.

The triage and disaster maps show the status colours with it (``maps.triage``), the trends
page the choropleth's classes (``maps.district_map``); the list page reuses the HTML.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from branca.element import MacroElement
from jinja2 import Template


def legend_row(label: str, colour: str | None = None, mark: str = "dot") -> str:
    """One row: a mark (CSS class ``mark``, filled with ``colour`` if given) and the label."""
    style = f' style="background:{colour}"' if colour else ""
    return f'<div class="row"><span class="{mark}"{style}></span>{html.escape(label)}</div>'


def legend_html(title: str, rows: Iterable[str], note: str | None = None) -> str:
    """The legend's HTML: the title, the rows (from ``legend_row``) and an optional note."""
    tail = f'<p class="note">{html.escape(note)}</p>' if note else ""
    return f'<div class="title">{html.escape(title)}</div>{"".join(rows)}{tail}'


class LegendControl(MacroElement):
    """A Leaflet control showing ``legend_html`` (trusted: built by ``legend_html``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: {{ this.position|tojson }}});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
                div.innerHTML = {{ this.legend_html|tojson }};
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
            L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self, legend_html: str, position: str = "bottomright", css_class: str = "triage-legend"
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Legend"
        self.legend_html = legend_html
        self.position = position
        self.css_class = css_class
