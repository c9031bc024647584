"""Markdown: the síntesis and the weekly report as plain text for chat, e-mail or a wiki."""

from __future__ import annotations

import re

from radiomon.wording import ALSO_IN, MEDIUM_LABELS, OUTLETS_HEADING

_SPECIAL = re.compile(r"([\\*_`|\[\]<>#])")


def md(text: str | None) -> str:
    """Text as Markdown shows it literally (a quote may hold * or | or <)."""
    return _SPECIAL.sub(r"\\\1", text or "")


def _table(headings, rows) -> list[str]:
    lines = ["| " + " | ".join(md(h) for h in headings) + " |", "|" + "---|" * len(headings)]
    lines += ["| " + " | ".join(md(str(c)) for c in row) + " |" for row in rows]
    return lines


def _quote(parts) -> str:
    return "".join(f"**{md(p.text)}**" if p.bold else md(p.text) for p in parts)


def digest_markdown(digest) -> str:
    out = [f"# {md(digest.title)}", "", f"**{md(digest.municipality)}** — {md(digest.office)}", "",
           f"{md(digest.date_text.capitalize())}  ", f"{md(digest.period_text)}  ", f"{md(digest.generated_text)}", ""]
    out += ["## Resumen", ""]
    if digest.summary:
        out += _table(digest.summary_headings, digest.summary_table)
    else:
        out.append(md(digest.empty_text))
    out.append("")
    if digest.not_recorded:
        out += ["**Periodos sin grabación:**", ""]
        out += [f"- {md(n.station)}: de {n.start} a {n.end} ({md(n.reason)})" for n in digest.not_recorded]
        out.append("")
    level = "##"
    if digest.has_press and digest.sections:
        out += [f"## {MEDIUM_LABELS['radio']}", ""]
        level = "###"
    for section in digest.sections:
        out += [f"{level} {md(section.title)} ({len(section.items)})", ""]
        for item in section.items:
            where = md(item.station) + (f" — {md(item.program)}" if item.program else "")
            aired = f" · {md(item.aired_text)}" if item.aired_text else ""
            out.append(f"- **{item.time}** · {where} · *{md(', '.join(item.terms or (item.keyword,)))}*{aired}")
            out.append(f"  > {_quote(item.quote)}")
            if item.testigo or item.link:
                if len(item.testigos) > 1:
                    refs = ["Testigos: " + ", ".join(f"`{t}`" for t in item.testigos)]
                else:
                    refs = [f"Testigo: `{item.testigo}`"] if item.testigo else []
                refs += [f"[Ver en radiomon]({item.link})"] if item.link else []
                out.append(f"  {' · '.join(refs)}")
        out.append("")
    if digest.has_press:
        out += _press(digest)
    if digest.empty:
        out += [md(digest.empty_text), ""]
    return "\n".join(out)


def _link(text: str, url: str) -> str:
    # A URL's own parentheses and spaces would end the link early.
    return f"[{md(text)}]({url.replace('(', '%28').replace(')', '%29').replace(' ', '%20')})" if url else md(text)


def _press(digest) -> list[str]:
    out = [f"## {MEDIUM_LABELS['press']}", ""]
    for section in digest.press:
        out += [f"### {md(section.title)} ({len(section.items)})", ""]
        for item in section.items:
            out.append(f"- **{item.time}** · {md(item.outlet)} · {_link(item.title, item.url)} · *{md(item.keyword)}*")
            out.append(f"  > {_quote(item.quote)}")
            refs = [f"{ALSO_IN}: " + ", ".join(_link(a.outlet, a.url) for a in item.also_in)] if item.also_in else []
            refs += [f"[Ver en radiomon]({item.link})"] if item.link else []
            if refs:
                out.append(f"  {' · '.join(refs)}")
        out.append("")
    return out


def weekly_markdown(report) -> str:
    out = [f"# {md(report.title)}", "", f"**{md(report.municipality)}** — {md(report.office)}", "",
           f"{md(report.date_text)}  ", f"{md(report.period_text)}", ""]
    out += ["## Resumen general", ""]
    out += [f"- **{md(label)}:** {md(value)}" for label, value in report.overview]
    out += ["", "## Resumen por dependencia", ""]
    out += _table(report.department_headings, report.department_table)
    out.append("")
    if report.busiest_stations:
        out += ["## Estaciones con más menciones", ""]
        out += _table(["Estación", "Menciones"], [[s.station, s.count] for s in report.busiest_stations])
        out.append("")
    if report.busiest_outlets:
        out += [f"## {OUTLETS_HEADING}", ""]
        out += _table(["Medio", "Menciones"], [[o.station, o.count] for o in report.busiest_outlets])
        out.append("")
    if report.busiest_programs:
        out += ["## Programas con más menciones", ""]
        out += _table(["Programa", "Estación", "Menciones"],
                      [[p.program, p.station, p.count] for p in report.busiest_programs])
        out.append("")
    if report.tone_table:
        out += ["## Tono por dependencia", ""]
        out += _table(["Dependencia", *report.tone_headings, "Total"], report.tone_table)
        out += ["", "## Tono por estación o medio", ""]
        out += _table(["Estación o medio", *report.tone_headings, "Total"], report.tone_source_table)
        out.append("")
    for dept in report.departments:
        out += [f"## {md(dept.title)}", ""]
        if not dept.total:
            out += ["Sin menciones en la semana.", ""]
            continue
        if dept.by_station or not dept.by_outlet:
            out += _table(["Estación", *report.day_headings, "Total"],
                          [[r.station, *r.counts, r.total] for r in dept.by_station])
        if dept.by_outlet:
            out += ([""] if dept.by_station else []) + _table(["Medio", *report.day_headings, "Total"],
                                                              [[r.station, *r.counts, r.total] for r in dept.by_outlet])
        out += ["", "**Citas destacadas:**", ""]
        out += [f"- {md(q.when)} · {md(q.station)} · *{md(q.keyword)}*: “{md(q.text)}”" for q in dept.top_quotes]
        out.append("")
    out += ["Atentamente,", "", md(report.coordinator) or "_______________________", md(report.office), ""]
    return "\n".join(out)
