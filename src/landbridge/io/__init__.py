"""Importers of fresh railway data (OSM PBF/XML, GeoJSON) into the build's line format; the
bundled network is built from its own extract, so only tests and benchmarks call these."""
