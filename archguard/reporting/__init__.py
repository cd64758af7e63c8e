"""Rendering results: terminal tables and machine formats. One place renders."""
