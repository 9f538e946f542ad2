"""report page (being built)."""

from ui import state

state.page_header("page_report")
