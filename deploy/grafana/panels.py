"""Small factories over grafana-foundation-sdk builders, so the dashboard reads as content.

Every panel reads the `$datasource` variable; every query is PromQL. Sizes are grid units
(24 columns wide).
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import bargauge, stat, table, timeseries
from grafana_foundation_sdk.builders import common as common_builders
from grafana_foundation_sdk.builders import dashboard as dashboard_builders
from grafana_foundation_sdk.builders.prometheus import Dataquery
from grafana_foundation_sdk.models import common, dashboard
from grafana_foundation_sdk.models.prometheus import PromQueryFormat

DATASOURCE = dashboard.DataSourceRef(type_val="prometheus", uid="${datasource}")

# Severity colours, worst first; the same names the findings carry.
SEVERITY_COLORS = {
    "critical": "dark-red",
    "high": "red",
    "medium": "orange",
    "low": "yellow",
    "info": "blue",
}


def query(expr: str, legend: str = "", *, ref: str = "A") -> Dataquery:
    """A range query drawn over time."""
    return Dataquery().expr(expr).legend_format(legend or "__auto").ref_id(ref).range()


def instant_table(expr: str, *, ref: str = "A") -> Dataquery:
    """An instant query returned as a table (one row per series, labels as columns)."""
    return Dataquery().expr(expr).ref_id(ref).instant().format(PromQueryFormat.TABLE)


def thresholds(*steps: tuple[float | None, str]) -> dashboard_builders.ThresholdsConfig:
    """Absolute thresholds; the first step's value is None (from minus infinity)."""
    return (
        dashboard_builders.ThresholdsConfig()
        .mode(dashboard.ThresholdsMode.ABSOLUTE)
        .steps([dashboard.Threshold(value=value, color=color) for value, color in steps])
    )


def fixed_color(color: str) -> dashboard.DynamicConfigValue:
    """An override property painting a series in one named colour."""
    return dashboard.DynamicConfigValue(
        id_val="color", value={"mode": "fixed", "fixedColor": color}
    )


def timeseries_panel(
    title: str, description: str, *, unit: str = "short", stacked: bool = False, w: int = 12
) -> timeseries.Panel:
    """A line chart with a table legend showing the last and largest value."""
    panel = (
        timeseries.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .min(0)
        .height(8)
        .span(w)
        .fill_opacity(10)
        .legend(
            common_builders.VizLegendOptions()
            .display_mode(common.LegendDisplayMode.TABLE)
            .placement(common.LegendPlacement.BOTTOM)
            .show_legend(True)
            .calcs(["lastNotNull", "max"])
            .sort_by("Last *")
            .sort_desc(True)
        )
        .tooltip(
            common_builders.VizTooltipOptions()
            .mode(common.TooltipDisplayMode.MULTI)
            .sort(common.SortOrder.DESCENDING)
        )
    )
    if stacked:
        panel = panel.stacking(
            common_builders.StackingConfig().mode(common.StackingMode.NORMAL)
        ).fill_opacity(60)
    return panel


def stat_panel(title: str, description: str, *, unit: str = "short", w: int = 4) -> stat.Panel:
    """A single big number (or one per series), coloured by its thresholds."""
    return (
        stat.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .height(5)
        .span(w)
        .no_value("0")
        .color_mode(common.BigValueColorMode.BACKGROUND)
        .graph_mode(common.BigValueGraphMode.NONE)
        .text_mode(common.BigValueTextMode.VALUE_AND_NAME)
        .reduce_options(common_builders.ReduceDataOptions().calcs(["lastNotNull"]).values(False))
    )


def bar_gauge_panel(
    title: str, description: str, *, unit: str = "short", w: int = 8, h: int = 8
) -> bargauge.Panel:
    """Horizontal bars, one per series, sorted as the query returns them."""
    return (
        bargauge.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .min(0)
        .height(h)
        .span(w)
        .orientation(common.VizOrientation.HORIZONTAL)
        .display_mode(common.BarGaugeDisplayMode.GRADIENT)
        .show_unfilled(True)
        .reduce_options(common_builders.ReduceDataOptions().calcs(["lastNotNull"]).values(False))
    )


def table_panel(
    title: str,
    description: str,
    *,
    sort_by: str,
    hidden: tuple[str, ...] = ("Time",),
    renamed: dict[str, str] | None = None,
    merge: bool = False,
    w: int = 12,
    h: int = 8,
) -> table.Panel:
    """A table of instant-query rows: several queries merged on their labels when `merge`."""
    panel = (
        table.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .height(h)
        .span(w)
        .sort_by([common_builders.TableSortByFieldState().display_name(sort_by).desc(True)])
    )
    if merge:
        panel = panel.with_transformation(
            dashboard.DataTransformerConfig(id_val="merge", options={})
        )
    organize = {
        "excludeByName": {name: True for name in hidden},
        "renameByName": renamed or {},
    }
    return panel.with_transformation(
        dashboard.DataTransformerConfig(id_val="organize", options=organize)
    )


def unit(name: str) -> list[dashboard.DynamicConfigValue]:
    """Override properties giving one table column its unit (`s`, `short` ...)."""
    return [dashboard.DynamicConfigValue(id_val="unit", value=name)]


def coloured_text(mapping: dict[str, tuple[str, str]]) -> list[dashboard.DynamicConfigValue]:
    """Override properties showing a 0/1 column as coloured words."""
    options = {
        value: {"text": text, "color": color, "index": index}
        for index, (value, (text, color)) in enumerate(mapping.items())
    }
    return [
        dashboard.DynamicConfigValue(
            id_val="mappings", value=[{"type": "value", "options": options}]
        ),
        dashboard.DynamicConfigValue(id_val="custom.cellOptions", value={"type": "color-text"}),
    ]
