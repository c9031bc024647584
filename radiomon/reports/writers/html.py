"""HTML: the síntesis and the weekly report as one self-contained page that prints on letter paper.

Everything a transcript says is escaped (Jinja2 autoescape): a quote that
holds ``<script>`` is shown as text. Charts are embedded as data URIs, so
the file can be mailed as it is.
"""

from __future__ import annotations

import base64

from jinja2 import Environment

from radiomon.wording import ALSO_IN, OUTLETS_HEADING

_ENV = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)

_STYLE = """
@page { size: letter; margin: 2cm 2cm 2cm 2cm; }
body { font-family: Calibri, Carlito, Arial, sans-serif; font-size: 11pt; color: #111; max-width: 18cm; margin: auto; }
header { border-bottom: 2px solid #7a1f2b; margin-bottom: 1em; }
header .municipality { font-size: 14pt; font-weight: bold; margin: 0; }
header .office { margin: 0 0 .4em 0; }
h1 { font-size: 18pt; color: #7a1f2b; margin: .3em 0; }
h2 { font-size: 13pt; color: #7a1f2b; border-bottom: 1px solid #ccc; margin-top: 1.4em; page-break-after: avoid; }
h3 { font-size: 12pt; color: #7a1f2b; margin-top: 1em; page-break-after: avoid; }
.meta { margin: 0; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid #999; padding: 2px 6px; text-align: left; }
td.n, th.n { text-align: right; }
.item { margin: .6em 0; page-break-inside: avoid; }
.item .head { font-weight: bold; }
.item blockquote { margin: .2em 0 .2em 1.2em; }
.item .refs { font-size: 9pt; color: #444; }
.chart { max-width: 100%; }
.sign { margin-top: 3em; }
@media print { a { color: inherit; text-decoration: none; } }
"""

_DIGEST = _ENV.from_string("""<!DOCTYPE html>
<html lang="es-MX">
<head>
<meta charset="utf-8">
<title>{{ d.title }} — {{ d.date_text }}</title>
<style>{{ style }}</style>
</head>
<body>
<header>
<p class="municipality">{{ d.municipality }}</p>
<p class="office">{{ d.office }}</p>
<h1>{{ d.title }}</h1>
<p class="meta date">{{ d.date_text | capitalize }}</p>
<p class="meta period">{{ d.period_text }}</p>
<p class="meta generated">{{ d.generated_text }}</p>
</header>
<section class="summary">
<h2>Resumen</h2>
{% if d.summary %}
<table>
<thead><tr><th>{{ d.summary_headings[0] }}</th>
{% for h in d.summary_headings[1:] %}<th class="n">{{ h }}</th>{% endfor %}
</tr></thead>
<tbody>
{% for row in d.summary_table %}
<tr><td>{{ row[0] }}</td>
{% for c in row[1:] %}<td class="n">{{ c }}</td>{% endfor %}
</tr>
{% endfor %}
</tbody>
</table>
{% endif %}
{% if d.not_recorded %}
<p><strong>Periodos sin grabación:</strong></p>
<ul class="gaps">
{% for n in d.not_recorded %}<li>{{ n.station }}: de {{ n.start }} a {{ n.end }} ({{ n.reason }})</li>
{% endfor %}
</ul>
{% endif %}
{% if d.empty %}<p class="empty">{{ d.empty_text }}</p>{% endif %}
</section>
{% set h = 'h3' if d.has_press and d.sections else 'h2' %}
{% if d.has_press and d.sections %}<h2 class="medium radio">Radio</h2>{% endif %}
{% for section in d.sections %}
<section class="group priority-{{ section.priority }}">
<{{ h }}>{{ section.title }} ({{ section.items | length }})</{{ h }}>
{% for item in section.items %}
<div class="item">
<div class="head">{{ item.time }} · {{ item.station }}{% if item.program %} — {{ item.program }}{% endif %}
 · <em>{{ (item.terms or [item.keyword]) | join(", ") }}</em>
{%- if item.aired_text %} · <span class="aired">{{ item.aired_text }}</span>{% endif %}</div>
<blockquote>
{%- for p in item.quote %}{% if p.bold %}<strong>{{ p.text }}</strong>{% else %}{{ p.text }}{% endif %}
{%- endfor %}</blockquote>
{% if item.testigo or item.link %}
<div class="refs">{% if item.testigos | length > 1 %}Testigos: {{ item.testigos | join(", ") }}
{%- elif item.testigo %}Testigo: {{ item.testigo }}{% endif %}
{% if item.link %} · <a href="{{ item.link }}">Ver en radiomon</a>{% endif %}</div>
{% endif %}
</div>
{% endfor %}
</section>
{% endfor %}
{% if d.has_press %}
<section class="press">
<h2 class="medium press">Prensa</h2>
{% for section in d.press %}
<section class="group priority-{{ section.priority }}">
<h3>{{ section.title }} ({{ section.items | length }})</h3>
{% for item in section.items %}
<div class="item press-item">
<div class="head">{{ item.time }} · <span class="outlet">{{ item.outlet }}</span> ·
 {% if item.url %}<a class="headline" href="{{ item.url }}">{{ item.title }}</a>
{%- else %}<span class="headline">{{ item.title }}</span>{% endif %}
 · <em>{{ item.keyword }}</em></div>
<blockquote>
{%- for p in item.quote %}{% if p.bold %}<strong>{{ p.text }}</strong>{% else %}{{ p.text }}{% endif %}
{%- endfor %}</blockquote>
{% if item.also_in or item.link %}
<div class="refs">{% if item.also_in %}<span class="also-in">{{ also_in }}:
{%- for a in item.also_in %} <a href="{{ a.url }}" title="{{ a.title }}">{{ a.outlet }}</a>
{{- "," if not loop.last }}{% endfor %}</span>{% endif %}
{% if item.link %}{{ " · " if item.also_in }}<a href="{{ item.link }}">Ver en radiomon</a>{% endif %}</div>
{% endif %}
</div>
{% endfor %}
</section>
{% endfor %}
</section>
{% endif %}
</body>
</html>
""")

_WEEKLY = _ENV.from_string("""<!DOCTYPE html>
<html lang="es-MX">
<head>
<meta charset="utf-8">
<title>{{ r.title }} — {{ r.period_text }}</title>
<style>{{ style }}</style>
</head>
<body>
<header>
<p class="municipality">{{ r.municipality }}</p>
<p class="office">{{ r.office }}</p>
<p class="meta date">{{ r.date_text }}</p>
<h1>{{ r.title }}</h1>
<p class="meta period">{{ r.period_text }}</p>
</header>
<h2>Resumen general</h2>
<table class="overview">
<tbody>
{% for label, value in r.overview %}<tr><th>{{ label }}</th><td>{{ value }}</td></tr>
{% endfor %}</tbody>
</table>
<h2>Resumen por dependencia</h2>
<table>
<thead><tr><th>{{ r.department_headings[0] }}</th>
{% for h in r.department_headings[1:-1] %}<th class="n">{{ h }}</th>{% endfor %}
<th>{{ r.department_headings[-1] }}</th></tr>
</thead>
<tbody>
{% for row in r.department_table %}
<tr><td>{{ row[0] }}</td>
{% for c in row[1:-1] %}<td class="n">{{ c }}</td>{% endfor %}
<td>{{ row[-1] }}</td></tr>
{% endfor %}
</tbody>
</table>
{% if r.busiest_stations %}
<h2>Estaciones con más menciones</h2>
<table>
<thead><tr><th>Estación</th><th class="n">Menciones</th></tr></thead>
<tbody>
{% for s in r.busiest_stations %}<tr><td>{{ s.station }}</td><td class="n">{{ s.count }}</td></tr>
{% endfor %}</tbody>
</table>
{% endif %}
{% if r.busiest_outlets %}
<h2>{{ outlets_heading }}</h2>
<table>
<thead><tr><th>Medio</th><th class="n">Menciones</th></tr></thead>
<tbody>
{% for o in r.busiest_outlets %}<tr><td>{{ o.station }}</td><td class="n">{{ o.count }}</td></tr>
{% endfor %}</tbody>
</table>
{% endif %}
{% if r.busiest_programs %}
<h2>Programas con más menciones</h2>
<table>
<thead><tr><th>Programa</th><th>Estación</th><th class="n">Menciones</th></tr></thead>
<tbody>
{% for p in r.busiest_programs %}
<tr><td>{{ p.program }}</td><td>{{ p.station }}</td><td class="n">{{ p.count }}</td></tr>
{% endfor %}</tbody>
</table>
{% endif %}
{% if r.tone_table %}
<h2>Tono por dependencia</h2>
{% if r.has_tone_chart %}
<img class="chart" alt="Tono de las menciones de la semana" src="data:image/png;base64,{{ tone_chart() }}">
{% endif %}
{% for heading, rows in [("Dependencia", r.tone_table), ("Estación o medio", r.tone_source_table)] %}
{% if heading != "Dependencia" %}<h2>Tono por estación o medio</h2>{% endif %}
<table class="tone">
<thead><tr><th>{{ heading }}</th>{% for h in r.tone_headings %}<th class="n">{{ h }}</th>{% endfor %}
<th class="n">Total</th></tr></thead>
<tbody>
{% for row in rows %}<tr><td>{{ row[0] }}</td>{% for c in row[1:] %}<td class="n">{{ c }}</td>{% endfor %}</tr>
{% endfor %}</tbody>
</table>
{% endfor %}
{% endif %}
{% for dept in r.departments %}
<section class="department">
<h2>{{ dept.title }}</h2>
{% if dept.total %}
{% if dept.has_chart %}
<img class="chart" alt="Menciones por día: {{ dept.title }}" src="data:image/png;base64,{{ chart(dept) }}">
{% endif %}
{% for heading, rows in [("Estación", dept.by_station), ("Medio", dept.by_outlet)]
   if rows or (heading == "Estación" and not dept.by_outlet) %}
<table>
<thead><tr><th>{{ heading }}</th>
{% for h in r.day_headings %}<th class="n">{{ h }}</th>{% endfor %}
<th class="n">Total</th></tr></thead>
<tbody>
{% for row in rows %}
<tr><td>{{ row.station }}</td>
{% for c in row.counts %}<td class="n">{{ c }}</td>{% endfor %}
<td class="n">{{ row.total }}</td></tr>
{% endfor %}
</tbody>
</table>
{% endfor %}
<p><strong>Citas destacadas:</strong></p>
<ul>
{% for q in dept.top_quotes %}<li>{{ q.when }} · {{ q.station }} · <em>{{ q.keyword }}</em>: “{{ q.text }}”</li>
{% endfor %}
</ul>
{% else %}
<p>Sin menciones en la semana.</p>
{% endif %}
</section>
{% endfor %}
<div class="sign">
<p>Atentamente,</p>
<p><br><br>{{ r.coordinator or "_______________________" }}<br>{{ r.office }}</p>
</div>
</body>
</html>
""")


def _chart_uri(report):
    from radiomon.reports.writers import chart  # matplotlib: only when a chart is drawn

    return lambda dept: base64.b64encode(chart.department_chart(report, dept)).decode("ascii")


def _tone_chart_uri(report):
    from radiomon.reports.writers import chart

    return lambda: base64.b64encode(chart.tone_chart(report)).decode("ascii")


def digest_html(digest) -> str:
    return _DIGEST.render(d=digest, style=_STYLE, also_in=ALSO_IN)


def weekly_html(report) -> str:
    return _WEEKLY.render(r=report, style=_STYLE, chart=_chart_uri(report), tone_chart=_tone_chart_uri(report),
                          outlets_heading=OUTLETS_HEADING)
