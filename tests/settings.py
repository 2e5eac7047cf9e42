"""Test settings: newsdesk's own, with the data directory in a temporary folder.

The database comes from NEWSDESK_DATABASE_URL as in production, so the same tests run on
SQLite (the default) and on PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault("NEWSDESK_DATA_DIR", tempfile.mkdtemp(prefix="newsdesk-test-"))

from newsdesk.site.settings import *  # noqa: E402,F401,F403
