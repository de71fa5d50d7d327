"""Proposing a tool: the questions `martechgate new` asks, their checks, and writing the entry."""
