"""Why hubindex answers differently from Connexion, where it does: each rule as protocol.md
(docs/protocol.md), the OpenAPI 3.0.3 text or an RFC states it."""

SLASHES = (
    "protocol.md, Paths and trailing slashes: serve both spellings of every path directly, no"
    " redirect; Connexion redirects (307) to the other spelling"
)
CONCRETE_PATHS = (
    "OpenAPI 3.0.3, Paths Object: concrete paths are matched before their templated"
    " counterparts, so /v2/invites/bulk and /v2/users/login are path items of their own and a"
    " method they do not declare is a 405; Starlette, under Connexion, falls through to"
    " /v2/invites/{id} or /v2/users/{username} for that method"
)
INTEGER_TEXT = (
    "protocol.md, Search (`n` or `page` out of range: 400) and OpenAPI: an integer parameter is"
    " its decimal digits; Connexion converts with Python's int(), which also takes '1_0', ' 3'"
    " and other scripts' digits"
)
INTEGER_IN_PATH = (
    "protocol.md, Errors (bad input is a 400 naming the field): a path parameter of type integer"
    " that is not one is a 400 naming it; Connexion's router matches such a segment only to"
    " digits, and answers 404 to any other path"
)
EXPLODED_ITEMS = (
    "OpenAPI 3.0.3, Style Values: form style, explode true, writes each item of an array as one"
    " occurrence of the parameter (a comma inside an item is the item's); Connexion also splits"
    " every occurrence at its commas"
)
TYPED_HEADERS = (
    "OpenAPI 3.0.3, Parameter Object: a header's schema types its value; Connexion validates"
    " header and cookie values as the text they arrive as, so no integer header ever passes it"
)
NOT_JSON = (
    "protocol.md, Errors: a body that is not valid JSON is a 400; JSON has no NaN (RFC 8259),"
    " which Python's json reads and Connexion takes"
)


MEDIA_TYPE_CASE = (
    "RFC 9110 8.3.1: a media type's type and subtype are case-insensitive; Connexion accepts"
    " application/JSON as the operation's media type but then does not read the body as JSON"
)
ECMA_PATTERNS = (
    "OpenAPI 3.0.3, Schema Object: a pattern is an ECMA 262 regex, whose $ is the end of the"
    " text (protocol.md, Names: ^[a-z0-9_]{4,30}$ and the like); Connexion matches with"
    " Python's re, whose $ also matches before a final newline"
)
BODILESS_CONTENT_TYPE = (
    "RFC 9110 8.3: Content-Type describes the content, and a request to an operation without"
    " a body has none to parse (protocol.md, Ping: GET /v1/_ping is 200); Connexion parses a"
    " multipart form whenever the Content-Type says multipart, and answers 400 for its missing"
    " boundary"
)
CONTROL_IN_PATH = (
    "protocol.md, Names (no name holds a control character) and Errors (a readable JSON error):"
    " a path with a control character is a 400 that says so; Connexion's router takes a final"
    " newline for the end of a segment (Python's $), and answers a 307 to the other spelling,"
    " or a 404"
)
NOT_A_NUMBER = (
    "OpenAPI 3.0.3, Data Types: a number is JSON Schema's, and JSON has no NaN or Infinity"
    " (RFC 8259); Connexion converts with Python's float(), which takes 'nan' and 'inf', and"
    " reads '1e400' as infinity"
)
NULL_TEXT = (
    "OpenAPI 3.0.3 gives a parameter no text for null; hubindex reads JSON's `null`, so that"
    " the text None stays text; Connexion also takes Python's `None` for null"
)
CHUNKED_BODY = (
    "RFC 9112 6.1 and 6.3: a body sent with Transfer-Encoding: chunked has no Content-Length and"
    " is a body all the same; Connexion takes a request without Content-Length for one without a"
    " body, and answers 400 (RequestBody is required) without reading it"
)

# Parameters and formats.
FORM_OBJECTS = (
    "OpenAPI 3.0.3, Style Values: an object in form style, exploded, is written as its"
    " properties, each a query parameter of its own (R=100&G=200); Connexion reads no such"
    " parameter (it looks for the object's own name) and hands the handler nothing"
)
DEEP_OBJECT_REPEATED = (
    "A repeated single value counts by its last occurrence (the probe's repeated-keeps-last), as"
    " Connexion itself reads every other parameter (uri_parsing: 'default to last defined"
    " value'); its deepObject reading keeps the first"
)
MULTIPLE_OF_DECIMAL = (
    "JSON Schema Validation (draft 4) 5.1.1: a number is valid when its division by multipleOf"
    " is an integer; JSON's numbers are decimals, and 0.3 / 0.1 is 3 (fastjsonschema and the"
    " models, pydantic, agree); Connexion's jsonschema divides the nearest binary doubles,"
    " 0.299999... / 0.1000...01, and refuses 0.3, 0.7 and the like"
)
OPTIONAL_BODY = (
    "OpenAPI 3.0.3, Request Body Object: `required` defaults to false, and a body that is not"
    " required may be absent; Connexion answers an empty one 400 ('Request body must not be"
    " empty') unless the schema is nullable"
)
NUMBER_BEYOND_DOUBLE = (
    "RFC 8259 6: a reader may keep to IEEE 754 doubles; hubindex refuses a number beyond their"
    " range (1e400) as a 400 rather than read it as infinity, which Python's json (and so"
    " Connexion) does, handing the handler inf"
)
STRICT_BASE64 = (
    "RFC 7617 2 (the user-pass is base64, RFC 4648 4, whose alphabet has no other character) and"
    " protocol.md, Errors: malformed Basic credentials are a 401; Connexion's base64 decoding"
    " drops the characters outside the alphabet and reads what is left"
)
