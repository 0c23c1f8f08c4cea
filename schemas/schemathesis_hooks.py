"""Schemathesis hooks for the unified API's OpenAPI document (schemas/openapi.yaml).

Load with `SCHEMATHESIS_HOOKS=schemas.schemathesis_hooks` from the repository root (see the
README, "Checking the API against its schema"). They register generators for the document's
named formats, whose definitions are in the document's `info.description`, and keep
generated requests within the `x-date-order` and `x-header-matches-body` rules, which JSON
Schema cannot express.
"""

import datetime
import string

import schemathesis
from hypothesis import strategies as st

# Vietnam (UTC+7): the calendar "today" of the past-date formats.
ICT = datetime.timezone(datetime.timedelta(hours=7))
WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def _today():
    return datetime.datetime.now(ICT).date()


def _days(first):
    return st.dates(min_value=first, max_value=_today() - datetime.timedelta(days=1))


def _enterprise_code(digits, branch):
    check = 10 - sum(int(d) * w for d, w in zip(digits, WEIGHTS)) % 11
    if check == 10:
        return None
    code = f"{digits}{check}"
    return f"{code}-{branch}" if branch is not None else code


_nine = st.text(alphabet=string.digits, min_size=9, max_size=9)
_branch = st.none() | st.text(alphabet=string.digits, min_size=3, max_size=3)
_birth_dates = _days(datetime.date(1900, 1, 1)).map(datetime.date.isoformat)
_label = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=12)

schemathesis.openapi.format(
    "enterprise-code",
    st.builds(_enterprise_code, _nine, _branch).filter(lambda c: c is not None),
)
schemathesis.openapi.format("past-date", _birth_dates)
schemathesis.openapi.format("birth-date", _birth_dates)
schemathesis.openapi.format(
    "birth-date-or-year",
    _birth_dates
    | st.integers(min_value=1900, max_value=_today().year - 1).map(str),
)
schemathesis.openapi.format(
    "callback-url",
    st.builds(
        lambda host, path: f"https://{host}.example.org/{path}",
        _label,
        _label,
    ),
)


def _resolve(root, schema):
    while isinstance(schema, dict) and "$ref" in schema:
        node = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _in_order(root, schema, value):
    """Whether `value` keeps every `x-date-order` rule of `schema`, at every depth."""
    schema = _resolve(root, schema)
    if not isinstance(schema, dict):
        return True
    for part in schema.get("allOf", []):
        if not _in_order(root, part, value):
            return False
    if isinstance(value, dict):
        for rule in schema.get("x-date-order", []):
            earlier, later = value.get(rule["earlier"]), value.get(rule["later"])
            if isinstance(earlier, str) and isinstance(later, str):
                if later < earlier or (rule["strict"] and later == earlier):
                    return False
        for name, sub in schema.get("properties", {}).items():
            if name in value and not _in_order(root, sub, value[name]):
                return False
    if isinstance(value, list) and "items" in schema:
        return all(_in_order(root, schema["items"], item) for item in value)
    return True


def _matches_body(operation, headers, body):
    """Whether each header of `x-header-matches-body` equals its body field, when both are given."""
    rules = operation.definition.raw.get("x-header-matches-body", {})
    if not isinstance(body, dict):
        return True
    sent = {name.lower(): value for name, value in (headers or {}).items()}
    for header, pointer in rules.items():
        field = body.get(pointer.lstrip("/"))
        if header.lower() in sent and field is not None and sent[header.lower()] != field:
            return False
    return True


@schemathesis.hook
def filter_case(context, case):
    # Stateful link inference reads the catalogue's path templates as values and would
    # send `{enterprise_code}` as an enterprise code; a template is never a value.
    if any("{" in str(value) for value in (case.path_parameters or {}).values()):
        return False
    operation = context.operation
    rules = operation.definition.raw.get("x-date-order", [])
    if isinstance(case.query, dict) and not _in_order({}, {"x-date-order": rules}, case.query):
        return False
    content = operation.definition.raw.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    body = case.body if isinstance(case.body, (dict, list)) else None
    if schema is not None and body is not None and not _in_order(operation.schema.raw_schema, schema, body):
        return False
    return _matches_body(operation, case.headers, body)


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keep every failure but one: a request with missing or wrong credentials answered 429
    `auth-throttled` instead of 401. The bus throttles a source after repeated failed
    authentications (documented on every operation), a run sends many such requests on
    purpose, and a correct key is never refused, so this answer never meets a valid one."""
    return not (response.status_code == 429 and b"auth-throttled" in (response.content or b""))
