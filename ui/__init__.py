"""The chat UI behind app.py: charts, artifacts, transcript and reports, uploads, runtime.
May import agent and every layer below it; nothing but app.py and cli import ui.

Modules that import Chainlit (`ui.chat`, `ui.elements`) are only loaded by the server;
`ui.settings_panel` imports it only to build the panel; the rest (`ui.charts`,
`ui.artifacts`, `ui.transcript`, `ui.report`, `ui.uploads`, `ui.upload_guard`, `ui.runtime`,
`ui.auth`, `ui.server`) are plain Python and unit-tested.
"""

from ui.charts import figure_for

__all__ = ["figure_for"]
