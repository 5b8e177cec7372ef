"""Paperclip in Python: the control plane for companies of AI agents."""

__version__ = "0.1.0"
