"""Brief → HTML (Jinja2) → PDF (WeasyPrint), and Markdown and JSON for other tools."""
