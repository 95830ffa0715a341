"""Why hubindex answers differently from Connexion, where it does: each rule as protocol.md
(docs/protocol.md), the OpenAPI 3.0.3 text or an RFC states it."""

SLASHES = (
    "protocol.md, Paths and trailing slashes: serve both spellings of every path directly, no"
    " redirect; Connexion redirects (307) to the other spelling"
)
INTEGER_TEXT = (
    "protocol.md, Search (`n` or `page` out of range: 400) and OpenAPI: an integer parameter is"
    " its decimal digits; Connexion converts with Python's int(), which also takes '1_0', ' 3'"
    " and other scripts' digits"
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
    " (RFC 8259); Connexion converts with Python's float(), which takes 'nan' and 'inf'"
)
NULL_TEXT = (
    "OpenAPI 3.0.3 gives a parameter no text for null; hubindex reads JSON's `null`, so that"
    " the text None stays text; Connexion also takes Python's `None` for null"
)
STRICT_BASE64 = (
    "RFC 7617 2 (the user-pass is base64, RFC 4648 4, whose alphabet has no other character) and"
    " protocol.md, Errors: malformed Basic credentials are a 401; Connexion's base64 decoding"
    " drops the characters outside the alphabet and reads what is left"
)
