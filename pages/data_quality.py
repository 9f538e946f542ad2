"""data_quality page (being built)."""

from ui import state

state.page_header("page_data_quality")
