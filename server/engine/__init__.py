"""What answers the spec's operations: the fast engine, Connexion's own pipeline as the
reference, and the runtime the generated glue calls (authentication, unit of work, answer)."""
