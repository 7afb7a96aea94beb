"""Worker -> launcher messages: one JSON object per stdout line, prefixed with `@dagpipe ` so that anything
else a library prints on stdout is never mistaken for a message (the launcher passes such lines through)."""

import json
import sys

PREFIX = "@dagpipe "


def emit(event: str, **fields):
    sys.stdout.write(PREFIX + json.dumps({"event": event, **fields}, allow_nan=False, default=float) + "\n")
    sys.stdout.flush()
