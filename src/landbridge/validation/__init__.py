"""Model validation against published figures (transit times: ``validation.transit``)."""
