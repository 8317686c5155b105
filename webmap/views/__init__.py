"""Thin blueprints: parse and validate parameters, call the store and the map builders, render."""
