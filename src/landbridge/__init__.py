"""landbridge: an open digital twin of the China–Europe rail land bridge through Kazakhstan."""

__version__ = "0.1.0"
