"""Local stand-ins for Google Calendar (OAuth 2.0 + Calendar v3) and Microsoft (identity platform + Graph).

No Django here: the servers run in threads of any process (tests, `python -m calendars.sandbox`), and the app
only points its base URLs at them.
"""

from .server import SandboxServer, start_sandbox
from .state import State

__all__ = ["SandboxServer", "State", "start_sandbox"]
