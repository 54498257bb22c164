"""Places: what users type (any script, LOCODE, coordinates) resolved to gazetteer places
(``gazetteer``, ``place_query``, ``names``; tables rebuilt by ``place_sources``) and snapped to
network nodes (``snap``)."""
