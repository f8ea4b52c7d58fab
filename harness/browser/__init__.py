"""What the browser tests use: a served site, its pages, the launch of a tutorial on the local hub, stamps, contrast."""
