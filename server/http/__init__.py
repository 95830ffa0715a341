"""The pieces of the request path: routing, parameters, bodies, validation, responses, the body
limit, security (the spec's schemes and their checkers), credentials, the access log and
metrics. They know no services and no engine."""
