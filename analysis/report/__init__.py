"""The report: wording, figures, tables and numbers the book shows, and the leak gate over them."""
