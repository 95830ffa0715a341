"""Hand-written handlers, one module per operationId prefix of the spec.

The generated glue calls ``server.handlers.<module>.<name>(call, **arguments)`` for operationId
``<module>.<name>``; an operation whose handler does not exist answers 501.
"""
