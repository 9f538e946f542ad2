"""Helpers every layer uses (the loader, the dashboard, the command lines): spreadsheet-safe cells,
the masking rule for names and ID numbers, private files. No Streamlit, no DuckDB, no project imports."""
