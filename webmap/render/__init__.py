"""Rendering: data of the read model in, HTML, JSON, SVG, PNG or PDF out (no Flask).

Folium maps and their shells, classes and colours, the national map's data, source links, OGC API documents,
map sheets, and the texts of the pages in the request's language (:mod:`webmap.render.text`).
"""
