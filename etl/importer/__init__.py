"""The importer: published tables (CSV, XLSX as printed) -> tidy indicator rows, one set of rules for the command
line and the browser.

Reading the grid (:mod:`.tables`), numbers (:mod:`.numbers`), years, units and preliminary marks in titles and
headers (:mod:`.labels`), titles, headers and sub-headings (:mod:`.layout`), the mapping (:mod:`.spec`), the
import itself (:mod:`.table_import`, :mod:`.row_reader`), suggested mappings (:mod:`.suggest`) and the
``urbanmap import`` command (:mod:`.cli`).
"""
