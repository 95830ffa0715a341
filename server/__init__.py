"""hubindex: a spec-first Docker Hub v1 index."""
