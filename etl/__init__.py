"""urbanmap ETL: validates inputs in ``geodata/raw`` and builds the store.

The build output (``urban.gpkg`` + ``manifest.json``) is the contract with the
web app; this package never imports :mod:`webmap`.
"""

__version__ = "0.1.0"
