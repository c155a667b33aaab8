"""The report as Markdown: the same sections as the HTML page, as text and tables, without charts."""

from __future__ import annotations

from typing import Any, Iterable

from accord.report.context import build_context
from accord.report.labels import fmt_pct, fmt_pos
from accord.report.schema import validate_result


def _cell(value: Any) -> str:
    """Table-cell text: pipes and newlines escaped so a cell cannot break the table."""
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ").strip()


def _text(value: Any) -> str:
    """Running text with Markdown's HTML and link openers neutralised."""
    text = "" if value is None else str(value)
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("[", "\\[").replace("]", "\\]")


def _link(label: Any, url: str | None) -> str:
    label = _cell(_text(label))
    return f"[{label}]({url.replace('(', '%28').replace(')', '%29')})" if url else label


def _table(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> list[str]:
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(c) for c in row) + " |")
    return lines + [""]


def _sources(sources: list[dict[str, Any]]) -> str:
    parts = []
    for s in sources:
        bit = _link(s["outlet"], s["href"])
        if s.get("date"):
            bit += f" ({_cell(s['date'])})"
        if s.get("quote"):
            bit += f": “{_cell(_text(s['quote']))}”"
        parts.append(bit)
    return "; ".join(parts) if parts else "**no source**"


def render_markdown(result: dict[str, Any]) -> str:
    """The report of a run result as a Markdown document."""
    ctx = build_context(validate_result(result))
    nc = f"_{ctx['not_computed']}_"
    case = ctx["case"]
    out: list[str] = [f"# {_text(case['title'])}", ""]
    meta = []
    if case["as_of"]:
        meta.append(f"Situation as of **{_text(case['as_of'])}**")
    if case["generated_at"]:
        meta.append(f"generated {_text(case['generated_at'])}")
    if case["accord_version"]:
        meta.append(f"accord {_text(case['accord_version'])}")
    if meta:
        out += [" · ".join(meta), ""]
    if case["example"]:
        out += [f"> **Example data.** This report was rendered from a test fixture, not from a real run. "
                f"{_text(case['note'])}".rstrip(), ""]
    elif case["note"]:
        out += [_text(case["note"]), ""]
    out += ["Parties: " + ", ".join(_text(a["name"]) for a in ctx["actors"]), ""]

    titles = {s["id"]: s["title"] for s in ctx["sections"]}

    out += [f"## {titles['summary']}", ""]
    if ctx["summary"]:
        for s in ctx["summary"]:
            out.append(f"- **{_text(s['title'])}.** {_text(s['text'])}")
        out.append("")
    else:
        out += [nc, ""]

    out += [f"## {titles['positions']}", ""]
    grid = ctx["grid"]
    if grid:
        out += ["Latest position per party on each issue's 0–100 scale; ● = from evidence, n/f = no source found.", ""]
        rows = []
        for r in grid["rows"]:
            cells = ["n/f" if c["missing"] else fmt_pos(c["value"]) + (" ●" if c["origin"] == "evidence" else "")
                     for c in r["cells"]]
            rows.append([_cell(_text(r["title"])), *cells, fmt_pos(r["status_quo"])])
        out += _table(["Issue", *(_cell(_text(a)) for a in grid["actors"]), "Status quo"], rows)
    else:
        out += [nc, ""]

    out += [f"## {titles['origin']}", ""]
    origin = ctx["origin"]
    if origin:
        out += [f"Of {origin['n_total']} positions, {origin['n_hand']} were coded by hand and "
                f"{origin['n_evidence']} came from evidence suggestions.", ""]
        if origin["has_suggestions"]:
            out += [f"The evidence pipeline suggested {origin['n_suggestions']} positions; {origin['n_agree']} agree "
                    f"with the hand-coded value, {len(origin['disagreements'])} disagree.", ""]
            if origin["disagreements"]:
                out += _table(["Party", "Issue", "Hand-coded", "Evidence suggests", "Confidence", "Supporting"],
                              [[_cell(_text(d["actor"])), _cell(_text(d["issue"])), fmt_pos(d["hand"]),
                                fmt_pos(d["suggested"]), fmt_pct(d["confidence"]),
                                ", ".join(_cell(_text(s["id"])) for s in d["supporting"]) or "–"]
                               for d in origin["disagreements"]])
    else:
        out += [nc, ""]

    out += [f"## {titles['forecasts']}", ""]
    ft = ctx["forecast_table"]
    if ft:
        out += ["Point forecast per model (90% Monte Carlo range in brackets where computed).", ""]
        rows = []
        for r in ft["rows"]:
            cells = [fmt_pos(c["value"]) + (f" [{fmt_pos(c['q05'])}–{fmt_pos(c['q95'])}]" if c["q05"] is not None else "")
                     for c in r["cells"]]
            rows.append([_cell(_text(r["title"])), fmt_pos(r["status_quo"]), *cells])
        out += _table(["Issue", "Status quo", *(_cell(m) for m in ft["models"])], rows)
    else:
        out += [nc, ""]

    out += [f"## {titles['bdm']}", ""]
    if ctx["bdm"]:
        out += _table(["Issue", "Rounds", "Median at start", "Median at end"],
                      [[_cell(_text(r["issue"])), r["rounds"], fmt_pos(r["start"]), fmt_pos(r["end"])]
                       for r in ctx["bdm"]["rows"]])
    else:
        out += [nc, ""]

    out += [f"## {titles['exchanges']}", ""]
    if ctx["exchanges"]:
        out += _table(["Exchange", "Gives ground", "Gains", "Gain"],
                      [[_cell(_text(e["text"])), _cell(_text(f"{e['supplier']} on {e['issue_supplied']}")),
                        _cell(_text(f"{e['partner']} on {e['issue_demanded']}")),
                        f"{e['gain']:.3f}" if e["gain"] is not None else "–"] for e in ctx["exchanges"]])
    else:
        out += [nc, ""]

    out += [f"## {titles['packages']}", ""]
    pk = ctx["packages"]
    if pk:
        out += [f"{pk['n_acceptable'] if pk['n_acceptable'] is not None else '–'} of "
                f"{pk['n_packages'] if pk['n_packages'] is not None else '–'} packages are acceptable to every party; "
                f"{pk['n_frontier']} are Pareto-optimal.", ""]
        for key, label in (("nash", "Nash bargaining"), ("ks", "Kalai–Smorodinsky")):
            p = pk[key]
            if p:
                opts = "; ".join(f"{_text(o['issue'])}: {_text(o['option'])}" for o in p["options"])
                utils = ", ".join(f"{_text(u['party'])} {u['value']:.2f}" for u in p["utilities"] if u["value"] is not None)
                out += [f"- **{label}:** {opts} (utilities: {utils})"]
        out.append("")
    else:
        out += [nc, ""]

    out += [f"## {titles['ratification']}", ""]
    rat = ctx["ratification"]
    if rat:
        out += [f"{rat['n_passing']} packages are ratified with probability 50% or more.", ""]
        out += _table(["Code", "Package", "Ratified"],
                      [[r["code"], _cell(_text(r["text"])), fmt_pct(r["probability"])] for r in rat["rows"]])
    else:
        out += [nc, ""]

    out += [f"## {titles['truce']}", ""]
    tr = ctx["truce"]
    if tr:
        out += _table(["State", "Situation", *tr["concepts"], "Equilibrium"],
                      [[_cell(r["id"]), _cell(_text(r["label"])), *("✓" if s else "" for s in r["stable"]),
                        "**yes**" if r["equilibrium"] else ""] for r in tr["rows"]])
    else:
        out += [nc, ""]

    out += [f"## {titles['timeline']}", ""]
    if ctx["shifts"] is None:
        out += [nc, ""]
    elif ctx["shifts"]:
        out += _table(["Date", "Party", "Issue", "From", "To", "Source"],
                      [[_cell(s["date"]), _cell(_text(s["actor"])), _cell(_text(s["issue"])),
                        _cell(_text(f"{fmt_pos(s['from'])} {s['from_label']}")),
                        _cell(_text(f"{fmt_pos(s['to'])} {s['to_label']}")), _sources(s["sources"])]
                       for s in ctx["shifts"]])
    else:
        out += ["No party changed its position in the recorded history.", ""]

    out += [f"## {titles['sources']}", ""]
    if ctx["sources"]:
        out += _table(["Issue", "Party", "Position", "Salience", "Date", "Origin", "Sources"],
                      [[_cell(_text(p["issue"])), _cell(_text(p["actor"])),
                        _cell(_text(f"{fmt_pos(p['position'])} {p['label']}")),
                        f"{p['salience']:.2f}" if p["salience"] is not None else "–", _cell(p["date"]),
                        p["origin"], _sources(p["sources"])] for p in ctx["sources"]])
    else:
        out += [nc, ""]

    out += [f"## {titles['evidence']}", ""]
    ev = ctx["evidence"]
    if ev:
        if ev["statements"]:
            out += ["### Statements", ""]
            out += _table(["Id", "Date", "Party", "Issue", "Type", "Statement", "Source"],
                          [[_cell(s["id"]), _cell(s["date"]), _cell(_text(s["actor"])), _cell(_text(s["issue"])),
                            _cell(s["event_type"]),
                            _cell(_text(s["sentence"] + (f" “{s['quote']}”" if s["quote"] else ""))),
                            _link(s["outlet"], s["href"])] for s in ev["statements"]])
        if ev["claims"]:
            out += ["### Numbers in the news", ""]
            out += _table(["Id", "As written", "Value", "Unit", "About", "Source"],
                          [[_cell(c["id"]), _cell(_text(c["text"])), _cell(c["value"]), _cell(c["unit"]),
                            _cell(_text(c["referent"])), _link(c["outlet"], c["href"])] for c in ev["claims"]])
        if ev["articles"]:
            out += ["### Articles", ""]
            out += _table(["Id", "Date", "Outlet", "Title", "Flags"],
                          [[_cell(a["id"]), _cell(a["date"]), _cell(_text(a["outlet"])), _link(a["title"], a["href"]),
                            _cell(", ".join(a["flags"]))] for a in ev["articles"]])
    else:
        out += [nc, ""]

    out += [f"## {titles['quality']}", ""]
    if ctx["flags"]:
        out += _table(["Kind", "Where", "Detail"],
                      [[_cell(f["kind"]), _cell(_text(f["where"])), _cell(_text(f["detail"]))] for f in ctx["flags"]])
    else:
        out += ["No data-quality problems were flagged.", ""]

    out += [f"## {titles['backtest']}", ""]
    bt = ctx["backtest"]
    if bt:
        if bt["brier"]:
            out += ["Brier scores (lower is better): " + ", ".join(
                f"{_text(b['name'])} {b['value']:.3f}" for b in bt["brier"] if b["value"] is not None), ""]
        if bt["rows"]:
            out += _table(["Event", "accord", *(_cell(b) for b in bt["baselines"]), "Happened"],
                          [[_cell(_text(r["event"])), fmt_pct(r["accord"]), *(fmt_pct(v) for v in r["baseline"]),
                            {1: "yes", 0: "no"}.get(r["outcome"], "–")] for r in bt["rows"]])
    else:
        out += [nc, ""]
    return "\n".join(out).rstrip() + "\n"
