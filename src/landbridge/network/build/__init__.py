"""The network build: raw railway lines, borders, crossings and the sea layer compiled into a
``Network`` (``pipeline.build_network``). Reached through ``landbridge.network.load_network``,
which builds into the cache on first use; nothing else at run time imports this package."""
