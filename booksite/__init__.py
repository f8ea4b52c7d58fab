"""The book as a site: its settings, tutorial notebooks, launch links and internal links."""
