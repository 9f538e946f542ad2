"""Streamlit-side helpers shared by dashboard.py and pages/: data access, formatting, translations."""
