"""The chat UI behind app.py: charts, artifacts, transcript and reports, uploads, runtime.

Modules that import Chainlit (`ui.chat`, `ui.elements`, `ui.settings_panel`) are only loaded
by the server; the rest (`ui.charts`, `ui.artifacts`, `ui.transcript`, `ui.report`,
`ui.uploads`, `ui.runtime`, `ui.auth`, `ui.server`, `ui.client`) are plain Python and unit-tested.
"""

from ui.charts import figure_for

__all__ = ["figure_for"]
