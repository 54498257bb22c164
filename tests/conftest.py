"""Suite-wide settings: the results store of every test lives in a temporary folder."""

from __future__ import annotations

import os
import tempfile

# Set before any landbridge import resolves a path, so no test writes to the user's store.
os.environ.setdefault("LANDBRIDGE_HOME", tempfile.mkdtemp(prefix="landbridge-home-"))
