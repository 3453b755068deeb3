"""The Gradio app: it only presents what ``assistant`` returns."""

from .app import build_app, launch_options, serve

__all__ = ["build_app", "launch_options", "serve"]
