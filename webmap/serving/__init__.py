"""Serving: what every request goes through around the views.

The served build and its switch, request scope and work counting, byte-bounded caches, headers and CSP, tracking
parameters, errors with their HTTP status, the request's language, local assets, and several worker processes.
"""
