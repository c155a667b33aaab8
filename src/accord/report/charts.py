"""Plotly figures of the report, one per chart section; None where the run has no data for it."""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from typing import Any, TypeAlias

import plotly.graph_objects as go
import plotly.io as pio

from accord.models import registry
from accord.report.context import bdm_notes, solution_name
from accord.report.labels import (
    forecast_models,
    latest_positions,
    model_name,
    nearest_label,
    package_text,
    pareto_parties,
)
from accord.report.summary import headline_model
from accord.report.track_record import MODEL, prob_text
from accord.result import Package, Packages, PositionRecord, RunResult

FONT = "Inter, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
INK = "#1f2933"
MUTED = "#7b8794"
GRID = "#e4e7eb"
#: Qualitative colours, assigned to actors and models in their order (twelve, so that every registered model
#: of a chart gets its own).
PALETTE = ("#1f5fa8", "#c0392b", "#2e8b57", "#d68910", "#7d3c98", "#17a2b8", "#8d6e63", "#e84393", "#5d6d7e",
           "#9acd32", "#0b3d91", "#ff7f50")
#: 0 = blue, 100 = red: a diverging scale for positions on 0–100.
POSITION_SCALE = [[0.0, "#2166ac"], [0.25, "#92c5de"], [0.5, "#f7f7f7"], [0.75, "#f4a582"], [1.0, "#b2182b"]]


def esc(text: Any) -> str:
    """Data text made safe for plotly labels, which read a small subset of HTML."""
    return html.escape(str(text), quote=False)


def _layout(fig: go.Figure, height: int, **extra: Any) -> go.Figure:
    settings: dict[str, Any] = dict(
        template="plotly_white",
        height=height,
        margin=dict(l=10, r=10, t=40, b=40),
        font=dict(family=FONT, size=13, color=INK),
        hoverlabel=dict(font=dict(family=FONT, size=12)),
        legend=dict(orientation="h", yanchor="bottom", y=1.01, xanchor="left", x=0),
    )
    settings.update(extra)
    fig.update_layout(**settings)
    return fig


def _fmt2(value: Any) -> str:
    return "–" if value is None else f"{float(value):.2f}"


def _actor_colors(result: RunResult) -> dict[str, str]:
    return {a.id: PALETTE[k % len(PALETTE)] for k, a in enumerate(result.scenario.actors)}


def _names(result: RunResult) -> tuple[dict[str, str], dict[str, str]]:
    """Actor names and issue titles by id."""
    return ({a.id: a.name or a.id for a in result.scenario.actors},
            {i.id: i.title or i.id for i in result.scenario.issues})


def _wrap(text: str, width: int = 28) -> str:
    words, lines, line = str(text).split(), [], ""
    for w in words:
        if line and len(line) + len(w) + 1 > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    if line:
        lines.append(line)
    return "<br>".join(esc(x) for x in lines)


def positions_heatmap(result: RunResult) -> go.Figure | None:
    """Actors × issues, coloured by the latest position (0–100), evidence-based cells marked."""
    if not result.scenario.positions:
        return None
    latest = latest_positions(result.scenario.positions)
    actors, issues = result.scenario.actors, result.scenario.issues
    names, titles = _names(result)
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    hover: list[list[str]] = []
    for issue in issues:
        zr: list[float | None] = []
        tr: list[str] = []
        hr: list[str] = []
        for a in actors:
            p = latest.get((a.id, issue.id))
            if p is None:
                zr.append(None)
                tr.append("n/f")
                hr.append(f"{esc(names[a.id])} · {esc(titles[issue.id])}<br>no position found")
                continue
            label = nearest_label(issue.anchors, p.position)
            mark = " ●" if p.origin == "evidence" else ""
            zr.append(p.position)
            tr.append(f"{p.position:.0f}{mark}")
            hr.append(
                f"<b>{esc(names[a.id])}</b> · {esc(titles[issue.id])}<br>"
                f"position {p.position:.0f}: {esc(label)}<br>salience {_fmt2(p.salience)} · "
                f"{esc(p.origin)} · {esc(p.date or '')}"
            )
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    fig = go.Figure(go.Heatmap(
        z=z, x=[esc(names[a.id]) for a in actors], y=[esc(titles[i.id]) for i in issues],
        text=text, texttemplate="%{text}", textfont=dict(size=13), hovertext=hover, hoverinfo="text",
        colorscale=POSITION_SCALE, zmin=0, zmax=100, xgap=2, ygap=2,
        colorbar=dict(title=dict(text="position", side="right"), tickvals=[0, 25, 50, 75, 100], thickness=12),
    ))
    fig.update_yaxes(autorange="reversed", showgrid=False, title=dict(text="issue", font=dict(size=12, color=MUTED)))
    fig.update_xaxes(side="top", showgrid=False, title=dict(text="party", font=dict(size=12, color=MUTED)))
    return _layout(fig, 90 + 34 * len(issues), margin=dict(l=10, r=10, t=60, b=10))


def model_colors(models: list[str]) -> dict[str, str]:
    """A fixed colour per model, by its place in the registry's order (unregistered ones after), so that a
    model keeps its colour from run to run and no two models of a chart share one."""
    known = registry.names()
    order = [m for m in known if m in models] + [m for m in models if m not in known]
    return {m: PALETTE[k % len(PALETTE)] for k, m in enumerate(order)}


def is_reference(model: str) -> bool:
    """True for a reference point (status quo, midpoint): drawn as a tick, not as a model."""
    return model in registry.names(tag="reference")


#: How a reference point is drawn (marker size, colour, line width); the status quo stands out.
_STATUS_QUO = "status-quo"
_REFERENCE_STYLE = {_STATUS_QUO: (26, INK, 2.5)}
_OTHER_REFERENCE = (18, MUTED, 1.5)


def _reference_ticks(name: str, style: tuple[int, str, float], rows: list[tuple[int, Any, float]]) -> go.Scatter:
    """A reference point per issue row as a vertical tick, under one legend entry."""
    size, color, width = style
    return go.Scatter(
        x=[v for _, _, v in rows], y=[r for r, _, _ in rows], mode="markers", name=f"{esc(name)} (reference)",
        legendgroup=name, marker=dict(symbol="line-ns-open", size=size, color=color, line=dict(width=width)),
        hoverinfo="text", hovertext=[f"{esc(name)} (reference) · {esc(i.title or i.id)}<br>{v:.0f}: "
                                     f"{esc(nearest_label(i.anchors, v))}" for _, i, v in rows])


def _references(result: RunResult, references: list[str]) -> list[go.Scatter]:
    """The reference models' ticks; the issues' own status quo when the run has no status-quo model."""
    issues = result.scenario.issues
    points = result.forecasts_at()
    traces = []
    for m in references:
        rows = [(r, i, v) for r, i in enumerate(issues) if (v := points.get(m, {}).get(i.id)) is not None]
        if rows:
            traces.append(_reference_ticks(model_name(m), _REFERENCE_STYLE.get(m, _OTHER_REFERENCE), rows))
    if _STATUS_QUO not in references:
        rows = [(r, i, i.status_quo) for r, i in enumerate(issues) if i.status_quo is not None]
        if rows:
            traces.append(_reference_ticks(model_name(_STATUS_QUO), _REFERENCE_STYLE[_STATUS_QUO], rows))
    return traces


def forecast_intervals(result: RunResult) -> go.Figure | None:
    """Per issue, each model's point forecast with the 50% and 90% ranges of its Monte Carlo draws; the reference
    points (status quo, midpoint) as ticks. Each model has its own colour (:func:`model_colors`)."""
    keys = forecast_models(result)
    models = [m for m in keys if not is_reference(m)]
    if not keys:
        return None
    points = result.forecasts_at()
    intervals = result.intervals()
    issues = result.scenario.issues
    colors = model_colors(models)
    n = max(len(models), 1)
    fig = go.Figure()
    for k, m in enumerate(models):
        color = colors[m]
        offset = 0.8 * ((k + 0.5) / n - 0.5)
        xs, ys, hover, seg_x, seg_y, wide_x, wide_y = [], [], [], [], [], [], []
        for r, issue in enumerate(issues):
            value = points.get(m, {}).get(issue.id)
            if value is None:
                continue
            iv = intervals.get(m, {}).get(issue.id)
            y = r + offset
            xs.append(value)
            ys.append(y)
            tip = (f"<b>{esc(model_name(m))}</b> · {esc(issue.title or issue.id)}<br>point forecast {value:.0f}: "
                   f"{esc(nearest_label(issue.anchors, value))}")
            if iv and iv.q05 is not None and iv.q95 is not None:
                q25 = iv.q25 if iv.q25 is not None else value
                q75 = iv.q75 if iv.q75 is not None else value
                wide_x += [iv.q05, iv.q95, None]
                wide_y += [y, y, None]
                median = f"{iv.q50:.0f}" if iv.q50 is not None else "–"
                tip += (f"<br>simulations: median {median} · 50%: {q25:.0f}–{q75:.0f} · "
                        f"90%: {iv.q05:.0f}–{iv.q95:.0f}")
                seg_x += [q25, q75, None]
                seg_y += [y, y, None]
            hover.append(tip)
        if wide_x:  # the ranges are drawn apart from the point, which can lie outside them
            fig.add_trace(go.Scatter(x=wide_x, y=wide_y, mode="lines", line=dict(color=color, width=1.2),
                                     legendgroup=m, showlegend=False, hoverinfo="skip"))
        if seg_x:
            fig.add_trace(go.Scatter(x=seg_x, y=seg_y, mode="lines", line=dict(color=color, width=6),
                                     opacity=0.45, legendgroup=m, showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="markers", name=esc(model_name(m)), legendgroup=m,
            marker=dict(color=color, size=8, line=dict(color="white", width=1)),
            hovertext=hover, hoverinfo="text",
        ))
    for trace in _references(result, [m for m in keys if is_reference(m)]):
        fig.add_trace(trace)
    for r in range(0, len(issues), 2):
        fig.add_hrect(y0=r - 0.5, y1=r + 0.5, fillcolor="#f5f7fa", line_width=0, layer="below")
    fig.update_yaxes(tickvals=list(range(len(issues))), ticktext=[esc(i.title or i.id) for i in issues],
                     autorange="reversed", showgrid=False, zeroline=False, range=[len(issues) - 0.5, -0.5],
                     title=dict(text="issue", font=dict(size=12, color=MUTED)))
    fig.update_xaxes(range=[-2, 102], tickvals=[0, 25, 50, 75, 100], gridcolor=GRID, zeroline=False,
                     title=dict(text="position on the issue's 0–100 scale", font=dict(size=12, color=MUTED)))
    return _layout(fig, 160 + len(issues) * max(36, 9 * n))


def _grid_dims(n: int, cols: int = 3) -> tuple[int, int]:
    cols = min(cols, n)
    return math.ceil(n / cols), cols


def _small_multiples(titles: list[str], cols: int, panel_px: int, xaxis: dict[str, Any], yaxis: dict[str, Any],
                     gap_px: int = 70, hgap: float = 0.06, top_px: int = 80, bottom_px: int = 30,
                     left_px: int = 40) -> dict[str, Any]:
    """A plain plotly figure dict laid out as a grid of panels, one per title, without traces yet.

    Built by hand rather than with ``make_subplots``, whose cost grows quickly with the number of panels.
    """
    n = len(titles)
    rows, cols = _grid_dims(n, cols)
    plot_h = rows * panel_px + (rows - 1) * gap_px
    width = (1 - hgap * (cols - 1)) / cols
    layout: dict[str, Any] = {}
    annotations = []
    for k, title in enumerate(titles):
        r, c = divmod(k, cols)
        x0 = c * (width + hgap)
        top = 1 - r * (panel_px + gap_px) / plot_h
        bottom = max(top - panel_px / plot_h, 0.0)
        suffix = "" if k == 0 else str(k + 1)
        layout[f"xaxis{suffix}"] = {**xaxis, "domain": [x0, x0 + width], "anchor": f"y{suffix}"}
        layout[f"yaxis{suffix}"] = {**yaxis, "domain": [bottom, min(top, 1.0)], "anchor": f"x{suffix}"}
        annotations.append({"text": title, "x": x0 + width / 2, "y": min(top, 1.0), "xref": "paper", "yref": "paper",
                            "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 12}})
    layout.update({
        "annotations": annotations,
        "height": plot_h + top_px + bottom_px,
        "margin": {"l": left_px, "r": 10, "t": top_px, "b": bottom_px},
        "font": {"family": FONT, "size": 13, "color": INK},
        "hoverlabel": {"font": {"family": FONT, "size": 12}},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "hovermode": "closest",
        "legend": {"orientation": "h", "yanchor": "top", "y": 0.995, "yref": "container", "xanchor": "left", "x": 0},
    })
    return {"data": [], "layout": layout}


def _axis_ref(k: int) -> dict[str, str]:
    return {"xaxis": "x" if k == 0 else f"x{k + 1}", "yaxis": "y" if k == 0 else f"y{k + 1}"}


def bdm_paths(result: RunResult) -> dict[str, Any] | None:
    """Small multiples: each actor's position per expected-utility round, the weighted median and the BDM forecast
    of the tables as a marker; a panel without rounds says why in words (see ``context.bdm_notes``)."""
    notes = bdm_notes(result)
    if not notes:
        return None
    names, titles = _names(result)
    colors = _actor_colors(result)
    ids = list(notes)
    fig = _small_multiples(
        [esc(titles.get(i, i)) for i in ids], 3, 190, gap_px=100, hgap=0.08, bottom_px=50, left_px=60,
        xaxis={"gridcolor": GRID, "zeroline": False, "dtick": 2, "linecolor": GRID,
               "title": {"text": "round", "font": {"size": 11, "color": MUTED}, "standoff": 4}},
        yaxis={"range": [-4, 104], "tickvals": [0, 50, 100], "gridcolor": GRID, "zeroline": False,
               "title": {"text": "position (0–100)", "font": {"size": 11, "color": MUTED}, "standoff": 2}},
    )
    shown: set[str] = set()
    for k, iid in enumerate(ids):
        p, note = result.bdm_paths[iid], notes[iid]
        for aid, series in p.positions.items():
            fig["data"].append({
                "type": "scatter", **_axis_ref(k), "x": list(range(len(series))), "y": list(series),
                "mode": "lines" if len(series) > 1 else "markers", "name": esc(names.get(aid, aid)),
                "legendgroup": aid, "showlegend": aid not in shown,
                "line": {"color": colors.get(aid, MUTED), "width": 1.6}, "marker": {"color": colors.get(aid, MUTED)},
                "hovertemplate": f"{esc(names.get(aid, aid))}<br>round %{{x}}: %{{y:.0f}}<extra></extra>",
            })
            shown.add(aid)
        fig["data"].append({
            "type": "scatter", **_axis_ref(k), "x": list(range(len(p.median))), "y": list(p.median),
            "mode": "lines", "name": "Weighted median", "legendgroup": "median", "showlegend": "median" not in shown,
            "line": {"color": INK, "width": 2.5, "dash": "dash"},
            "hovertemplate": "median<br>round %{x}: %{y:.0f}<extra></extra>",
        })
        shown.add("median")
        if note["forecast"] is not None:
            fig["data"].append({
                "type": "scatter", **_axis_ref(k), "x": [note["rounds"]], "y": [note["forecast"]], "mode": "markers",
                "name": "BDM forecast (tables)", "legendgroup": "forecast", "showlegend": "forecast" not in shown,
                "marker": {"symbol": "diamond", "size": 11, "color": "#c0392b", "line": {"color": "white", "width": 1}},
                "hovertemplate": "BDM forecast in the tables: %{y:.0f}<extra></extra>",
            })
            shown.add("forecast")
        remark = _panel_remark(note)
        if remark:
            ref = _axis_ref(k)
            fig["layout"]["annotations"].append({
                "text": remark, "xref": f"{ref['xaxis']} domain", "yref": f"{ref['yaxis']} domain", "x": 0.02,
                "y": 0.04 if note["degenerate"] else 0.98, "xanchor": "left",
                "yanchor": "bottom" if note["degenerate"] else "top", "showarrow": False, "align": "left",
                "font": {"size": 11, "color": "#9c2f1f"}, "bgcolor": "rgba(255,255,255,0.85)",
            })
    return fig


def _panel_remark(note: dict[str, Any]) -> str:
    """A short line inside a BDM panel: why it has no path, or that the path oscillates or ends off the forecast."""
    if note["degenerate"]:
        return "no rounds played:<br>" + _wrap(note["why"].split(": ", 1)[-1], 40)
    parts = []
    if note["oscillation"]:
        parts.append("oscillates")
    if note["mismatch"]:
        parts.append(f"path ends at {note['end']:.0f}, forecast {note['forecast']:.0f}")
    return " · ".join(parts)


def pareto_frontier(result: RunResult) -> go.Figure | None:
    """The Pareto frontier projected on two parties' utilities, with the Nash and Kalai–Smorodinsky points."""
    packages = result.packages
    pair = pareto_parties(packages, result.case.principals) if packages else None
    if packages is None or pair is None:
        return None
    a, b = pair
    names, _ = _names(result)

    def on_axes(p: Package | None) -> bool:
        return p is not None and p.utilities.get(a) is not None and p.utilities.get(b) is not None

    pts = [p for p in packages.frontier if on_axes(p)]
    if not pts:
        return None

    def tip(p: Package, head: str) -> str:
        utils = " · ".join(f"{esc(names.get(k, k))} {v:.2f}" for k, v in p.utilities.items() if v is not None)
        terms = "<br>".join(f"{esc(i.title or i.id)}: {esc(o)}" for i, o in zip(packages.issues, p.options))
        return f"<b>{esc(head)}</b> {esc(p.label or '')}<br>{terms}<br>{utils}"

    fig = go.Figure(go.Scatter(
        x=[p.utilities[a] for p in pts], y=[p.utilities[b] for p in pts], mode="markers",
        name="Pareto-optimal package", marker=dict(size=10, color="#9aa5b1", line=dict(color="white", width=1)),
        hovertext=[tip(p, "Pareto-optimal package") for p in pts], hoverinfo="text",
    ))
    for point, label, symbol, color, where in ((packages.nash, "Nash bargaining", "star", "#c0392b", "top center"),
                                               (packages.kalai_smorodinsky, "Kalai–Smorodinsky", "diamond", "#1f5fa8",
                                                "bottom center")):
        if point is not None and on_axes(point):
            fig.add_trace(go.Scatter(
                x=[point.utilities[a]], y=[point.utilities[b]], mode="markers+text", name=label,
                text=[label], textposition=where, textfont=dict(color=color, size=12),
                marker=dict(symbol=symbol, size=18, color=color, line=dict(color="white", width=1.5)),
                hovertext=[tip(point, label)], hoverinfo="text",
            ))
    fig.update_xaxes(title=dict(text=f"utility of {esc(names.get(a, a))}"), gridcolor=GRID, range=[-0.02, 1.02])
    fig.update_yaxes(title=dict(text=f"utility of {esc(names.get(b, b))}"), gridcolor=GRID, range=[-0.02, 1.02])
    return _layout(fig, 460)


def ratification_bars(result: RunResult, limit: int = 12) -> go.Figure | None:
    """The chance that each named package and bargaining solution passes each ratification stage (grouped bars,
    one group per stage); without stage records, the leading packages' chances."""
    packages = result.packages
    if packages is not None and packages.stages:
        return _stage_bars(result, packages)
    votes = packages.ratification[:limit] if packages else []
    if not votes:
        return None
    codes = [f"P{k + 1}" for k in range(len(votes))]
    texts = [package_text(v.options or [v.label]) for v in votes]
    probs = [v.probability or 0.0 for v in votes]
    fig = go.Figure(go.Bar(
        # the axis names each bar by its code (and a named package by its name); the packages are in the hover
        # text and in the table under the chart, since a full package is too long for an axis label
        x=probs, y=[f"<b>{c}</b> {esc(v.label)}" if v.named else f"<b>{c}</b>" for c, v in zip(codes, votes)],
        orientation="h",
        marker=dict(color=["#2e8b57" if p >= 0.5 else "#c0392b" for p in probs]),
        text=[f"{100 * p:.0f}%" for p in probs], textposition="outside", cliponaxis=False,
        hovertext=[f"<b>{c}</b> · {100 * p:.0f}%<br>{_wrap(t, 60)}" for c, p, t in zip(codes, probs, texts)],
        hoverinfo="text",
    ))
    return _ratification_axes(fig, 120 + 30 * len(votes), showlegend=False)


def _stage_bars(result: RunResult, packages: Packages) -> go.Figure:
    """Grouped horizontal bars: per stage (side: stage), one bar per named package and bargaining solution."""
    names, _ = _names(result)
    stages = packages.stages
    candidates = list(dict.fromkeys(k for st in stages for k in st.probabilities))
    # numbered: two stages may share a name (e.g. both chambers of a legislature), and plotly merges equal labels
    labels = [_wrap(f"{k + 1}. {names.get(st.side, st.side)}: {st.name}", 34) for k, st in enumerate(stages)]
    fig = go.Figure()
    for k, c in enumerate(candidates):
        probs = [st.probabilities.get(c) for st in stages]
        fig.add_trace(go.Bar(
            x=[p or 0.0 for p in probs], y=labels, orientation="h", name=esc(solution_name(c)),
            marker=dict(color=PALETTE[k % len(PALETTE)]),
            text=["–" if p is None else f"{100 * p:.0f}%" for p in probs], textposition="outside", cliponaxis=False,
            hovertext=[f"<b>{esc(solution_name(c))}</b><br>{lab}<br>ratified with probability "
                       f"{'–' if p is None else f'{100 * p:.0f}%'}" for p, lab in zip(probs, labels)],
            hoverinfo="text",
        ))
    height = 150 + len(stages) * (16 * max(len(candidates), 1) + 26)
    return _ratification_axes(fig, height, barmode="group", bargap=0.25, bargroupgap=0.05)


def _ratification_axes(fig: go.Figure, height: int, **extra: Any) -> go.Figure:
    """The probability axis with the 50% line, and stage labels that are never clipped."""
    fig.add_vline(x=0.5, line=dict(color=INK, dash="dot", width=1.5), annotation_text="passes (50%)",
                  annotation_position="bottom right")
    fig.update_xaxes(range=[0, 1.12], tickformat=".0%", gridcolor=GRID,
                     title=dict(text="probability of ratification", font=dict(size=12, color=MUTED)))
    fig.update_yaxes(autorange="reversed", tickfont=dict(size=12), automargin=True,
                     title=dict(text="ratification stage", font=dict(size=12, color=MUTED)))
    return _layout(fig, height, margin=dict(l=10, r=40, t=70, b=50), **extra)


def position_timeline(result: RunResult) -> dict[str, Any] | None:
    """Dated positions per issue and actor as steps, for the issues where someone moved."""
    history = result.scenario.history
    if not history:
        return None
    by_issue: dict[str, dict[str, list[PositionRecord]]] = {}
    for h in history:
        by_issue.setdefault(h.issue, {}).setdefault(h.actor, []).append(h)
    issues = result.scenario.issues
    moved = [i for i in issues if i.id in by_issue and any(
        len({round(x.position, 6) for x in items}) > 1 for items in by_issue[i.id].values())]
    if not moved:
        return None
    names, titles = _names(result)
    order = {aid: k for k, aid in enumerate(names)}
    colors = _actor_colors(result)
    dates = sorted(str(h.date) for h in history if h.date)
    end = str(result.case.as_of)
    xaxis: dict[str, Any] = {"gridcolor": GRID, "tickformat": "%b %Y", "type": "date", "linecolor": GRID,
                             "title": {"text": "date of the statement", "font": {"size": 11, "color": MUTED}}}
    if dates:
        xaxis["range"] = [dates[0], end]
    fig = _small_multiples(
        [esc(titles[i.id]) for i in moved], 2, 230, hgap=0.07, xaxis=xaxis,
        yaxis={"range": [-5, 105], "tickvals": [0, 25, 50, 75, 100], "gridcolor": GRID, "zeroline": False,
               "title": {"text": "position (0–100)", "font": {"size": 11, "color": MUTED}, "standoff": 2}},
        gap_px=90, bottom_px=50, left_px=60,
    )
    shown: set[str] = set()
    for k, issue in enumerate(moved):
        for aid in sorted(by_issue[issue.id], key=lambda x: order.get(x, len(order))):
            fig["data"].append(_timeline_trace(k, by_issue[issue.id][aid], issue.anchors, names.get(aid, aid),
                                               colors.get(aid, MUTED), end, aid not in shown))
            shown.add(aid)
    return fig


def _timeline_trace(k: int, items: list[PositionRecord], anchors: list[Any], name: str, color: str, end: str,
                    legend: bool) -> dict[str, Any]:
    """One actor's dated positions on one issue as a step line, held until ``end``."""
    items = sorted(items, key=lambda h: str(h.date or ""))
    xs: list[Any] = [str(h.date) if h.date else None for h in items]
    ys = [h.position for h in items]
    if xs and xs[-1] and xs[-1] < end:
        xs, ys = xs + [end], ys + [ys[-1]]
    tips = [f"<b>{esc(name)}</b> · {esc(h.date)}<br>{h.position:.0f}: {esc(nearest_label(anchors, h.position))}<br>"
            f"{esc(', '.join((s.outlet or s.id or '') for s in h.sources))}" for h in items]
    tips += [""] * (len(xs) - len(items))
    return {
        "type": "scatter", **_axis_ref(k), "x": xs, "y": ys, "mode": "lines+markers",
        "line": {"color": color, "width": 2, "shape": "hv"},
        "marker": {"size": [7] * len(items) + [0] * (len(xs) - len(items))},
        "name": esc(name), "legendgroup": name, "showlegend": legend, "hovertext": tips, "hoverinfo": "text",
    }


def reliability_chart(result: RunResult) -> go.Figure | None:
    """Observed frequency against mean forecast per bin, one line per forecaster whose forecasts vary, and the diagonal."""
    tr = result.track_record
    if tr is None or not tr.reliability:
        return None
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfectly reliable",
                             line=dict(color="#9aa5b1", dash="dot", width=1), hoverinfo="skip"))
    scorers = list(dict.fromkeys(r.scorer for r in tr.reliability))
    n_of = {s.scorer: s.n for s in tr.scores}
    for k, name in enumerate(scorers):
        rows = [r for r in tr.reliability if r.scorer == name and r.n]
        if len(rows) < 2 and name != MODEL:
            continue  # a constant forecaster (0.5) is one point on the chart; its scores are in the table
        fig.add_trace(go.Scatter(
            x=[r.mean_forecast for r in rows], y=[r.observed for r in rows], mode="lines+markers",
            name=f"{name} (n={n_of.get(name, 0)})", line=dict(color=PALETTE[k % len(PALETTE)], width=2),
            marker=dict(size=[6 + 2 * min(r.n, 20) ** 0.5 for r in rows]),
            hovertext=[f"{name}: {r.n} forecasts in {r.low:.1f}–{r.high:.1f}, mean {prob_text(r.mean_forecast)}, "
                       f"happened {prob_text(r.observed)}" for r in rows], hoverinfo="text"))
    _layout(fig, 420, xaxis=dict(title="mean forecast in the bin", range=[-0.03, 1.03], tickformat=".0%"),
            yaxis=dict(title="share that happened", range=[-0.03, 1.03], tickformat=".0%"))
    return fig


# --- levers, explanations, blocs ---------------------------------------------------------------

SWING_SCALE = [[0.0, "#f7f7f7"], [0.35, "#fdd49e"], [0.7, "#fc8d59"], [1.0, "#b30000"]]


def levers_heatmap(result: RunResult) -> go.Figure | None:
    """Parties × issues, coloured by the party's largest swing of the headline model's forecast (points)."""
    if result.levers is None or not result.levers.issues:
        return None
    lead = headline_model(list(dict.fromkeys(il.model for il in result.levers.issues)))
    names, titles = _names(result)
    by = {il.issue: {p.actor: p.swing for p in il.pivotal} for il in result.levers.issues if il.model == lead}
    issues = [i for i in result.scenario.issues if i.id in by]
    actors = result.scenario.actors
    z = [[by[i.id].get(a.id) for a in actors] for i in issues]
    text = [["" if v is None else f"{v:.1f}" for v in row] for row in z]
    hover = [[f"<b>{esc(names[a.id])}</b> · {esc(titles[i.id])}<br>" +
              ("takes no part" if v is None else f"largest swing {v:.2f} points") for a, v in zip(actors, row)]
             for i, row in zip(issues, z)]
    fig = go.Figure(go.Heatmap(
        z=z, x=[esc(names[a.id]) for a in actors], y=[esc(titles[i.id]) for i in issues], text=text,
        texttemplate="%{text}", hovertext=hover, hoverinfo="text", colorscale=SWING_SCALE, zmin=0, xgap=2, ygap=2,
        colorbar=dict(title=dict(text="swing", side="right"), thickness=12),
    ))
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(side="top", showgrid=False)
    return _layout(fig, 90 + 30 * len(issues), margin=dict(l=10, r=10, t=60, b=10),
                   title=dict(text=f"Largest swing per party ({esc(model_name(lead or ''))} model)", font=dict(size=13),
                              y=0.995, yanchor="top"))


def _bar_label(name: str, c: Any) -> str:
    """A waterfall bar's label: the actor's name without its bracketed part, and the input in a word."""
    what = ("joins" if c.after else "leaves") if c.input == "participation" else \
        {"position": "position", "salience": "salience", "capability": "capability", "all inputs": "all"}.get(c.input, c.input)
    return f"{esc(name.split(' (')[0])} {what}"


def explain_waterfalls(result: RunResult) -> dict[str, Any] | None:
    """Small multiples: per issue whose forecast changed, a waterfall from the earlier forecast through each
    changed input's Shapley contribution to the later forecast (headline model, first pair of dates)."""
    if not result.explanations:
        return None
    ex = result.explanations[0]
    lead = headline_model(list(ex.models))
    names, titles = _names(result)
    shown = [e for e in ex.issues if e.model == lead and e.contributions and e.change is not None
             and any(abs(c.value or 0.0) > 1e-9 for c in e.contributions)]
    if not shown:
        return None
    fig = _small_multiples(
        [esc(titles.get(e.issue, e.issue)) for e in shown], 3, 200, gap_px=120, hgap=0.08, bottom_px=90, left_px=50,
        xaxis={"type": "category", "tickangle": -40, "tickfont": {"size": 10}, "linecolor": GRID},
        yaxis={"gridcolor": GRID, "zeroline": False, "tickfont": {"size": 10},
               "title": {"text": "forecast", "font": {"size": 11, "color": MUTED}, "standoff": 2}},
    )
    for k, e in enumerate(shown):
        parts = sorted(e.contributions, key=lambda c: -abs(c.value or 0.0))
        labels = [str(ex.date_from)] + [_bar_label(names.get(c.actor, c.actor), c) for c in parts]
        labels.append(str(ex.date_to))
        values = [e.before] + [c.value for c in parts] + [e.after]
        path = [e.before or 0.0]
        for c in parts:
            path.append(path[-1] + (c.value or 0.0))
        lo, hi = min(path + [e.after or 0.0]), max(path + [e.after or 0.0])
        pad = max(2.0, 0.15 * (hi - lo))
        ref = _axis_ref(k)
        fig["layout"]["yaxis" + ref["yaxis"][1:]]["range"] = [max(-2.0, lo - pad), min(102.0, hi + pad)]
        fig["data"].append({
            "type": "waterfall", **ref, "x": labels, "y": values,
            "measure": ["absolute"] + ["relative"] * len(parts) + ["total"],
            "text": [f"{v:+.1f}" if 0 < n <= len(parts) else f"{v:.1f}" for n, v in enumerate(values)],
            "textposition": "outside", "textfont": {"size": 10}, "showlegend": False, "name": esc(titles.get(e.issue, e.issue)),
            "increasing": {"marker": {"color": PALETTE[1]}}, "decreasing": {"marker": {"color": PALETTE[0]}},
            "totals": {"marker": {"color": MUTED}}, "connector": {"line": {"color": GRID}},
            "hovertemplate": "%{x}: %{y:.2f}<extra></extra>",
        })
    return fig


def blocs_dendrogram(result: RunResult) -> go.Figure | None:
    """The average-linkage tree of the parties, with the cut that makes the blocs."""
    b = result.blocs
    if b is None or len(b.actors) < 2 or not b.linkage:
        return None
    from scipy.cluster.hierarchy import dendrogram

    names, _ = _names(result)
    tree = dendrogram([[v or 0.0 for v in row] for row in b.linkage], no_plot=True,
                      labels=[names.get(a, a) for a in b.actors])
    fig = go.Figure()
    for xs, ys in zip(tree["icoord"], tree["dcoord"]):
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=INK, width=1.8), hoverinfo="skip",
                                 showlegend=False))
    if b.threshold is not None:
        fig.add_hline(y=b.threshold, line=dict(color=PALETTE[1], dash="dash", width=1.2),
                      annotation_text=f"cut {b.threshold:.2f}: blocs below it", annotation_position="top left")
    ticks = [5 + 10 * k for k in range(len(tree["ivl"]))]
    fig.update_xaxes(tickvals=ticks, ticktext=[esc(x) for x in tree["ivl"]], showgrid=False, zeroline=False,
                     range=[0, 10 * len(ticks)])
    fig.update_yaxes(range=[0, max(1.0, max(max(d) for d in tree["dcoord"]) * 1.1)], gridcolor=GRID, zeroline=False,
                     title=dict(text="distance (0–1)", font=dict(size=12, color=MUTED)))
    return _layout(fig, 320, margin=dict(l=10, r=10, t=30, b=40))


def stakeholder_maps(result: RunResult) -> dict[str, Any] | None:
    """Small multiples: per issue, each party at its position (x) and salience (y), sized by capability."""
    if result.blocs is None or not result.scenario.positions:
        return None
    latest = latest_positions(result.scenario.positions)
    names, titles = _names(result)
    colors = _actor_colors(result)
    caps = {a.id: a.capability or 0.0 for a in result.scenario.actors}
    biggest = max(caps.values(), default=0.0) or 1.0
    issues = [i for i in result.scenario.issues if any((a.id, i.id) in latest for a in result.scenario.actors)]
    fig = _small_multiples(
        [esc(titles[i.id]) for i in issues], 4, 170, gap_px=70, hgap=0.05, bottom_px=50, left_px=50,
        xaxis={"range": [-16, 116], "tickvals": [0, 50, 100], "gridcolor": GRID, "zeroline": False,
               "title": {"text": "position", "font": {"size": 10, "color": MUTED}, "standoff": 2}},
        yaxis={"range": [-0.18, 1.22], "tickvals": [0, 0.5, 1], "gridcolor": GRID, "zeroline": False,
               "title": {"text": "salience", "font": {"size": 10, "color": MUTED}, "standoff": 2}},
    )
    seen: set[str] = set()
    for k, issue in enumerate(issues):
        for a in result.scenario.actors:
            p = latest.get((a.id, issue.id))
            if p is None:
                continue
            fig["data"].append({
                "type": "scatter", **_axis_ref(k), "x": [p.position], "y": [p.salience or 0.0], "mode": "markers",
                "name": esc(names[a.id]), "legendgroup": a.id, "showlegend": a.id not in seen,
                "marker": {"size": 8 + 22 * (caps[a.id] / biggest) ** 0.5, "color": colors[a.id], "opacity": 0.75,
                           "line": {"color": "white", "width": 1}},
                "hovertemplate": (f"<b>{esc(names[a.id])}</b> · {esc(titles[issue.id])}<br>position %{{x:.0f}}: "
                                  f"{esc(nearest_label(issue.anchors, p.position))}<br>salience %{{y:.2f}} · "
                                  f"capability {caps[a.id]:.2f}<extra></extra>"),
            })
            seen.add(a.id)
    return fig


#: Chart id -> (section id, builder). The HTML places each chart in its section.
Figure: TypeAlias = "go.Figure | dict[str, Any]"

CHARTS: dict[str, tuple[str, Callable[[RunResult], Figure | None]]] = {
    "chart-positions": ("positions", positions_heatmap),
    "chart-forecasts": ("forecasts", forecast_intervals),
    "chart-bdm": ("bdm", bdm_paths),
    "chart-pareto": ("packages", pareto_frontier),
    "chart-ratification": ("ratification", ratification_bars),
    "chart-timeline": ("timeline", position_timeline),
    "chart-reliability": ("backtest", reliability_chart),
    "chart-levers": ("levers", levers_heatmap),
    "chart-explain": ("explain", explain_waterfalls),
    "chart-dendrogram": ("blocs", blocs_dendrogram),
    "chart-stakeholders": ("blocs", stakeholder_maps),
}


#: A short description of each chart for screen readers.
CHART_LABELS: dict[str, str] = {
    "chart-positions": "Heatmap of each party's position on each issue",
    "chart-forecasts": "Point forecast of every model per issue, with its Monte Carlo ranges and the status quo",
    "chart-bdm": "Positions per round of the expected-utility model, one panel per issue",
    "chart-pareto": "Pareto frontier of package deals for two parties, with the bargaining solutions",
    "chart-ratification": "Probability that each leading package is ratified",
    "chart-timeline": "Dated position shifts per issue and party",
    "chart-reliability": "Reliability diagram: how often events happened against the mean forecast, per forecaster",
    "chart-levers": "Heatmap of each party's largest swing of the forecast per issue",
    "chart-explain": "Waterfalls splitting each issue's change of forecast into the changed inputs",
    "chart-dendrogram": "Dendrogram of the parties clustered by closeness of positions",
    "chart-stakeholders": "Stakeholder map per issue: position against salience, sized by capability",
}


def chart_html(fig: Figure, div_id: str) -> str:
    """The figure as a div plus its drawing script; plotly.js itself is embedded once per page."""
    if isinstance(fig, dict):
        height = int(fig["layout"].get("height") or 450)
    else:
        height = int(fig.layout.height or 450)
    return pio.to_html(
        fig, validate=False,
        full_html=False, include_plotlyjs=False, div_id=div_id, default_height=f"{height}px",
        config={"displaylogo": False, "responsive": True, "displayModeBar": False},
    )


def build_charts(result: RunResult) -> dict[str, dict[str, str]]:
    """Rendered charts by section id: ``{section: {chart_id: html}}``; sections without data are absent."""
    out: dict[str, dict[str, str]] = {}
    for chart_id, (section, builder) in CHARTS.items():
        fig = builder(result)
        if fig is not None:
            out.setdefault(section, {})[chart_id] = chart_html(fig, chart_id)
    return out
