"""Writes: plain functions with keyword-only arguments (see STYLE.md)."""
