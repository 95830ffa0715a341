"""What the server and scripts/ read alike of the spec and of the tree generated from it."""
